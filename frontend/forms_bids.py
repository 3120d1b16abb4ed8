"""Forms of the bid pages: a bid with its milestones, and the poster's decisions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderProfile
from bids.models import Bid
from frontend.forms_tasks import YuanField
from marketplace.money import Money
from marketplace.terms import MilestoneTerms
from tasks.models import Task


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        profile: ProviderProfile = obj
        if profile.is_firm:
            return str(_("%(name)s (micro-firm)") % {"name": profile.display_name})
        return str(_("%(name)s (yourself)") % {"name": profile.display_name})


class BidForm(forms.Form):
    provider = ProviderChoiceField(
        label=_("Bid as"),
        queryset=ProviderProfile.objects.none(),
        empty_label=None,
        help_text=_("You can bid for yourself or for a micro-firm you own or administer."),
    )
    amount = YuanField(
        label=_("Your price"),
        help_text=_("The total for the whole work, in yuan. Sealed: only the poster sees it."),
    )
    duration_days = forms.IntegerField(
        label=_("Duration (days)"),
        min_value=1,
        max_value=5 * 365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Calendar days from the start of the work to the last delivery."),
    )
    proposal = forms.CharField(
        label=_("Proposal"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Your approach, relevant experience and what you need from the poster. "
            "At least 20 characters."
        ),
    )

    def __init__(
        self, *args: Any, providers: QuerySet[ProviderProfile] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if providers is None:
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = providers  # type: ignore[attr-defined]


class BidMilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    amount = YuanField(label=_("Amount (¥)"), required=False)
    due_days = forms.IntegerField(
        label=_("Due (days after start)"),
        min_value=1,
        max_value=5 * 365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    # The task's planned share for this row, when it came from the plan: an empty amount is
    # then that share of the price.
    share_bps = forms.IntegerField(
        required=False, min_value=1, max_value=10000, widget=forms.HiddenInput
    )


class BaseBidMilestoneFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Propose at least one milestone."),
        "too_many_forms": _("Propose at most %(num)d milestones."),
    }

    def rows(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("title") is not None
        ]

    def milestones(self, *, price: int | None, currency: str) -> list[MilestoneTerms] | None:
        """The proposed milestones in fen. Amounts left empty on rows that came from the task's
        plan are the plan's shares of the price (the last takes the rounding remainder); None
        when an amount is missing and cannot be derived that way."""
        rows = self.rows()
        amounts: list[int | None] = [row.get("amount") for row in rows]
        if any(a is None for a in amounts):
            shares = [row.get("share_bps") for row in rows]
            if price is None or any(s is None for s in shares) or sum(shares) != 10000:  # type: ignore[arg-type]
                return None
            money = Money(price, currency)
            derived = [money.basis_points(s).amount for s in shares[:-1]]  # type: ignore[arg-type]
            derived.append(price - sum(derived))
            amounts = [a if a is not None else d for a, d in zip(amounts, derived, strict=True)]
        return [
            MilestoneTerms(title=row["title"], amount=amount, due_days=row["due_days"])
            for row, amount in zip(rows, amounts, strict=True)
            if amount is not None
        ]


BidMilestoneFormSet = cast(
    type[BaseBidMilestoneFormSet],
    forms.formset_factory(
        BidMilestoneForm,
        formset=BaseBidMilestoneFormSet,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=20,
        validate_max=True,
        can_delete=True,
    ),
)
BID_MILESTONE_PREFIX = "ms"


def bid_initial(bid: Bid) -> dict[str, Any]:
    return {
        "provider": bid.provider_id,
        "amount": bid.amount_money.major_str(),
        "duration_days": bid.duration_days,
        "proposal": bid.proposal,
    }


def bid_milestones_initial(bid: Bid) -> list[dict[str, Any]]:
    return [
        {
            "title": m.title,
            "amount": Money(m.amount, bid.currency).major_str(),
            "due_days": m.due_days,
        }
        for m in bid.milestones.all()
    ]


def plan_milestones_initial(task: Task) -> list[dict[str, Any]]:
    """The task's planned milestones as a starting point: titles, days and shares."""
    return [
        {"title": m.title, "due_days": m.due_days, "share_bps": m.share_bps}
        for m in task.milestone_plan.all()
    ]


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the bidder"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional; the bidder sees it with the decision."),
    )
