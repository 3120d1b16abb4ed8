"""Reading bids. Sealing is decided here: amounts and milestones reach only the poster's
members and the bidder; everyone else sees how many bids there are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from accounts.selectors import (
    black_list_entry_for_bidder,
    provider_profile_ids_operated_by,
    provider_profiles_operated,
    provider_profiles_operated_by,
    user_can_act_for_provider,
)
from bids.models import Bid, BidMilestone
from bids.states import BID
from marketplace.errors import NotFound
from marketplace.money import Money
from marketplace.permissions import user_may_act
from tasks.models import Task
from tasks.selectors import (
    TaskCapabilities,
    task_capabilities,
    user_accepted_nda,
    user_is_invited,
    user_is_poster_member,
)
from tasks.states import TASK


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str = ""
    code: str = ""


def participation_eligibility(
    *,
    user: Any,
    task: Task,
    provider: ProviderProfile | None = None,
    window: Callable[[Task], Eligibility | None] | None = None,
) -> Eligibility:
    """Whether `user` may take part in `task` for `provider` (their own profile when None),
    and if not, a reason they can act on. The rules every mode shares (bidding on a tender,
    registering for a contest, claiming piece-work units) live here: signed in, not
    suspended, the task published, not their own organization's, not on the black list,
    verified or invited when the task asks, the NDA accepted.

    `window` is the mode's own check (is bidding / registration / claiming open now?): it
    runs once the task is known to be published and returns a refusal, or None to go on."""
    if not _authenticated(user):
        return Eligibility(False, _("Sign in to take part."), "not_authenticated")
    if not user_may_act(user):
        return Eligibility(
            False, _("Your account is suspended, so it cannot take part."), "suspended"
        )
    if task.status in (Task.Status.DRAFT, Task.Status.PENDING_REVIEW):
        # Not closed: it has not opened (its poster's staff see this on a task in review).
        return Eligibility(
            False,
            _("This task is not open yet: it is a draft or waiting for moderation."),
            "not_published",
        )
    if window is not None and (refusal := window(task)) is not None:
        return refusal
    own = Eligibility(False, _("You cannot take part in your own organization's task."), "own_task")
    if user_is_poster_member(user=user, task=task):
        return own
    if provider is None:
        operated = provider_profiles_operated(user=user)  # read once per request
        provider = next((p for p in operated if p.user_id == user.pk), None) or next(
            iter(operated), None
        )
        if provider is None:
            return Eligibility(
                False,
                _("Set up your provider profile before you take part."),
                "no_provider_profile",
            )
    elif not user_can_act_for_provider(user=user, profile=provider):
        return Eligibility(False, _("You cannot act for that provider."), "not_your_provider")
    if provider.organization_id == task.organization_id:
        return own
    # The credit black list (诚信红黑榜): the person acting, or the provider they act for.
    listed = black_list_entry_for_bidder(user=user, provider=provider)
    if listed is not None:
        return Eligibility(
            False,
            _(
                "%(party)s is on the credit black list until %(date)s, so it cannot take "
                "part. You can appeal the entry from your credit list page."
            )
            % {"party": listed.party_name, "date": date_format(listed.expires_at, "DATE_FORMAT")},
            "black_listed",
        )
    if provider.hidden_at is not None:
        return Eligibility(
            False,
            _(
                "A moderator has hidden this provider profile (%(reason)s), so it cannot take "
                "part. See your profile page for how to appeal."
            )
            % {"reason": provider.hidden_reason},
            "profile_hidden",
        )
    if task.visibility == Task.Visibility.VERIFIED and not provider.is_verified:
        return Eligibility(
            False,
            _("Only real-name verified providers may take part in this task. Verify first."),
            "verification_required",
        )
    if task.visibility == Task.Visibility.INVITED and not user_is_invited(user=user, task=task):
        return Eligibility(
            False, _("This task is open to invited providers only."), "invitation_required"
        )
    if task.nda_required and not user_accepted_nda(user=user, task=task):
        return Eligibility(
            False, _("Accept the task's NDA and read the full description first."), "nda"
        )
    return Eligibility(True)


def _bid_window(task: Task) -> Eligibility | None:
    if task.mode != Task.Mode.TENDER:
        # Contests take registrations and submissions, piece-work takes unit claims.
        return Eligibility(
            False, _("This task does not take bids: see how it works on its page."), "not_tender"
        )
    if not task_bidding_open(task):
        return Eligibility(False, _("Bidding on this task has closed."), "closed")
    return None


def bid_eligibility(
    *, user: Any, task: Task, provider: ProviderProfile | None = None
) -> Eligibility:
    """Whether `user` may bid on `task` for `provider` (their own profile when None): the
    shared participation rules, a tender, and bidding open."""
    return participation_eligibility(user=user, task=task, provider=provider, window=_bid_window)


def task_bidding_open(task: Task) -> bool:
    """Bids may be placed and revised: the task is open and its deadline has not passed."""
    return task.status == Task.Status.OPEN and task.bid_deadline > timezone.now()


@dataclass(frozen=True)
class BidCapabilities:
    """What one user may do with one bid now: the capability selector of bids.

    Built from the task's capabilities (the poster's side) and whether the user bids through
    the bid's provider profile; services refuse through it, pages and the API ask it.
    """

    bid: Bid
    task: TaskCapabilities
    bidder: bool
    task_user: Any = None

    @property
    def see_terms(self) -> bool:
        return self.bidder or self.task.member

    @property
    def revise(self) -> bool:
        return self.bidder and self.bid.is_live and task_bidding_open(self.task.task)

    @property
    def withdraw(self) -> bool:
        return self.bidder and BID.can(self.bid.status, "withdraw")

    @property
    def shortlist(self) -> bool:
        return self.task.shortlist and BID.can(self.bid.status, "shortlist")

    @property
    def decline(self) -> bool:
        return self.task.award and BID.can(self.bid.status, "reject")

    @property
    def award(self) -> bool:
        return self.task.award and BID.can(self.bid.status, "award")

    # --- the bid's negotiation thread ---

    @property
    def side(self) -> str:
        """Which side of the negotiation the user speaks for: "poster", "provider" or ""."""
        if self.task.member:
            return "poster"
        return "provider" if self.bidder else ""

    @property
    def read_thread(self) -> bool:
        """Read the thread: its two sides, also after the award (it is kept as evidence)."""
        return self.see_terms

    @property
    def negotiate(self) -> bool:
        """Write in the thread: while the bid is live and its task can still be awarded."""
        return (
            self.see_terms
            and self.bid.is_live
            and TASK.can(self.task.status, "award")
            and user_may_act(self.task_user)
        )

    @property
    def accept_offer(self) -> bool:
        """Accept the other side's latest offer: the bidder, or the poster's owners and admins
        (the people who may award)."""
        return self.negotiate and (self.bidder or self.task.manage)


def bid_capabilities(
    *,
    user: Any,
    bid: Bid,
    task_caps: TaskCapabilities | None = None,
    operated_ids: frozenset[int] | None = None,
) -> BidCapabilities:
    """What `user` may do with `bid` now. A page of bids on one task passes the task's
    capabilities and the user's provider profile ids, computed once."""
    if operated_ids is not None:
        bidder = bid.provider_id in operated_ids
    elif Bid.provider.is_cached(bid):
        # The profile in hand: asked of the user's memberships, no statement of its own.
        bidder = user_can_act_for_provider(user=user, profile=bid.provider)
    else:
        bidder = _authenticated(user) and bid.provider_id in provider_profile_ids_operated_by(
            user=user
        )
    return BidCapabilities(
        bid=bid,
        task=task_caps or task_capabilities(user=user, task=bid.task),
        bidder=bidder,
        task_user=user,
    )


def bid_can_see_terms(*, user: Any, bid: Bid) -> bool:
    """Sealed: the bidder's operators and the poster's members only."""
    return _authenticated(user) and bid_capabilities(user=user, bid=bid).see_terms


def _with_details(bids: QuerySet[Bid]) -> QuerySet[Bid]:
    return bids.select_related(
        "task", "task__organization", "provider", "provider__user", "provider__organization"
    ).prefetch_related(Prefetch("milestones", queryset=BidMilestone.objects.order_by("position")))


def bids_for_poster(*, user: Any, task: Task) -> QuerySet[Bid]:
    """All bids on the task except withdrawn ones, for the poster's members; NotFound for others."""
    if not user_is_poster_member(user=user, task=task):
        raise NotFound(_("This task does not exist or is not visible to you."))
    return _with_details(task.bids.exclude(status=Bid.Status.WITHDRAWN)).order_by("amount", "id")


def bids_of_user(*, user: Any) -> QuerySet[Bid]:
    """The bids of every provider profile the user acts for, newest first."""
    # The profiles as a subquery: the page and its count cost no statement before them.
    operated = provider_profiles_operated_by(user=user).values("pk")
    return _with_details(Bid.objects.filter(provider_id__in=operated)).order_by(
        "-updated_at", "-id"
    )


def bid_get_for_user(*, user: Any, bid_id: int, details: bool = True) -> Bid:
    """A bid for its bidder or the poster's members; NotFound for anyone else. Without
    `details`, only the bid and its task (enough to decide, for a service that re-reads it)."""
    bids = Bid.objects.filter(pk=bid_id)
    bid = (_with_details(bids) if details else bids.select_related("task")).first()
    if bid is None or not bid_can_see_terms(user=user, bid=bid):
        raise NotFound(_("This bid does not exist or is not visible to you."))
    return bid


def bid_of_user_for_task(*, user: Any, task: Task) -> Bid | None:
    """The user's newest bid on the task (live or not), if any."""
    if not _authenticated(user):
        return None
    return (
        _with_details(
            Bid.objects.filter(
                task=task, provider_id__in=provider_profile_ids_operated_by(user=user)
            )
        )
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class BidSummary:
    count: int
    low: Money | None = None
    high: Money | None = None
    # True when low/high are rounded outwards (what a rival bidder sees), False when exact.
    rounded: bool = False


# A rival bidder sees the range only when it hides any single bid: at least this many live
# bids, and the ends rounded outwards to two significant figures.
RANGE_MIN_BIDS = 3


def _round_step(fen: int) -> int:
    """The step that keeps two significant figures of an amount (¥76,543.21 → ¥1,000)."""
    return 10 ** max(len(str(abs(fen))) - 2, 0)


def task_bid_summary(*, user: Any, task: Task, live_bidder: bool | None = None) -> BidSummary:
    """How many live bids a task has; the poster's side also sees the exact range; a live
    bidder sees a rounded range once there are enough bids that no rival's amount shows.

    A page that has read the user's own bid already passes `live_bidder` (whether it is
    live) and saves the query; wrong only towards showing less."""
    stats = Bid.objects.filter(task=task, status__in=Bid.LIVE).aggregate(
        count=Count("id"), low=Min("amount"), high=Max("amount")
    )
    count = stats["count"]
    if not count:
        return BidSummary(count=0)
    if user_is_poster_member(user=user, task=task):
        return BidSummary(
            count, Money(stats["low"], task.currency), Money(stats["high"], task.currency)
        )
    is_live_bidder = (
        live_bidder
        if live_bidder is not None
        else _authenticated(user)
        and Bid.objects.filter(
            task=task,
            status__in=Bid.LIVE,
            provider_id__in=provider_profile_ids_operated_by(user=user),
        ).exists()
    )
    if is_live_bidder and count >= RANGE_MIN_BIDS:
        low_step, high_step = _round_step(stats["low"]), _round_step(stats["high"])
        low = stats["low"] // low_step * low_step
        high = -(-stats["high"] // high_step) * high_step
        return BidSummary(
            count, Money(low, task.currency), Money(high, task.currency), rounded=True
        )
    return BidSummary(count=count)


def bid_counts_for_tasks(*, task_ids: list[int]) -> dict[int, int]:
    """Live bid counts for a page of tasks, in one query."""
    rows = (
        Bid.objects.filter(task_id__in=task_ids, status__in=Bid.LIVE)
        .values("task_id")
        .annotate(n=Count("id"))
    )
    return {row["task_id"]: row["n"] for row in rows}


def live_bids_exist(*, task: Task) -> bool:
    return Bid.objects.filter(task=task).filter(Q(status__in=Bid.LIVE)).exists()


def provider_id_query_who_bid(*, task_id: int) -> QuerySet[Bid, int]:
    """The ids (a flat values_list, not yet run) of the providers with any bid on the task,
    for a caller to run beside another id query in one statement."""
    return Bid.objects.filter(task_id=task_id).values_list("provider_id", flat=True)


def task_id_query_bid_by(*, provider_id: int) -> QuerySet[Bid, int]:
    """The ids (a flat values_list, not yet run) of the tasks the provider has bid on, in any
    state."""
    return Bid.objects.filter(provider_id=provider_id).values_list("task_id", flat=True)
