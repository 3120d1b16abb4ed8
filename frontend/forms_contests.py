"""Forms of the contest pages: posting (the task's own fields, then prizes, criteria and
phases), a submission, a scorecard, the winners' confirmation, an objection, a reviewer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from contests.models import Criterion
from frontend.forms_contracts import MultipleFileField
from frontend.forms_tasks import DATETIME_LOCAL, DateTimeLocalInput, TaskForm, YuanField, parse_yuan
from marketplace.errors import DomainError

_DT_FORMATS = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _phase(label: Any, help_text: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=DateTimeLocalInput(), input_formats=_DT_FORMATS, help_text=help_text
    )


class ContestForm(TaskForm):
    """The task's own fields (no budget or bid deadline: the prize and the phases say them),
    then the prize ladder, the criteria and the phases."""

    PRIZE_LADDER = "ladder"
    PRIZE_EQUAL = "equal"

    prize_total = YuanField(
        label=_("Total prize"), help_text=_("In yuan: all of it is paid into escrow up front.")
    )
    prize_kind = forms.ChoiceField(
        label=_("Prizes"),
        choices=[(PRIZE_LADDER, _("A ladder: 1st, 2nd, 3rd…")), (PRIZE_EQUAL, _("Equal prizes"))],
        initial=PRIZE_LADDER,
        widget=forms.RadioSelect,
    )
    prizes = forms.CharField(
        label=_("Prize ladder"),
        required=False,
        max_length=400,
        help_text=_("In yuan, 1st place first, separated by commas: 60000, 30000, 10000."),
    )
    equal_count = forms.IntegerField(
        label=_("Number of equal prizes"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=_("The total is split into this many equal prizes."),
    )
    criteria = forms.CharField(
        label=_("Scoring criteria"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, name and weight in percent: “Accuracy: 60”. Weights add up "
                    "to 100."),
    )  # fmt: skip
    pass_mark = forms.IntegerField(
        label=_("Pass mark"),
        initial=0,
        min_value=0,
        max_value=100,
        help_text=_("A winner must score at least this (0-100)."),
    )
    guaranteed = forms.BooleanField(
        label=_("Guaranteed: a winner is always paid"),
        required=False,
        initial=True,
        help_text=_("Otherwise, if no submission reaches the pass mark, the prize returns after "
                    "review, less the fee below."),
    )  # fmt: skip
    return_fee_percent = forms.DecimalField(
        label=_("Fee kept on a return (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=0,
        help_text=_("Only for a contest that is not guaranteed."),
    )
    blind = forms.BooleanField(
        label=_("Blind: I see no submission before submissions close"),
        required=False,
    )
    registration_opens = _phase(_("Registration opens"), _("Beijing time."))
    submission_closes = _phase(_("Submissions close"), _("At least an hour from now."))
    review_closes = _phase(_("Review closes"), _("Reviewers score until then."))
    objection_closes = _phase(
        _("Objections close"), _("The provisional winners are public until then.")
    )
    announce_at = _phase(_("Announcement and payment"), _("At or after the objections close."))

    field_order = ["organization", "kind", "title", "summary", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("budget_min", "budget_max", "bid_deadline", "delivery_deadline"):
            del self.fields[name]
        self.fields["visibility"].label = _("Who may take part")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total = data.get("prize_total")
        if data.get("prize_kind") == self.PRIZE_EQUAL:
            count = data.get("equal_count")
            if not count:
                self.add_error("equal_count", _("How many equal prizes?"))
            elif total and total % count:
                self.add_error("equal_count", _("The total does not split into that many."))
            elif total:
                data["prize_list"] = [total // count] * count
        else:
            try:
                data["prize_list"] = [
                    parse_yuan(part)
                    for part in (data.get("prizes") or "").split(",")
                    if part.strip()
                ]
            except (DomainError, forms.ValidationError):
                self.add_error("prizes", _("Enter amounts in yuan separated by commas."))
        rows: list[tuple[str, int]] = []
        for line in (data.get("criteria") or "").splitlines():
            if not line.strip():
                continue
            name, sep, weight = line.replace("：", ":").rpartition(":")
            if not sep or not weight.strip().isdigit():
                self.add_error("criteria", _("Write each line as “name: weight”."))
                break
            rows.append((name.strip(), int(weight.strip())))
        data["criteria_list"] = rows
        return data

    def contest_fields(self) -> dict[str, Any]:
        """The cleaned values under the names contests.services.contest_create takes."""
        d = self.cleaned_data
        fee = d.get("return_fee_percent") or 0
        return {
            "kind": d["kind"],
            "title": d["title"],
            "summary": d["summary"],
            "description": d["description"],
            "region": d.get("region") or "",
            "visibility": d["visibility"],
            "ip_terms": d["ip_terms"],
            "ip_terms_custom": d.get("ip_terms_custom") or "",
            "nda_required": d.get("nda_required", False),
            "prize_total": d.get("prize_total") or 0,
            "prizes": d.get("prize_list", []),
            "criteria": d.get("criteria_list", []),
            "pass_mark": d.get("pass_mark") or 0,
            "guaranteed": d.get("guaranteed", False),
            "return_fee_bps": int(fee * 100),
            "blind": d.get("blind", False),
            "registration_opens": d["registration_opens"],
            "submission_closes": d["submission_closes"],
            "review_closes": d["review_closes"],
            "objection_closes": d["objection_closes"],
            "announce_at": d["announce_at"],
        }


class SubmissionForm(forms.Form):
    title = forms.CharField(label=_("Title of your solution"), max_length=120)
    note = forms.CharField(
        label=_("Description"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you submit and how it meets the criteria."),
    )
    attachments = MultipleFileField(
        label=_("Files"),
        required=True,
        help_text=_("Up to 10 files; each one's SHA-256 and the time received are recorded."),
    )


class ScorecardForm(forms.Form):
    """One score field per criterion, 0-100, and a comment."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} ({criterion.weight}%)",
                min_value=0,
                max_value=100,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        self.order_fields([f"c{c.pk}" for c in criteria] + ["comment"])

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class WinnersForm(forms.Form):
    """A choice of submission per prize rank (1st first) and a reason for a changed order."""

    reason = forms.CharField(
        label=_("Reason for a change to the computed order"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, ranks: int, choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ranks = ranks
        for rank in range(1, ranks + 1):
            self.fields[f"rank{rank}"] = forms.ChoiceField(
                label=_("Prize %(rank)d") % {"rank": rank},
                choices=[("", _("— no winner —")), *choices],
                required=rank == 1,
            )
        self.order_fields([f"rank{r}" for r in range(1, ranks + 1)] + ["reason"])

    def submission_ids(self) -> list[int]:
        ids = []
        for rank in range(1, self.ranks + 1):
            value = self.cleaned_data.get(f"rank{rank}")
            if not value:
                break
            ids.append(int(value))
        return ids


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Your objection"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is wrong with the result, and why. A moderator or mediator decides."),
    )


class ReviewerForm(forms.Form):
    email = forms.EmailField(
        label=_("Reviewer's email"),
        help_text=_("A member of your organization, or an outside expert who accepts the role."),
    )
