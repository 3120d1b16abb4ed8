"""Forms of the piece-work pages: posting (the task's own fields, then the unit and its
terms), a claim, a delivered unit, a rejection."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.forms_contracts import MultipleFileField
from frontend.forms_tasks import DATETIME_LOCAL, DateTimeLocalInput, TaskForm, YuanField
from piecework.models import MAX_REVIEW_DAYS

_DT_FORMATS = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class PieceworkForm(TaskForm):
    """The task's own fields (no budget or bid deadline: units × price and the deadline say
    them), then the unit, its price, the number of units, the cap and the review window."""

    unit_name = forms.CharField(
        label=_("Unit"),
        max_length=80,
        help_text=_("What providers deliver one at a time, e.g. “one labelled image set”."),
    )
    unit_description = forms.CharField(
        label=_("What one unit is"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The acceptance standard of a single unit."),
    )
    unit_price = YuanField(label=_("Unit price"), help_text=_("In yuan, paid per accepted unit."))
    units_total = forms.IntegerField(label=_("Number of units"), min_value=1, max_value=10_000)
    per_provider_cap = forms.IntegerField(
        label=_("Units per provider at most"),
        min_value=1,
        help_text=_("No provider may hold more at once; at most the number of units."),
    )
    review_days = forms.IntegerField(
        label=_("Review window (days)"),
        initial=3,
        min_value=1,
        max_value=MAX_REVIEW_DAYS,
        help_text=_("A delivered unit you do not decide within this many days is accepted."),
    )
    closes_at = forms.DateTimeField(
        label=_("Claims and deliveries close"),
        widget=DateTimeLocalInput(),
        input_formats=_DT_FORMATS,
        help_text=_("Beijing time, at least an hour from now."),
    )

    field_order = ["organization", "kind", "title", "summary", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("budget_min", "budget_max", "bid_deadline", "delivery_deadline"):
            del self.fields[name]
        self.fields["visibility"].label = _("Who may take part")

    def piecework_fields(self) -> dict[str, Any]:
        """The cleaned values under the names piecework.services.piecework_create takes."""
        d = self.cleaned_data
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
            "unit_name": d["unit_name"],
            "unit_description": d["unit_description"],
            "unit_price": d.get("unit_price") or 0,
            "units_total": d["units_total"],
            "per_provider_cap": d["per_provider_cap"],
            "review_days": d["review_days"],
            "closes_at": d["closes_at"],
        }


class ClaimForm(forms.Form):
    units = forms.IntegerField(label=_("Units to claim"), min_value=1, initial=1)


class UnitDeliveryForm(forms.Form):
    note = forms.CharField(
        label=_("Note on the delivered unit"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(label=_("Files"), required=True)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        min_length=5,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The provider reads it; the unit becomes claimable again."),
    )
