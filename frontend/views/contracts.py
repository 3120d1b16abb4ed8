"""Contracts: mine, the contract page, delivering, deciding on deliveries, reviews, downloads.

Who may do what is decided by tasks.selectors and tasks.services; these views ask them, render,
and turn domain errors into form errors (bad input), messages (wrong state) or 403/404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import (
    MANAGER_ROLES,
    organizations_with_role_for_user,
    provider_profile_ids_operated_by,
)
from frontend.forms_contracts import ChangesForm, DeliveryForm, ReviewForm
from frontend.forms_errors import form_apply_domain_error
from frontend.views._helpers import paginate
from marketplace.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from marketplace.files import file_download
from marketplace.money import Money
from tasks import reputation, selectors, services
from tasks.models import Contract, Delivery, Milestone, Review

M = Milestone.Status
C = Contract.Status
DONE = (M.ACCEPTED, M.RELEASED)
TO_DELIVER = (M.FUNDED, M.CHANGES_REQUESTED)

# The list's tabs: query value -> the contract statuses it shows (empty: all).
CURRENT = (C.AWAITING_FUNDING, C.ACTIVE)
TABS: dict[str, tuple[str, ...]] = {"current": CURRENT, "completed": (C.COMPLETED,), "all": ()}


# --- who the viewer is on a contract --------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The signed-in user's relation to contracts, from two lookups for any number of them
    (what selectors.contract_side and user_can_manage_task decide one contract at a time)."""

    roles: dict[int, str]  # organization id -> the user's role in it
    provider_ids: frozenset[int]
    is_staff: bool

    @classmethod
    def of(cls, user: Any) -> Viewer:
        roles = {
            o.pk: getattr(o, "my_role", "") for o in organizations_with_role_for_user(user=user)
        }
        return cls(
            roles=roles,
            provider_ids=frozenset(provider_profile_ids_operated_by(user=user)),
            is_staff=bool(user.is_staff),
        )

    def side(self, contract: Contract) -> str | None:
        if contract.organization_id in self.roles:
            return "poster"
        if contract.provider_id in self.provider_ids:
            return "provider"
        return None

    def can_decide(self, contract: Contract) -> bool:
        """Owners and admins of the poster organization accept deliveries and ask for changes."""
        return self.roles.get(contract.organization_id) in MANAGER_ROLES

    def can_deliver(self, contract: Contract) -> bool:
        return self.side(contract) == "provider"


# --- what happens next ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """The next thing that happens on a contract, from the viewer's side. `mine` marks steps
    that wait for the viewer."""

    text: str | Promise
    mine: bool = False
    anchor: str = ""


def _first(milestones: Iterable[Milestone], statuses: Sequence[str]) -> Milestone | None:
    return next((m for m in milestones if m.status in statuses), None)


def next_step(
    *,
    contract: Contract,
    milestones: Sequence[Milestone],
    side: str | None,
    can_decide: bool,
    reviewed: bool,
) -> Step:
    if contract.status == C.CANCELLED:
        return Step(_("Cancelled before work started"))
    if contract.status == C.AWAITING_FUNDING:
        if side == "provider":
            return Step(_("Waiting for the poster to fund the escrow"), anchor="funding")
        return Step(_("Waiting for the escrow to be funded"), anchor="funding")
    if contract.status == C.COMPLETED:
        if side is None:
            return Step(_("Completed"))
        if not reviewed:
            return Step(_("Leave your review"), mine=True, anchor="reviews")
        return Step(_("Completed: every milestone is accepted and your review is in"))
    disputed = _first(milestones, (M.DISPUTED,))
    if disputed is not None:
        return Step(
            _("Milestone %(n)d is in dispute") % {"n": disputed.position},
            anchor=f"milestone-{disputed.position}",
        )
    in_review = _first(milestones, (M.SUBMITTED,))
    to_deliver = _first(milestones, TO_DELIVER)
    unfunded = _first(milestones, (M.AWAITING_FUNDING,))
    if side == "provider" and to_deliver is not None:
        text = (
            _("Revise and deliver milestone %(n)d again")
            if to_deliver.status == M.CHANGES_REQUESTED
            else _("Deliver milestone %(n)d")
        )
        return Step(
            text % {"n": to_deliver.position},
            mine=True,
            anchor=f"milestone-{to_deliver.position}",
        )
    if in_review is not None:
        anchor = f"milestone-{in_review.position}"
        if side == "poster" and can_decide:
            return Step(
                _("Review the delivery of milestone %(n)d") % {"n": in_review.position},
                mine=True,
                anchor=anchor,
            )
        if side == "poster":
            return Step(
                _("Milestone %(n)d awaits a decision by your organization's admins")
                % {"n": in_review.position},
                anchor=anchor,
            )
        return Step(
            _("Milestone %(n)d is with the poster for review") % {"n": in_review.position},
            anchor=anchor,
        )
    if to_deliver is not None:
        return Step(
            _("The provider is working on milestone %(n)d") % {"n": to_deliver.position},
            anchor=f"milestone-{to_deliver.position}",
        )
    if unfunded is not None:
        return Step(
            _("Milestone %(n)d waits for escrow funding") % {"n": unfunded.position},
            anchor=f"milestone-{unfunded.position}",
        )
    return Step(_("In progress"))


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
    must come with their milestones and reviews prefetched (see `with_progress`)."""
    viewer = Viewer.of(user)
    rows = []
    for contract in contracts:
        milestones = list(contract.milestones.all())
        side = viewer.side(contract)
        reviewed = any(r.side == side for r in contract.reviews.all())
        rows.append(
            ContractRow(
                contract=contract,
                side=side,
                accepted=sum(1 for m in milestones if m.status in DONE),
                total=len(milestones),
                step=next_step(
                    contract=contract,
                    milestones=milestones,
                    side=side,
                    can_decide=viewer.can_decide(contract),
                    reviewed=reviewed,
                ),
            )
        )
    return rows


def with_progress(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    return contracts.prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position")),
        Prefetch("reviews", queryset=Review.objects.only("id", "contract_id", "side")),
    )


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
    page = paginate(request, with_progress(contracts))
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
            and self.milestone.status in (*TO_DELIVER, M.AWAITING_FUNDING)
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
    contract: Contract, side: str | None, forms: Forms, written: list[Review]
) -> dict[str, Any]:
    """The reviews the viewer may read (the public ones and their own side's) and, until their
    side has written one, the review form. Reviews exist only on completed contracts."""
    if contract.status != C.COMPLETED:
        return {}
    public = list(reputation.reviews_public(contract_ids=[contract.pk])) if written else []
    mine = next((r for r in written if r.side == side), None) if side else None
    visible = {r.pk: r for r in public}
    if mine is not None:
        visible[mine.pk] = mine
    reveal_on = None
    if contract.completed_at is not None:
        reveal_on = contract.completed_at + dt.timedelta(days=reputation.REVIEW_BLIND_DAYS)
    review_form = None
    if side is not None and mine is None:
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
    viewer = Viewer.of(request.user)
    side = viewer.side(contract)
    active = contract.status == C.ACTIVE
    can_deliver = active and viewer.can_deliver(contract)
    can_decide = active and viewer.can_decide(contract)
    max_rounds = int(settings.MARKETPLACE["MAX_CHANGE_ROUNDS"])
    milestones = selectors.contract_milestones(contract=contract)
    views = []
    opened = False
    for milestone in milestones:
        view = MilestoneView(
            milestone=milestone,
            deliveries=list(milestone.deliveries.all()),
            rounds_left=max(0, max_rounds - milestone.change_rounds),
        )
        if can_deliver and milestone.status in TO_DELIVER:
            view.can_deliver = True
            view.deliver_form = forms.deliver.get(milestone.pk) or DeliveryForm(
                auto_id=f"id_m{milestone.pk}_%s"
            )
            view.deliver_open = milestone.pk in forms.deliver or not (opened or forms.deliver)
            opened = True
        if can_decide and milestone.status == M.SUBMITTED:
            view.can_decide = True
            view.changes_form = forms.changes.get(milestone.pk) or ChangesForm(
                auto_id=f"id_m{milestone.pk}_%s"
            )
            view.show_changes = milestone.pk in forms.changes
        views.append(view)
    accepted = [m for m in milestones if m.status in DONE]
    written = list(contract.reviews.all())
    reviewed = side is not None and any(r.side == side for r in written)
    started = contract.started_at
    context = {
        "contract": contract,
        "task": contract.task,
        "poster": contract.organization,
        "provider": contract.provider,
        "side": side,
        "staff_view": side is None and viewer.is_staff,
        "can_decide_any": viewer.can_decide(contract),
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
        "step": next_step(
            contract=contract,
            milestones=milestones,
            side=side,
            can_decide=viewer.can_decide(contract),
            reviewed=reviewed,
        ),
        **_reviews_context(contract, side, forms, written),
    }
    return render(request, "frontend/contracts/detail.html", context, status=status)


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
    if not Viewer.of(request.user).can_deliver(contract):
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
    if milestone.status not in TO_DELIVER:
        # The form is not on the page for this milestone: say it at the top instead.
        messages.error(request, _("This milestone cannot be delivered now."))
        return HttpResponseRedirect(_contract_url(contract, anchor))
    return _render_detail(request, contract, Forms(deliver={milestone.pk: form}), status=400)


@login_required
@require_POST
def milestone_accept(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    contract = _contract_or_404(request, contract_id)
    milestone = _milestone_or_404(request, contract, milestone_id)
    if not Viewer.of(request.user).can_decide(contract):
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
    if not Viewer.of(request.user).can_decide(contract):
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
    if milestone.status != M.SUBMITTED:
        messages.error(request, _("There is no delivery in review on this milestone."))
        return HttpResponseRedirect(_contract_url(contract, anchor))
    return _render_detail(request, contract, Forms(changes={milestone.pk: form}), status=400)


@login_required
@require_POST
def contract_review(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract_or_404(request, contract_id)
    side = Viewer.of(request.user).side(contract)
    if side is None:
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
