"""Forms of the task pages: posting and editing a task, its files and invitations, browsing.

They parse what people type (yuan, percent, local dates) into what services take (fen, basis
points, aware datetimes); the services decide whether the values make a valid task.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Skill, SkillCategory
from frontend.forms import RegionField
from marketplace.errors import DomainError
from marketplace.money import DEFAULT_CURRENCY, Money
from marketplace.terms import MilestoneTerms
from tasks.models import Task

# Chinese input methods type full-width digits, points and percent signs.
_FULL_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．％"}
_PERCENT = re.compile(r"^(?P<int>[0-9]{1,3})(?:\.(?P<frac>[0-9]{1,2}))?$")

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def parse_yuan(text: str, currency: str = DEFAULT_CURRENCY) -> int:
    """An amount typed in major units ("12,000.50", "１２０００") as minor units (fen)."""
    try:
        return Money.parse(text, currency).amount
    except DomainError as exc:
        raise forms.ValidationError(str(exc.message)) from None


def parse_share_bps(text: str) -> int:
    """A share typed in percent with up to two decimals ("33.33", "40%") as basis points,
    exactly: Decimal, never float."""
    raw = str(text).translate(_FULL_WIDTH).strip().removesuffix("%").strip()
    match = _PERCENT.match(raw)
    if not match:
        raise forms.ValidationError(
            _("Enter the share in percent, e.g. 40 or 33.33 (up to two decimals).")
        )
    bps = int(Decimal(raw) * 100)
    if not 0 < bps <= 10000:
        raise forms.ValidationError(_("A share is more than 0% and at most 100%."))
    return bps


def format_share(bps: int) -> str:
    """Basis points as the percent people type: 4000 → "40", 3333 → "33.33"."""
    whole, rest = divmod(bps, 100)
    return f"{whole}.{rest:02d}" if rest else str(whole)


class YuanField(forms.CharField):
    """An amount of money in yuan; cleans to fen (an int) with Money.parse."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        return parse_yuan(text)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TaskForm(forms.Form):
    """The task itself. Creating adds the organization; editing a draft leaves it fixed."""

    organization = forms.ModelChoiceField(
        label=_("Posting organization"),
        queryset=Organization.objects.none(),
        empty_label=None,
        help_text=_("The task is posted in this organization's name; its members can manage it."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of task"), choices=Task.Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_(
            "What needs to be done, in one line, e.g. “Machine-vision inspection of stamped parts”."
        ),
    )
    summary = forms.CharField(
        label=_("Public summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown to everyone in the task list, also before an NDA is accepted. "
            "At most 500 characters."
        ),
    )
    description = forms.CharField(
        label=_("Full description"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Background, scope, acceptance criteria and what is delivered. Markdown "
            "works: ## headings, **bold**, lists, tables, links."
        ),
    )
    budget_min = YuanField(label=_("Budget from"), help_text=_("In yuan, e.g. 50000."))
    budget_max = YuanField(label=_("Budget up to"), help_text=_("In yuan; at least the lower end."))
    bid_deadline = forms.DateTimeField(
        label=_("Bids close"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("Beijing time. At least an hour and at most 180 days from publishing."),
    )
    delivery_deadline = forms.DateField(
        label=_("Delivery deadline"),
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text=_("The date the whole work must be delivered by."),
    )
    region = RegionField(help_text=_("Where the work is done or delivered, if it matters."))
    visibility = forms.ChoiceField(
        label=_("Who may bid"),
        choices=Task.Visibility.choices,
        initial=Task.Visibility.PUBLIC,
        widget=forms.RadioSelect,
        help_text=_("Invited-only tasks are not listed; you invite providers on the draft's page."),
    )
    ip_terms = forms.ChoiceField(
        label=_("Intellectual property"),
        choices=Task.IpTerms.choices,
        initial=Task.IpTerms.TRANSFER,
        widget=forms.RadioSelect,
    )
    ip_terms_custom = forms.CharField(
        label=_("Custom IP terms"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only with “Custom terms”: who owns the results and what each side may do."),
    )
    nda_required = forms.BooleanField(
        label=_("Providers accept an NDA before reading the full description"),
        required=False,
        help_text=_(
            "The summary stays public; the description and confidential files open "
            "after the provider accepts the platform's standard NDA."
        ),
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def task_fields(self) -> dict[str, Any]:
        """The cleaned values under the names task_create / task_update take."""
        data = dict(self.cleaned_data)
        data.pop("organization", None)
        return data


class SkillWeightsForm(forms.Form):
    """One weight picker per skill of the taxonomy; empty means the task does not need it."""

    WEIGHTS = [
        ("", _("—")),
        (1, _("1 · nice to have")),
        (2, _("2 · useful")),
        (3, _("3 · important")),
        (4, _("4 · very important")),
        (5, _("5 · essential")),
    ]

    def __init__(
        self, *args: Any, groups: list[tuple[SkillCategory, list[Skill]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        self.skill_fields: dict[int, str] = {}
        for _category, skills in groups:
            for skill in skills:
                name = f"skill_{skill.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=skill.name,
                    choices=self.WEIGHTS,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.Select(
                        attrs={"aria-label": _("Weight of %(skill)s") % {"skill": skill.name}}
                    ),
                )
                self.skill_fields[skill.pk] = name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in self.skill_fields.values()):
            raise forms.ValidationError(_("Choose at least one skill the work needs."))
        return data

    def weights(self) -> dict[int, int]:
        return {
            skill_id: self.cleaned_data[name]
            for skill_id, name in self.skill_fields.items()
            if self.cleaned_data.get(name)
        }

    def picker(self) -> list[tuple[SkillCategory, list[forms.BoundField], int]]:
        """Each category with its bound fields and how many of them are chosen."""
        rows = []
        for category, skills in self.groups:
            fields = [self[self.skill_fields[skill.pk]] for skill in skills]
            rows.append((category, fields, sum(1 for f in fields if f.value())))
        return rows


class MilestonePlanForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    share = forms.CharField(
        label=_("Share of the budget (%)"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    due_days = forms.IntegerField(
        label=_("Due (days after start)"),
        min_value=1,
        max_value=5 * 366,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean_share(self) -> int:
        return parse_share_bps(self.cleaned_data["share"])


class BaseMilestonePlanFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Plan at least one milestone."),
        "too_many_forms": _("Plan at most %(num)d milestones."),
    }

    def milestones(self) -> list[MilestoneTerms]:
        """The rows kept (not deleted, not left blank), in order."""
        return [
            MilestoneTerms(
                title=form.cleaned_data["title"],
                share_bps=form.cleaned_data["share"],
                due_days=form.cleaned_data["due_days"],
            )
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("title") is not None
        ]


MilestonePlanFormSet = cast(
    type[BaseMilestonePlanFormSet],
    forms.formset_factory(
        MilestonePlanForm,
        formset=BaseMilestonePlanFormSet,
        extra=2,
        min_num=1,
        validate_min=True,
        max_num=20,
        validate_max=True,
        can_delete=True,
    ),
)
MILESTONE_PREFIX = "plan"


def plan_initial(task: Task) -> list[dict[str, Any]]:
    return [
        {"title": m.title, "share": format_share(m.share_bps), "due_days": m.due_days}
        for m in task.milestone_plan.all()
    ]


def task_initial(task: Task) -> dict[str, Any]:
    return {
        "kind": task.kind,
        "title": task.title,
        "summary": task.summary,
        "description": task.description,
        "budget_min": task.budget_min_money.major_str(),
        "budget_max": task.budget_max_money.major_str(),
        "bid_deadline": task.bid_deadline,
        "delivery_deadline": task.delivery_deadline,
        "region": task.region,
        "visibility": task.visibility,
        "ip_terms": task.ip_terms,
        "ip_terms_custom": task.ip_terms_custom,
        "nda_required": task.nda_required,
    }


def skill_initial(task: Task) -> dict[str, int]:
    return {f"skill_{ts.skill_id}": ts.weight for ts in task.skill_weights.all()}


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, Office or OpenDocument files, images, archives, STEP or DWG "
            "drawings, text; checked by content."
        ),
    )
    confidential = forms.BooleanField(
        label=_("Behind the NDA"),
        required=False,
        initial=True,
        help_text=_("Only people who may read the full description can download it."),
    )


class InviteSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a provider"),
        max_length=80,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": _("Name or number")}
        ),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the task cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bidders are told, with this reason."),
    )


SORT_CHOICES = [
    ("newest", _("Newest")),
    ("deadline", _("Closing soonest")),
    ("budget", _("Highest budget")),
]


class TaskFilterForm(forms.Form):
    """The filters of the task list (a GET form: every field optional)."""

    q = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Title, summary or organization")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Task.Kind.choices]
    )
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    region = RegionField()
    budget_from = YuanField(label=_("Budget from (¥)"), required=False, max_length=16)
    budget_to = YuanField(label=_("Budget up to (¥)"), required=False, max_length=16)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    closed = forms.BooleanField(label=_("Include closed and awarded tasks"), required=False)

    def __init__(
        self, *args: Any, groups: list[tuple[SkillCategory, list[Skill]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [  # type: ignore[attr-defined]
            ("", _("All skills")),
            *[
                (category.name, [(skill.slug, skill.name) for skill in skills])
                for category, skills in groups
            ],
        ]
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("All regions")),
            *[c for c in self.fields["region"].choices if c[0]],  # type: ignore[attr-defined]
        ]

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of tasks.selectors.tasks_browse."""
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "kind": data.get("kind") or "",
            "skill": data.get("skill") or "",
            "region": data.get("region") or "",
            "budget_from": data.get("budget_from"),
            "budget_to": data.get("budget_to"),
            "open_only": not data.get("closed"),
            "sort": data.get("sort") or "newest",
        }

    def is_filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        keys = ("q", "kind", "skill", "region", "budget_from", "budget_to", "closed")
        return any(data.get(k) for k in keys)
