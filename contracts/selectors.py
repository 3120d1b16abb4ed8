"""Reading contracts, and what a user may do with one: the capability selector of contracts.

`ContractViewer.of(user)` answers, for any number of contracts, which side the user is on and
what they may do now. Services refuse through it; pages, the API (and the coming websocket
consumers) ask it which actions to offer. Nothing else decides who may act on a contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.selectors import (
    MANAGER_ROLES,
    membership_roles,
    provider_profile_ids_operated_by,
)
from contracts.models import Contract, Delivery, DeliveryFile, Milestone, Review
from contracts.states import MILESTONE, MILESTONE_DONE
from marketplace.errors import NotFound

C = Contract.Status
M = Milestone.Status

# Reviews stay hidden from the other side this long after completion, unless both are written.
REVIEW_BLIND_DAYS = 14

POSTER = "poster"
PROVIDER = "provider"


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def user_is_contract_staff(user: Any) -> bool:
    """Back-office staff who may read any contract and its deliveries (mediators, finance)."""
    return _authenticated(user) and user.is_staff and user.has_perm("contracts.view_contract")


# --- capabilities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """The next thing that happens on a contract, from the viewer's side. `mine` marks steps
    that wait for the viewer."""

    text: str | Promise
    mine: bool = False
    anchor: str = ""


def _first(milestones: Iterable[Milestone], statuses: Iterable[str]) -> Milestone | None:
    wanted = frozenset(statuses)
    return next((m for m in milestones if m.status in wanted), None)


@dataclass(frozen=True)
class ContractCapabilities:
    """What one user may do with one contract now."""

    contract: Contract
    side: str | None
    # Owners and admins of the poster organization decide on deliveries.
    decides: bool
    # The poster's review is written by its owners and admins or by the task's author.
    writes_poster_review: bool
    staff_reader: bool

    @property
    def can_view(self) -> bool:
        return self.side is not None or self.staff_reader

    @property
    def active(self) -> bool:
        return self.contract.status == C.ACTIVE

    def can_deliver(self, milestone: Milestone) -> bool:
        return self.side == PROVIDER and self.active and MILESTONE.can(milestone.status, "submit")

    def can_accept(self, milestone: Milestone) -> bool:
        return self.decides and self.active and MILESTONE.can(milestone.status, "accept")

    def can_request_changes(self, milestone: Milestone) -> bool:
        return self.decides and self.active and MILESTONE.can(milestone.status, "request_changes")

    @property
    def may_dispute(self) -> bool:
        """Either party may dispute: the provider, or the poster's owners and admins (those
        who decide on deliveries)."""
        return self.side == PROVIDER or self.decides

    def can_dispute(self, milestone: Milestone) -> bool:
        """A funded, delivered or returned milestone of an active contract can be disputed."""
        return self.may_dispute and self.active and MILESTONE.can(milestone.status, "dispute")

    @property
    def may_write_review(self) -> bool:
        """Whether the user's side is one that reviews, and they may write it for the side."""
        if self.side == PROVIDER:
            return True
        return self.side == POSTER and self.writes_poster_review

    def can_review(self, *, reviewed_sides: Iterable[str]) -> bool:
        return (
            self.contract.status == C.COMPLETED
            and self.may_write_review
            and self.side not in set(reviewed_sides)
        )

    def next_step(self, *, milestones: Sequence[Milestone], reviewed: bool) -> Step:
        """What happens next on the contract, seen from this side."""
        contract, side = self.contract, self.side
        if contract.status == C.CANCELLED:
            return Step(_("Cancelled before work started"))
        if contract.status == C.AWAITING_FUNDING:
            if side == PROVIDER:
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
        to_deliver = next((m for m in milestones if MILESTONE.can(m.status, "submit")), None)
        unfunded = _first(milestones, (M.AWAITING_FUNDING,))
        if to_deliver is not None and self.can_deliver(to_deliver):
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
            if self.can_accept(in_review):
                return Step(
                    _("Review the delivery of milestone %(n)d") % {"n": in_review.position},
                    mine=True,
                    anchor=anchor,
                )
            if side == POSTER:
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


@dataclass(frozen=True)
class ContractViewer:
    """A user's relation to contracts, from two lookups for any number of them."""

    user_id: int | None
    roles: dict[int, str]  # organization id -> the user's role in it
    provider_ids: frozenset[int]
    staff_reader: bool

    @classmethod
    def of(cls, user: Any) -> ContractViewer:
        if not _authenticated(user):
            return cls(user_id=None, roles={}, provider_ids=frozenset(), staff_reader=False)
        return cls(
            user_id=user.pk,
            # The memberships every capability asks for, read once per request.
            roles=membership_roles(user=user),
            provider_ids=frozenset(provider_profile_ids_operated_by(user=user)),
            staff_reader=user_is_contract_staff(user),
        )

    def side(self, contract: Contract) -> str | None:
        if contract.organization_id in self.roles:
            return POSTER
        if contract.provider_id in self.provider_ids:
            return PROVIDER
        return None

    def capabilities(self, contract: Contract) -> ContractCapabilities:
        side = self.side(contract)
        decides = side == POSTER and self.roles.get(contract.organization_id) in MANAGER_ROLES
        author = side == POSTER and contract.task.created_by_id == self.user_id
        return ContractCapabilities(
            contract=contract,
            side=side,
            decides=decides,
            writes_poster_review=decides or author,
            staff_reader=self.staff_reader,
        )


def contract_capabilities(*, user: Any, contract: Contract) -> ContractCapabilities:
    """What `user` may do with `contract` now (for one contract; lists use ContractViewer)."""
    return ContractViewer.of(user).capabilities(contract)


# --- reading ------------------------------------------------------------------------------------


def contracts_for_user(*, user: Any) -> QuerySet[Contract]:
    if not _authenticated(user):
        return Contract.objects.none()
    viewer = ContractViewer.of(user)
    return (
        Contract.objects.select_related(
            "task", "organization", "provider", "provider__user", "provider__organization"
        )
        .filter(Q(organization_id__in=viewer.roles) | Q(provider_id__in=viewer.provider_ids))
        .order_by("-created_at")
    )


def contract_get_for_user(*, user: Any, contract_id: int) -> Contract:
    """The contract if the user is on either side of it, or is staff allowed to view contracts
    (mediators, finance: the contracts.view_contract permission); NotFound otherwise."""
    contract = (
        Contract.objects.select_related(
            "task", "organization", "provider", "provider__user", "provider__organization"
        )
        .filter(pk=contract_id)
        .first()
    )
    if contract is None or not contract_capabilities(user=user, contract=contract).can_view:
        raise NotFound(_("This contract does not exist or is not visible to you."))
    return contract


def contracts_of_task(*, task: Any) -> list[Contract]:
    return list(Contract.objects.filter(task=task).order_by("created_at"))


def contract_milestones(*, contract: Contract) -> list[Milestone]:
    deliveries = (
        Delivery.objects.select_related("submitted_by", "decided_by")
        .prefetch_related("files")
        .order_by("round")
    )
    return list(
        contract.milestones.select_related("accepted_by")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("position")
    )


def contracts_with_progress(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Contracts with what a list row shows: milestones in order and the sides that reviewed."""
    return contracts.prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position")),
        Prefetch("reviews", queryset=Review.objects.only("id", "contract_id", "side")),
    )


def milestone_get_for_user(*, user: Any, milestone_id: int) -> Milestone:
    milestone = (
        Milestone.objects.select_related("contract", "contract__task")
        .filter(pk=milestone_id)
        .first()
    )
    if milestone is None:
        raise NotFound(_("This milestone does not exist or is not visible to you."))
    try:
        contract_get_for_user(user=user, contract_id=milestone.contract_id)
    except NotFound:
        raise NotFound(_("This milestone does not exist or is not visible to you.")) from None
    return milestone


def delivery_get_for_user(*, user: Any, delivery_id: int) -> Delivery:
    """One delivery with its files, for those who may see its contract."""
    delivery = (
        Delivery.objects.select_related("milestone", "submitted_by", "decided_by")
        .prefetch_related("files")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise NotFound(_("This delivery does not exist or is not visible to you."))
    try:
        contract_get_for_user(user=user, contract_id=delivery.milestone.contract_id)
    except NotFound:
        raise NotFound(_("This delivery does not exist or is not visible to you.")) from None
    return delivery


def delivery_file_get_for_user(*, user: Any, file_id: int) -> DeliveryFile:
    delivered = (
        DeliveryFile.objects.select_related("delivery__milestone__contract")
        .filter(pk=file_id)
        .first()
    )
    if delivered is None:
        raise NotFound(_("This file does not exist or is not visible to you."))
    try:
        contract_get_for_user(user=user, contract_id=delivered.delivery.milestone.contract_id)
    except NotFound:
        raise NotFound(_("This file does not exist or is not visible to you.")) from None
    return delivered


def milestones_due_for_auto_accept(*, now: Any) -> list[int]:
    return list(
        Milestone.objects.filter(
            status=Milestone.Status.SUBMITTED, review_due_at__lte=now
        ).values_list("id", flat=True)
    )


def milestone_progress(milestones: Iterable[Milestone]) -> tuple[int, int]:
    """(finished, total) milestones, for progress bars."""
    listed = list(milestones)
    return sum(1 for m in listed if m.status in MILESTONE_DONE), len(listed)


def reviews_public(*, contract_ids: Iterable[int] | None = None) -> QuerySet[Review]:
    """Reviews anyone may read: a contract's reviews become public once both sides have
    written theirs, or 14 days after completion, so neither side writes in reaction to the
    other's (double-blind, as on Upwork)."""
    both = (
        Review.objects.values("contract_id")
        .annotate(n=Count("id"))
        .filter(n=2)
        .values("contract_id")
    )
    reveal_after = timezone.now() - dt.timedelta(days=REVIEW_BLIND_DAYS)
    # Ratings count only once public: an average that moved after one side's review would tell
    # the other side what it said.
    reviews = Review.objects.filter(
        Q(contract_id__in=both) | Q(contract__completed_at__lte=reveal_after)
    ).select_related("contract__task", "contract__organization", "contract__provider", "author")
    if contract_ids is not None:
        reviews = reviews.filter(contract_id__in=list(contract_ids))
    return reviews
