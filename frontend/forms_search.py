"""The search forms (GET): task search, the provider directory and saving a search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderProfile
from frontend.forms import RegionField
from frontend.forms_tasks import YuanField
from search import text
from search.query import ProviderQuery, TaskQuery
from tasks.models import Task

TASK_SORTS = [
    ("relevance", _("Best match")),
    ("newest", _("Newest")),
    ("deadline", _("Closing soonest")),
    ("budget", _("Highest budget")),
]
PROVIDER_SORTS = [
    ("relevance", _("Best match")),
    ("rating", _("Highest rated")),
    ("credit", _("Highest credit")),
    ("newest", _("Recently updated")),
]


def _skill_choices() -> list[tuple[str, str]]:
    return [(s.slug, s.slug) for s in text.lexicon().skills.values()]


def _category_choices() -> list[tuple[str, Any]]:
    from accounts.selectors import skills_grouped

    return [("", _("All categories")), *[(c.slug, c.name) for c, _s in skills_grouped()]]


class _SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. 机器视觉, machine vision")}
        ),
    )
    skills = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)
    category = forms.ChoiceField(label=_("Skill category"), required=False)
    region = RegionField()
    page = forms.IntegerField(required=False, min_value=1, max_value=50, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = _skill_choices()  # type: ignore[attr-defined]
        self.fields["category"].choices = _category_choices()  # type: ignore[attr-defined]
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("All regions")),
            *[c for c in self.fields["region"].choices if c[0]],  # type: ignore[attr-defined]
        ]


class TaskSearchForm(_SearchForm):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Task.Kind.choices]
    )
    mode = forms.ChoiceField(
        label=_("How it runs"), required=False, choices=[("", _("All modes")), *Task.Mode.choices]
    )
    budget_from = YuanField(label=_("Budget from (¥)"), required=False, max_length=16)
    budget_to = YuanField(label=_("Budget up to (¥)"), required=False, max_length=16)
    deadline_before = forms.DateField(
        label=_("Bids close by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    verified = forms.BooleanField(label=_("Verified posters only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=TASK_SORTS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("budget_from"), data.get("budget_to")
        if low is not None and high is not None and low > high:
            self.add_error("budget_to", _("The upper budget must not be below the lower one."))
        return data

    def query(self) -> TaskQuery:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return TaskQuery(
            text=data.get("q") or "",
            kinds=(data["kind"],) if data.get("kind") else (),
            modes=(data["mode"],) if data.get("mode") else (),
            skills=tuple(data.get("skills") or ()),
            category=data.get("category") or "",
            budget_min=data.get("budget_from"),
            budget_max=data.get("budget_to"),
            region=data.get("region") or "",
            deadline_before=data.get("deadline_before"),
            verified=bool(data.get("verified")),
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
        )


class ProviderSearchForm(_SearchForm):
    verified = forms.BooleanField(label=_("Verified providers only"), required=False)
    availability = forms.MultipleChoiceField(
        label=_("Availability"),
        required=False,
        choices=ProviderProfile.Availability.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=PROVIDER_SORTS)

    def query(self) -> ProviderQuery:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return ProviderQuery(
            text=data.get("q") or "",
            skills=tuple(data.get("skills") or ()),
            category=data.get("category") or "",
            region=data.get("region") or "",
            verified=bool(data.get("verified")),
            availability=tuple(data.get("availability") or ()),
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
        )


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Name this search"), max_length=80)
