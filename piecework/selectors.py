"""Reading piece-work: who may see a task's terms, how many units are left, what a user may
do now (the capability selector), the poster's review queue and a provider's deliveries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_ids_operated_by, provider_profiles_operated_by
from bids.selectors import Eligibility, participation_eligibility
from marketplace.errors import NotFound
from marketplace.permissions import user_may_act
from piecework.models import Claim, Terms, UnitDelivery
from piecework.states import PIECEWORK, PIECEWORK_PUBLIC
from tasks.models import Task
from tasks.selectors import task_capabilities, task_get_for_user

S = Terms.Status
D = UnitDelivery.Status


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def units_held(*, terms: Terms) -> int:
    """Units claimed by someone now (held, delivered-and-pending, or accepted)."""
    return int(Claim.objects.filter(terms=terms).aggregate(n=Sum("units"))["n"] or 0)


def units_left(*, terms: Terms) -> int:
    """Units anyone may still claim."""
    return max(terms.units_total - units_held(terms=terms), 0)


@dataclass(frozen=True)
class UnitCounts:
    total: int
    left: int
    pending: int
    accepted: int
    rejected: int


def unit_counts(*, terms: Terms) -> UnitCounts:
    """The numbers of the task page, in two queries."""
    decided = UnitDelivery.objects.filter(claim__terms=terms).aggregate(
        pending=Count("id", filter=Q(status=D.PENDING)),
        accepted=Count("id", filter=Q(status=D.ACCEPTED)),
        rejected=Count("id", filter=Q(status=D.REJECTED)),
    )
    return UnitCounts(
        total=terms.units_total,
        left=units_left(terms=terms),
        pending=decided["pending"],
        accepted=decided["accepted"],
        rejected=decided["rejected"],
    )


def claims_open(terms: Terms, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        terms.status == S.OPEN and terms.task.status == Task.Status.OPEN and now < terms.closes_at
    )


def claim_of(*, user: Any, terms: Terms) -> Claim | None:
    if not _authenticated(user):
        return None
    return (
        Claim.objects.filter(
            terms=terms, provider_id__in=provider_profile_ids_operated_by(user=user)
        )
        .select_related("provider")
        .first()
    )


def claim_outstanding(*, claim: Claim) -> int:
    """Units of the claim still to deliver (held, neither pending review nor accepted)."""
    delivered = UnitDelivery.objects.filter(claim=claim, status__in=[D.PENDING, D.ACCEPTED]).count()
    return max(claim.units - delivered, 0)


def piecework_eligibility(
    *, user: Any, terms: Terms, provider: ProviderProfile | None = None
) -> tuple[Eligibility, ProviderProfile | None]:
    """Whether `user` may claim units for `provider` (their own when None): the rules every
    mode shares (bids.selectors.participation_eligibility) and claims open now."""

    def window(task: Task) -> Eligibility | None:
        if task.mode != Task.Mode.PIECEWORK:
            return Eligibility(False, _("This task is not piece-work."), "not_piecework")
        if not claims_open(terms):
            return Eligibility(False, _("This piece-work task takes no more claims."), "closed")
        return None

    verdict = participation_eligibility(
        user=user, task=terms.task, provider=provider, window=window
    )
    if not verdict.allowed:
        return verdict, None
    if provider is None:
        operated = provider_profiles_operated_by(user=user)
        provider = operated.filter(user=user).first() or operated.first()
    return verdict, provider


@dataclass(frozen=True)
class PieceworkCapabilities:
    """What one user may do with one piece-work task now."""

    terms: Terms
    user: Any = field(compare=False, repr=False)
    member: bool = False
    manage: bool = False
    claim: Claim | None = None
    outstanding: int = 0

    @property
    def status(self) -> str:
        return self.terms.status

    @property
    def submit_for_funding(self) -> bool:
        return self.manage and PIECEWORK.can(self.status, "submit")

    @property
    def fund(self) -> bool:
        return self.manage and PIECEWORK.can(self.status, "open")

    @property
    def cancel(self) -> bool:
        return self.manage and PIECEWORK.can(self.status, "cancel")

    @property
    def review(self) -> bool:
        return self.manage and self.status in (S.OPEN, S.CLOSED)

    @property
    def close(self) -> bool:
        return self.manage and PIECEWORK.can(self.status, "close")

    @property
    def deliver(self) -> bool:
        return (
            self.claim is not None
            and self.outstanding > 0
            and self.status == S.OPEN
            and timezone.now() < self.terms.closes_at
            and user_may_act(self.user)
        )


def piecework_capabilities(*, user: Any, terms: Terms) -> PieceworkCapabilities:
    if not _authenticated(user):
        return PieceworkCapabilities(terms=terms, user=user)
    task_caps = task_capabilities(user=user, task=terms.task)
    claim = claim_of(user=user, terms=terms)
    return PieceworkCapabilities(
        terms=terms,
        user=user,
        member=task_caps.member,
        manage=task_caps.manage,
        claim=claim,
        outstanding=claim_outstanding(claim=claim) if claim is not None else 0,
    )


def piecework_get_for_user(*, user: Any, task_id: int) -> Terms:
    """The piece-work terms of a task the user may see: the public once funded and the task
    published, the poster's members always; NotFound otherwise."""
    task = task_get_for_user(user=user, task_id=task_id)
    terms = Terms.objects.select_related("task", "task__organization").filter(task=task).first()
    if terms is None:
        raise NotFound(_("This task is not piece-work."))
    if terms.status not in PIECEWORK_PUBLIC and not task_capabilities(user=user, task=task).member:
        raise NotFound(_("This task does not exist or is not visible to you."))
    return terms


def review_queue(*, terms: Terms) -> QuerySet[UnitDelivery]:
    """The poster's queue: every delivery of the task, those waiting first (oldest first)."""
    return (
        UnitDelivery.objects.filter(claim__terms=terms)
        .select_related("claim__provider", "decided_by", "contract")
        .prefetch_related("files")
        .order_by("status", "received_at", "id")
    )


def deliveries_of_provider(*, user: Any) -> QuerySet[UnitDelivery]:
    """Every unit the user's provider profiles delivered, newest first."""
    return (
        UnitDelivery.objects.filter(
            claim__provider_id__in=provider_profile_ids_operated_by(user=user)
        )
        .select_related("claim__terms__task", "claim__provider", "contract")
        .prefetch_related("files")
        .order_by("-received_at", "-id")
    )


def claims_of_provider(*, user: Any) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(provider_id__in=provider_profile_ids_operated_by(user=user))
        .select_related("terms__task", "provider")
        .order_by("-created_at")
    )


def delivery_get_for_user(*, user: Any, delivery_id: int) -> UnitDelivery:
    """A delivery its provider's operators or the poster's members may see; NotFound else."""
    delivery = (
        UnitDelivery.objects.select_related("claim__terms__task", "claim__provider")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or not _authenticated(user):
        raise NotFound(_("This delivery does not exist or is not visible to you."))
    own = delivery.claim.provider_id in set(provider_profile_ids_operated_by(user=user))
    if not own and not task_capabilities(user=user, task=delivery.claim.terms.task).member:
        raise NotFound(_("This delivery does not exist or is not visible to you."))
    return delivery


def piecework_due(*, now: dt.datetime) -> dict[str, list[int]]:
    """The beat job's work list: deliveries whose review window passed, and open terms past
    their deadline (closed once nothing waits for review)."""
    return {
        "auto_accept": list(
            UnitDelivery.objects.filter(
                status=D.PENDING, review_due_at__lte=now, claim__terms__status=S.OPEN
            ).values_list("pk", flat=True)
        ),
        "close": list(
            Terms.objects.filter(status=S.OPEN, closes_at__lte=now).values_list("pk", flat=True)
        ),
    }


def accepted_units_by_provider(*, provider_ids: list[int]) -> dict[int, int]:
    """Accepted piece-work units per provider profile (for the track record)."""
    return {
        row["claim__provider_id"]: row["n"]
        for row in UnitDelivery.objects.filter(
            claim__provider_id__in=provider_ids, status=D.ACCEPTED
        )
        .values("claim__provider_id")
        .annotate(n=Count("id"))
    }


def deliveries_for_user(*, user: Any, terms: Terms) -> QuerySet[UnitDelivery]:
    """A task's deliveries the user may read: all of them for the poster's members, their
    own provider's otherwise (rivals never see each other's work)."""
    queue = review_queue(terms=terms)
    if _authenticated(user) and task_capabilities(user=user, task=terms.task).member:
        return queue
    return queue.filter(claim__provider_id__in=provider_profile_ids_operated_by(user=user))
