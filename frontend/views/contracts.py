"""Contracts: mine, the contract page, delivering, deciding on deliveries, reviews, downloads.

Who may do what is decided by the capability selector (contracts.selectors.ContractViewer) and
enforced by contracts.services; these views ask them, render, and turn domain errors into form
errors (bad input), messages (wrong state) or 403/404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contests.selectors import winner_of_contract
from contracts import selectors, services
from contracts.models import Contract, Delivery, Milestone, Review
from contracts.selectors import REVIEW_BLIND_DAYS, ContractViewer, Step, reviews_public
from contracts.states import MILESTONE, MILESTONE_DONE
from disputes.selectors import disputes_of_milestones
from frontend.forms_contracts import ChangesForm, DeliveryForm, ReviewForm
from frontend.forms_errors import form_apply_domain_error
from frontend.views._helpers import paginate
from marketplace.budgets import Budget
from marketplace.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from marketplace.files import file_download
from marketplace.money import Money

M = Milestone.Status
C = Contract.Status

# The list's tabs: query value -> the contract statuses it shows (empty: all).
CURRENT = (C.AWAITING_FUNDING, C.ACTIVE)
TABS: dict[str, tuple[str, ...]] = {"current": CURRENT, "completed": (C.COMPLETED,), "all": ()}


# --- my contracts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    side: str | None
    accepted: int
    total: int
    step: Step

    @property
    def counterparty(self) -> str:
        if self.side == "provider":
            return self.contract.organization.name
        return self.contract.provider.display_name


def contract_rows(*, user: Any, contracts: Iterable[Contract]) -> list[ContractRow]:
    """Each contract with the viewer's side, its progress and what happens next. The contracts
    must come with their milestones and reviews prefetched (selectors.contracts_with_progress)."""
    viewer = ContractViewer.of(user)
    rows = []
    for contract in contracts:
        milestones = list(contract.milestones.all())
        capabilities = viewer.capabilities(contract)
        reviewed = any(r.side == capabilities.side for r in contract.reviews.all())
        accepted, total = selectors.milestone_progress(milestones)
        rows.append(
            ContractRow(
                contract=contract,
                side=capabilities.side,
                accepted=accepted,
                total=total,
                step=capabilities.next_step(milestones=milestones, reviewed=reviewed),
            )
        )
    return rows


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "current")
    if tab not in TABS:
        tab = "current"
    contracts = selectors.contracts_for_user(user=request.user)
    counts = {
        name: contracts.filter(status__in=statuses).count() if statuses else contracts.count()
        for name, statuses in TABS.items()
    }
    if TABS[tab]:
        contracts = contracts.filter(status__in=TABS[tab])
    page = paginate(request, selectors.contracts_with_progress(contracts))
    context = {
        "tab": tab,
        "counts": counts,
        "page_obj": page,
        "rows": contract_rows(user=request.user, contracts=page.object_list),
    }
    return render(request, "frontend/contracts/list.html", context)


# --- the contract page ----------------------------------------------------------------------------


@dataclass
class MilestoneView:
    milestone: Milestone
    deliveries: list[Delivery]
    can_deliver: bool = False
    can_decide: bool = False
    deliver_form: DeliveryForm | None = None
    # The first milestone to deliver shows its form; later ones open it on demand.
    deliver_open: bool = False
    changes_form: ChangesForm | None = None
    rounds_left: int = 0
    show_changes: bool = False
    can_dispute: bool = False
    dispute: Any = None

    @property
    def latest(self) -> Delivery | None:
        return self.deliveries[-1] if self.deliveries else None

    @property
    def earlier(self) -> list[Delivery]:
        return list(reversed(self.deliveries[:-1]))

    @property
    def overdue(self) -> bool:
        due = self.milestone.due_date
        return bool(
            due is not None
            and due < timezone.localdate()
            and (
                MILESTONE.can(self.milestone.status, "submit")
                or self.milestone.status == M.AWAITING_FUNDING
            )
        )


@dataclass(frozen=True)
class Stage:
    """One stage of the contract's life, for the progress strip at the top of its page."""

    label: str | Promise
    state: str  # "done", "current" or "todo"
    when: dt.datetime | None = None


def contract_stages(contract: Contract, *, reviewed: bool) -> list[Stage]:
    funded = contract.started_at is not None
    completed = contract.status == C.COMPLETED

    def state(done: bool, current: bool) -> str:
        return "done" if done else ("current" if current else "todo")

    return [
        Stage(_("Awarded"), "done", contract.created_at),
        Stage(
            _("Escrow funded"),
            state(funded, contract.status == C.AWAITING_FUNDING),
            contract.started_at,
        ),
        Stage(_("Work and deliveries"), state(completed, contract.status == C.ACTIVE)),
        Stage(_("Completed"), state(completed, False), contract.completed_at),
        Stage(_("Reviews"), state(completed and reviewed, completed)),
    ]


@dataclass
class Forms:
    """Bound forms that failed, to show again with their errors."""

    deliver: dict[int, DeliveryForm] = field(default_factory=dict)
    changes: dict[int, ChangesForm] = field(default_factory=dict)
    review: ReviewForm | None = None


def _contract_or_404(request: HttpRequest, contract_id: int) -> Contract:
    try:
        return selectors.contract_get_for_user(user=request.user, contract_id=contract_id)
    except NotFound:
        raise Http404 from None


def _milestone_or_404(request: HttpRequest, contract: Contract, milestone_id: int) -> Milestone:
    """The milestone, only if it belongs to the contract in the URL (an id from another
    contract is a 404 like any unknown id)."""
    try:
        milestone = selectors.milestone_get_for_user(user=request.user, milestone_id=milestone_id)
    except NotFound:
        raise Http404 from None
    if milestone.contract_id != contract.pk:
        raise Http404
    return milestone


def _contract_url(contract: Contract, anchor: str = "") -> str:
    url = reverse("frontend:contract_detail", args=[contract.pk])
    return f"{url}#{anchor}" if anchor else url


def _reviews_context(
    contract: Contract, side: str | None, forms: Forms, written: list[Review], can_write: bool
) -> dict[str, Any]:
    """The reviews the viewer may read (the public ones and their own side's) and, until their
    side has written one, the review form. Reviews exist only on completed contracts."""
    if contract.status != C.COMPLETED:
        return {}
    public = list(reviews_public(contract_ids=[contract.pk])) if written else []
    mine = next((r for r in written if r.side == side), None) if side else None
    visible = {r.pk: r for r in public}
    if mine is not None:
        visible[mine.pk] = mine
    reveal_on = None
    if contract.completed_at is not None:
        reveal_on = contract.completed_at + dt.timedelta(days=REVIEW_BLIND_DAYS)
    review_form = None
    if can_write:
        review_form = forms.review or ReviewForm(side=side or "poster", auto_id="id_review_%s")
    return {
        "reviews": sorted(visible.values(), key=lambda r: (r.side != side, r.created_at)),
        "my_review": mine,
        "others_hidden": mine is not None and len(visible) < 2,
        "reveal_on": reveal_on,
        "review_form": review_form,
    }


def _render_detail(
    request: HttpRequest, contract: Contract, forms: Forms | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or Forms()
    capabilities = selectors.contract_capabilities(user=request.user, contract=contract)
    side = capabilities.side
    max_rounds = int(settings.MARKETPLACE["MAX_CHANGE_ROUNDS"])
    milestones = selectors.contract_milestones(contract=contract)
    views = []
    opened = False
    disputes = disputes_of_milestones(milestone_ids=[m.pk for m in milestones])
    for milestone in milestones:
        view = MilestoneView(
            milestone=milestone,
            deliveries=list(milestone.deliveries.all()),
            rounds_left=max(0, max_rounds - milestone.change_rounds),
            can_dispute=capabilities.can_dispute(milestone),
            dispute=disputes.get(milestone.pk),
        )
        if capabilities.can_deliver(milestone):
            view.can_deliver = True
            view.deliver_form = forms.deliver.get(milestone.pk) or DeliveryForm(
                auto_id=f"id_m{milestone.pk}_%s"
            )
            view.deliver_open = milestone.pk in forms.deliver or not (opened or forms.deliver)
            opened = True
        if capabilities.can_accept(milestone):
            view.can_decide = True
            view.changes_form = forms.changes.get(milestone.pk) or ChangesForm(
                auto_id=f"id_m{milestone.pk}_%s"
            )
            view.show_changes = milestone.pk in forms.changes
        views.append(view)
    accepted = [m for m in milestones if m.status in MILESTONE_DONE]
    written = list(contract.reviews.all())
    reviewed = side is not None and any(r.side == side for r in written)
    can_write_review = capabilities.can_review(reviewed_sides=[r.side for r in written])
    started = contract.started_at
    context = {
        "contract": contract,
        "prize_record": winner_of_contract(contract_id=contract.pk)
        if contract.mode == Contract.Mode.CONTEST
        else None,
        "task": contract.task,
        "poster": contract.organization,
        "provider": contract.provider,
        "side": side,
        "staff_view": side is None and capabilities.staff_reader,
        "can_decide_any": capabilities.decides,
        "milestones": views,
        "accepted_count": len(accepted),
        "milestone_count": len(milestones),
        "accepted_amount": sum((m.amount_money for m in accepted), Money.zero(contract.currency)),
        "ends_on": (
            timezone.localdate(started) + dt.timedelta(days=contract.duration_days)
            if started
            else None
        ),
        "max_rounds": max_rounds,
        "review_window_days": settings.MARKETPLACE["REVIEW_WINDOW_DAYS"],
        "stages": contract_stages(contract, reviewed=reviewed),
        "step": capabilities.next_step(milestones=milestones, reviewed=reviewed),
        **_reviews_context(contract, side, forms, written, can_write_review),
    }
    return render(request, "frontend/contracts/detail.html", context, status=status)


# A hot path: its budget (tests/test_hot_path_budgets.py), SQL statements and Redis commands.
# +4 since disputes and the funding sources (issues 10 and 7): to be worked back down.
# 14 → 13: the capabilities ask the memberships read once per request (ContractViewer), not
# the organizations again.
CONTRACT_PAGE_BUDGET = Budget(queries=13, redis=0)


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _render_detail(request, _contract_or_404(request, contract_id))


def _refused(request: HttpRequest, contract: Contract, exc: DomainError, anchor: str) -> Any:
    """A state the action does not fit (already decided, not funded, rounds used up, reviewed
    twice): say why on the contract page. Not allowed is a 403."""
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(str(exc.message))
    messages.error(request, str(exc.message))
    return HttpResponseRedirect(_contract_url(contract, anchor))


@login_required
@require_POST
def milestone_deliver(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    contract = _contract_or_404(request, contract_id)
    milestone = _milestone_or_404(request, contract, milestone_id)
    if selectors.contract_capabilities(user=request.user, contract=contract).side != "provider":
        raise PermissionDenied
    anchor = f"milestone-{milestone.position}"
    form = DeliveryForm(request.POST, request.FILES, auto_id=f"id_m{milestone.pk}_%s")
    if form.is_valid():
        try:
            delivery = services.milestone_submit(
                actor=request.user,
                milestone=milestone,
                note=form.cleaned_data["note"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationFailed as exc:
            form_apply_domain_error(form, exc)
        except DomainError as exc:
            return _refused(request, contract, exc, anchor)
        else:
            messages.success(
                request,
                _("Milestone %(n)d is delivered (round %(round)d). The poster has been notified.")
                % {"n": milestone.position, "round": delivery.round},
            )
            return HttpResponseRedirect(_contract_url(contract, anchor))
    if not MILESTONE.can(milestone.status, "submit"):
        # The form is not on the page for this milestone: say it at the top instead.
        messages.error(request, _("This milestone cannot be delivered now."))
        return HttpResponseRedirect(_contract_url(contract, anchor))
    return _render_detail(request, contract, Forms(deliver={milestone.pk: form}), status=400)


@login_required
@require_POST
def milestone_accept(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    contract = _contract_or_404(request, contract_id)
    milestone = _milestone_or_404(request, contract, milestone_id)
    if not selectors.contract_capabilities(user=request.user, contract=contract).decides:
        raise PermissionDenied
    anchor = f"milestone-{milestone.position}"
    try:
        services.milestone_accept(actor=request.user, milestone=milestone)
    except DomainError as exc:
        return _refused(request, contract, exc, anchor)
    contract.refresh_from_db(fields=["status"])
    if contract.status == C.COMPLETED:
        messages.success(
            request,
            _("Milestone %(n)d is accepted and the contract is complete. Please leave a review.")
            % {"n": milestone.position},
        )
        anchor = "reviews"
    else:
        messages.success(
            request,
            _("Milestone %(n)d is accepted; its payment is due to the provider.")
            % {"n": milestone.position},
        )
    return HttpResponseRedirect(_contract_url(contract, anchor))


@login_required
@require_POST
def milestone_request_changes(
    request: HttpRequest, contract_id: int, milestone_id: int
) -> HttpResponse:
    contract = _contract_or_404(request, contract_id)
    milestone = _milestone_or_404(request, contract, milestone_id)
    if not selectors.contract_capabilities(user=request.user, contract=contract).decides:
        raise PermissionDenied
    anchor = f"milestone-{milestone.position}"
    form = ChangesForm(request.POST, auto_id=f"id_m{milestone.pk}_%s")
    if form.is_valid():
        try:
            services.milestone_request_changes(
                actor=request.user, milestone=milestone, feedback=form.cleaned_data["feedback"]
            )
        except ValidationFailed as exc:
            form_apply_domain_error(form, exc)
        except DomainError as exc:
            return _refused(request, contract, exc, anchor)
        else:
            messages.success(
                request,
                _("Your feedback on milestone %(n)d is sent to the provider.")
                % {"n": milestone.position},
            )
            return HttpResponseRedirect(_contract_url(contract, anchor))
    if not MILESTONE.can(milestone.status, "request_changes"):
        messages.error(request, _("There is no delivery in review on this milestone."))
        return HttpResponseRedirect(_contract_url(contract, anchor))
    return _render_detail(request, contract, Forms(changes={milestone.pk: form}), status=400)


@login_required
@require_POST
def contract_review(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract_or_404(request, contract_id)
    capabilities = selectors.contract_capabilities(user=request.user, contract=contract)
    side = capabilities.side
    if side is None or not capabilities.may_write_review:
        raise PermissionDenied
    form = ReviewForm(request.POST, side=side, auto_id="id_review_%s")
    if contract.status != C.COMPLETED:
        messages.error(request, _("Reviews open when the contract is completed."))
        return HttpResponseRedirect(_contract_url(contract))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.review_submit(
                actor=request.user,
                contract=contract,
                rating=data["rating"],
                quality=data["quality"],
                communication=data["communication"],
                timeliness=data["timeliness"],
                comment=data["comment"],
            )
        except ValidationFailed as exc:
            form_apply_domain_error(form, exc)
        except DomainError as exc:
            return _refused(request, contract, exc, "reviews")
        else:
            messages.success(request, _("Thank you, your review is saved."))
            return HttpResponseRedirect(_contract_url(contract, "reviews"))
    if any(r.side == side for r in contract.reviews.all()):
        messages.error(request, _("Your side has already reviewed this contract."))
        return HttpResponseRedirect(_contract_url(contract, "reviews"))
    return _render_detail(request, contract, Forms(review=form), status=400)


@login_required
def delivery_file_download(request: HttpRequest, file_id: int) -> FileResponse:
    """A delivered file, to the two sides of its contract (and staff), as an attachment under
    its original name with the type its content was detected as; never rendered or sniffed."""
    try:
        delivered = selectors.delivery_file_get_for_user(user=request.user, file_id=file_id)
    except NotFound:
        raise Http404 from None
    return file_download(
        stored=delivered.file, name=delivered.original_name, content_type=delivered.content_type
    )
