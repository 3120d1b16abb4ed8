"""The provider's side of bidding: place or revise a bid, withdraw it, list my bids.

The poster's side (comparing, shortlisting, rejecting, awarding) is in bid_review.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from accounts.selectors import provider_profiles_operated_by
from bids import services as bid_services
from bids.models import Bid
from bids.selectors import (
    bid_capabilities,
    bid_eligibility,
    bid_of_user_for_task,
    bids_of_user,
    task_bidding_open,
)
from frontend.forms_bids import (
    BID_MILESTONE_PREFIX,
    BidForm,
    BidMilestoneFormSet,
    bid_initial,
    bid_milestones_initial,
    plan_milestones_initial,
)
from frontend.forms_errors import form_apply_domain_error
from frontend.views._helpers import paginate, signed_in_user
from frontend.views.tasks import task_or_404
from marketplace.errors import DomainError, NotAllowed
from tasks.models import Task


class BidForms:
    """The bid and its milestones, bound together, with the errors services return."""

    def __init__(
        self,
        data: Any = None,
        *,
        task: Task,
        providers: Any = None,
        bid: Bid | None = None,
    ) -> None:
        self.task_obj = task
        if bid is not None:
            initial: dict[str, Any] = bid_initial(bid)
            rows = bid_milestones_initial(bid)
        else:
            plan = plan_milestones_initial(task)
            initial = {"duration_days": plan[-1]["due_days"]} if plan else {}
            if providers is not None:
                initial["provider"] = providers.first()
            rows = plan
        self.bid = BidForm(data, providers=providers, initial=initial)
        self.milestones = BidMilestoneFormSet(
            data, prefix=BID_MILESTONE_PREFIX, initial=None if data is not None else rows
        )
        self.milestone_errors: list[str] = []

    def is_valid(self) -> bool:
        results = [self.bid.is_valid(), self.milestones.is_valid()]
        return all(results)

    def terms(self) -> dict[str, Any] | None:
        """The cleaned terms as bid_place / bid_revise take them, or None (errors are set)."""
        price = self.bid.cleaned_data["amount"]
        milestones = self.milestones.milestones(price=price, currency=self.task_obj.currency)
        if milestones is None:
            self.milestone_errors.append(
                _(
                    "Enter an amount for every milestone, or leave them all empty on the "
                    "task's planned milestones to split your price by the planned shares."
                )
            )
            return None
        return {
            "amount": price,
            "duration_days": self.bid.cleaned_data["duration_days"],
            "proposal": self.bid.cleaned_data["proposal"],
            "milestones": milestones,
        }

    def apply(self, exc: DomainError) -> None:
        fields = dict(exc.fields)
        self.milestone_errors += [str(m) for m in fields.pop("milestones", [])]
        if fields or not self.milestone_errors:
            form_apply_domain_error(self.bid, type(exc)(exc.message, code=exc.code, fields=fields))

    @property
    def has_errors(self) -> bool:
        return bool(
            self.bid.errors
            or any(self.milestones.errors)
            or self.milestones.non_form_errors()
            or self.milestone_errors
        )


def _eligible_providers(user: Any, task: Task) -> tuple[list[ProviderProfile], Any]:
    """The profiles the user may bid for on this task, and the reason when there is none."""
    operated = list(provider_profiles_operated_by(user=user).select_related("user", "organization"))
    verdicts = [(p, bid_eligibility(user=user, task=task, provider=p)) for p in operated]
    eligible = [p for p, verdict in verdicts if verdict.allowed]
    if eligible:
        return eligible, None
    reason = verdicts[0][1] if verdicts else bid_eligibility(user=user, task=task)
    return [], reason


@login_required
def bid_form(request: HttpRequest, task_id: int) -> HttpResponse:
    """Place a bid, or revise the live one (its history is shown beside the form)."""
    task = task_or_404(request, task_id)
    user = signed_in_user(request)
    latest = bid_of_user_for_task(user=user, task=task)
    live = latest if latest is not None and latest.is_live else None
    context: dict[str, Any] = {"task": task, "bid": live, "latest": latest}
    providers = None
    if live is None:
        eligible, reason = _eligible_providers(user, task)
        if reason is not None:
            context["eligibility"] = reason
            return render(request, "frontend/bids/form.html", context)
        providers = provider_profiles_operated_by(user=user).filter(pk__in=[p.pk for p in eligible])
        if len(eligible) == 1:
            context["single_provider"] = eligible[0]
            providers = None
    elif not bid_capabilities(user=user, bid=live).revise:
        context["closed"] = True
        context["revisions"] = list(live.revisions.order_by("-revision"))
        return render(request, "frontend/bids/form.html", context)

    status = 200
    if request.method == "POST":
        forms = BidForms(request.POST, task=task, providers=providers, bid=live)
        terms = forms.terms() if forms.is_valid() else None
        if terms is not None:
            try:
                if live is not None:
                    bid_services.bid_revise(actor=user, bid=live, **terms)
                else:
                    provider = (
                        forms.bid.cleaned_data["provider"]
                        if providers is not None
                        else context["single_provider"]
                    )
                    bid_services.bid_place(actor=user, task=task, provider=provider, **terms)
            except DomainError as exc:
                forms.apply(exc)
                status = 403 if isinstance(exc, NotAllowed) else 400
            else:
                messages.success(
                    request,
                    _("Your bid is revised. The poster sees the new terms.")
                    if live is not None
                    else _("Your bid is in. It is sealed: only the poster sees your price."),
                )
                if terms["amount"] > task.budget_max:
                    # Allowed (the poster may still choose it), but said plainly.
                    messages.warning(
                        request,
                        _(
                            "Your price is above the poster's budget of up to %(max)s. "
                            "Say in your proposal why the work needs it."
                        )
                        % {"max": task.budget_max_money.format()},
                    )
                return redirect("frontend:task_detail", task_id=task.pk)
        if status == 200:
            status = 400
    else:
        forms = BidForms(task=task, providers=providers, bid=live)
    context.update(
        form=forms.bid,
        milestones=forms.milestones,
        milestone_errors=[*forms.milestones.non_form_errors(), *forms.milestone_errors],
        has_errors=forms.has_errors,
        plan=list(task.milestone_plan.all()),
        revisions=list(live.revisions.order_by("-revision")) if live else [],
    )
    return render(request, "frontend/bids/form.html", context, status=status)


@login_required
def bid_withdraw(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_or_404(request, task_id)
    user = signed_in_user(request)
    bid = bid_of_user_for_task(user=user, task=task)
    if bid is None or not bid_capabilities(user=user, bid=bid).withdraw:
        raise Http404
    if request.method == "POST":
        try:
            bid_services.bid_withdraw(actor=user, bid=bid)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Your bid is withdrawn. You can bid again while bidding is open.")
                if task_bidding_open(task)
                else _("Your bid is withdrawn."),
            )
        return redirect("frontend:task_detail", task_id=task.pk)
    return render(request, "frontend/bids/withdraw.html", {"task": task, "bid": bid})


@login_required
def my_bids(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = paginate(request, bids_of_user(user=user))
    return render(
        request,
        "frontend/bids/mine.html",
        {
            "page_obj": page,
            "several_providers": provider_profiles_operated_by(user=user).count() > 1,
            "has_provider": provider_profiles_operated_by(user=user).exists(),
        },
    )
