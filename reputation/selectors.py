"""Statistics and credit scores of providers and posters, computed from contracts and reviews.

The credit score (0-100, graded A-D) weighs identity, completion, punctuality, ratings and
experience. Newcomers start from a neutral prior rather than zero, so one early problem moves the
score less than it would on a raw average (a Bayesian average with two pseudo-observations).
The factors are shown to the person or organization they describe; others see score and grade.
Everything is computed in a bounded number of queries for a whole page of subjects.

The credit red/black list (accounts, 诚信红黑榜) is a visible factor: a red entry that applies
now adds RED_BONUS points (the total stays within 100), a black entry takes BLACK_PENALTY off and
caps the score at BLACK_CAP (grade D). A party that has completed no work yet shows "no history
yet" instead of a grade (issue 12): a prior-smoothed B for a brand-new account said more than we
know. A black-listed party is graded all the same: the sanction is what there is to know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from django.db.models import Avg, Count, Min, Q, QuerySet, Sum
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import CreditListEntry, Organization, ProviderProfile
from accounts.selectors import (
    MANAGER_ROLES,
    credit_list_entries_of,
    memberships_read,
    provider_profiles_operated,
)
from contracts.models import Contract, Milestone, Review
from contracts.selectors import reviews_public
from disputes.selectors import DisputeRecord, dispute_record_for
from tasks.models import Task

PRIOR_WEIGHT = 2
PRIOR_RATE = Fraction(4, 5)
PRIOR_RATING = Fraction(4)
RED_BONUS = 5
BLACK_PENALTY = 20
BLACK_CAP = 40


def _percent(numerator: int, denominator: int) -> int | None:
    return None if denominator == 0 else round(Fraction(100 * numerator, denominator))


def _smoothed(successes: int, trials: int) -> Fraction:
    return (successes + PRIOR_RATE * PRIOR_WEIGHT) / (trials + PRIOR_WEIGHT)


def _rating(total: int, count: int) -> Fraction:
    return (total + PRIOR_RATING * PRIOR_WEIGHT) / (count + PRIOR_WEIGHT)


@dataclass(frozen=True)
class CreditFactor:
    key: str
    label: str | Promise
    points: int
    max_points: int
    detail: str | Promise


@dataclass(frozen=True)
class CreditScore:
    score: int
    factors: list[CreditFactor] = field(default_factory=list)
    # False until the party has completed work (and is not black-listed): pages then say
    # "no history yet" instead of the grade; the factors stay visible to the party itself.
    rated: bool = True

    @property
    def grade(self) -> str:
        return (
            "A"
            if self.score >= 85
            else "B"
            if self.score >= 70
            else "C"
            if self.score >= 55
            else "D"
        )

    @property
    def grade_label(self) -> str | Promise:
        return {
            "A": _("Excellent"),
            "B": _("Good"),
            "C": _("Fair"),
            "D": _("Poor"),
        }[self.grade]


@dataclass(frozen=True)
class ListStanding:
    """The red/black list entries that apply now to one party (the latest expiry of each)."""

    red_until: Any = None
    black_until: Any = None

    @property
    def black(self) -> bool:
        return self.black_until is not None


def _standing(entries: Iterable[CreditListEntry]) -> ListStanding:
    red = [e.expires_at for e in entries if e.kind == CreditListEntry.Kind.RED]
    black = [e.expires_at for e in entries if e.kind == CreditListEntry.Kind.BLACK]
    return ListStanding(red_until=max(red, default=None), black_until=max(black, default=None))


def _list_factor(standing: ListStanding) -> CreditFactor:
    if standing.black:
        return CreditFactor(
            "credit_list",
            _("Credit red/black list"),
            -BLACK_PENALTY,
            RED_BONUS,
            _("On the black list until %(date)s: %(penalty)d points off, score capped at %(cap)d")
            % {
                "date": date_format(standing.black_until, "DATE_FORMAT"),
                "penalty": BLACK_PENALTY,
                "cap": BLACK_CAP,
            },
        )
    if standing.red_until is not None:
        return CreditFactor(
            "credit_list",
            _("Credit red/black list"),
            RED_BONUS,
            RED_BONUS,
            _("On the red list until %(date)s")
            % {"date": date_format(standing.red_until, "DATE_FORMAT")},
        )
    return CreditFactor(
        "credit_list", _("Credit red/black list"), 0, RED_BONUS, _("Not on either list")
    )


def _score(
    parts: list[tuple[str, str | Promise, Fraction, int, str | Promise]],
    *,
    standing: ListStanding | None = None,
    has_history: bool = True,
) -> CreditScore:
    factors = [
        CreditFactor(key, label, round(share * max_points), max_points, detail)
        for key, label, share, max_points, detail in parts
    ]
    standing = standing or ListStanding()
    factors.append(_list_factor(standing))
    score = max(0, min(100, sum(f.points for f in factors)))
    if standing.black:
        score = min(score, BLACK_CAP)
    return CreditScore(score=score, factors=factors, rated=has_history or standing.black)


NO_DISPUTES = DisputeRecord()


def _with_disputes(credit: CreditScore, record: DisputeRecord) -> CreditScore:
    """Disputes decided by a mediator (disputes.selectors.dispute_record_for) deduct from the
    score rather than share its 100 points, so a party without disputes loses nothing: a lost
    dispute costs 6 points and a split one 2, at most 20 in all."""
    penalty = min(credit.score, 20, 6 * record.lost + 2 * record.split)
    detail = _("%(won)d won, %(lost)d lost, %(split)d split by a mediator's decision") % {
        "won": record.won,
        "lost": record.lost,
        "split": record.split,
    }
    factor = CreditFactor("disputes", _("Disputes"), -penalty, 0, detail)
    return replace(credit, score=credit.score - penalty, factors=[*credit.factors, factor])


class _Ratings:
    """The rating part shared by provider and poster statistics (public reviews only)."""

    reviews: int
    rating_total: int

    @property
    def average_rating(self) -> Fraction | None:
        return None if not self.reviews else Fraction(self.rating_total, self.reviews)

    @property
    def average_rating_display(self) -> str:
        average = self.average_rating
        return "—" if average is None else f"{float(average):.1f}"

    def _rating_share(self) -> Fraction:
        """0..1 for the credit score: the Bayesian average mapped from 1-5."""
        return (_rating(self.rating_total, self.reviews) - 1) / 4


@dataclass(frozen=True)
class ProviderStats(_Ratings):
    contracts_completed: int
    contracts_active: int
    contracts_ended: int
    milestones_accepted: int
    milestones_on_time: int
    reviews: int
    rating_total: int
    repeat_clients: int
    earned: int
    verified: bool
    standing: ListStanding = field(default_factory=ListStanding)
    disputes: DisputeRecord = NO_DISPUTES
    # Contest prizes won (a prize contract is made only when the prize is paid).
    contest_wins: int = 0
    # Piece-work units accepted (each accepted unit is paid through a contract of its own).
    units_accepted: int = 0

    @property
    def has_history(self) -> bool:
        """Completed work on the platform: until then the grade says "no history yet"."""
        return self.contracts_completed > 0

    @property
    def completion_rate(self) -> int | None:
        return _percent(self.contracts_completed, self.contracts_ended)

    @property
    def on_time_rate(self) -> int | None:
        return _percent(self.milestones_on_time, self.milestones_accepted)

    @property
    def credit(self) -> CreditScore:
        return _with_disputes(self._credit(), self.disputes)

    def _credit(self) -> CreditScore:
        return _score(
            [
                ("identity", _("Real-name verified"), Fraction(int(self.verified)), 15,
                 _("Verified") if self.verified else _("Not verified yet")),
                ("completion", _("Completion rate"),
                 _smoothed(self.contracts_completed, self.contracts_ended), 25,
                 _("%(done)d of %(ended)d finished contracts completed")
                 % {"done": self.contracts_completed, "ended": self.contracts_ended}),
                ("on_time", _("On-time delivery"),
                 _smoothed(self.milestones_on_time, self.milestones_accepted), 20,
                 _("%(on_time)d of %(total)d milestones delivered by their due date")
                 % {"on_time": self.milestones_on_time, "total": self.milestones_accepted}),
                ("rating", _("Client ratings"), self._rating_share(), 25,
                 _("Average %(avg)s from %(n)d reviews")
                 % {"avg": self.average_rating_display, "n": self.reviews}),
                ("experience", _("Experience on the platform"),
                 Fraction(min(self.contracts_completed, 10), 10), 10,
                 _("%(n)d completed contracts (10 count fully)") % {"n": self.contracts_completed}),
                ("repeat", _("Repeat clients"), Fraction(min(self.repeat_clients, 5), 5), 5,
                 _("%(n)d clients hired again (5 count fully)") % {"n": self.repeat_clients}),
            ],
            standing=self.standing,
            has_history=self.has_history,
        )  # fmt: skip


def provider_stats_many(*, profiles: Iterable[ProviderProfile]) -> dict[int, ProviderStats]:
    """Statistics for several provider profiles in six queries, whatever their number."""
    profiles = list(profiles)
    ids = [p.pk for p in profiles]
    profile_by_id = {p.pk: p for p in profiles}
    contracts = {
        row["provider_id"]: row
        for row in Contract.objects.filter(provider_id__in=ids)
        .values("provider_id")
        .annotate(
            completed=Count("id", filter=Q(status=Contract.Status.COMPLETED)),
            active=Count("id", filter=Q(status=Contract.Status.ACTIVE)),
            wins=Count(
                "id",
                filter=Q(mode=Contract.Mode.CONTEST) & ~Q(status=Contract.Status.CANCELLED),
            ),
            units=Count(
                "id",
                filter=Q(mode=Contract.Mode.PIECEWORK) & ~Q(status=Contract.Status.CANCELLED),
            ),
            ended=Count(
                "id",
                filter=Q(status=Contract.Status.COMPLETED)
                | Q(status=Contract.Status.CANCELLED, started_at__isnull=False),
            ),
        )
    }
    done = Milestone.objects.filter(
        contract__provider_id__in=ids,
        status__in=[Milestone.Status.ACCEPTED, Milestone.Status.RELEASED],
    ).annotate(first_delivery=Min("deliveries__submitted_at"))
    milestones: dict[int, list[int]] = {}
    earned: dict[int, int] = {}
    for m in done.values("contract__provider_id", "first_delivery", "due_date", "amount"):
        pid = m["contract__provider_id"]
        counts = milestones.setdefault(pid, [0, 0])
        counts[0] += 1
        delivered = m["first_delivery"]
        if m["due_date"] is None or (delivered is not None and delivered.date() <= m["due_date"]):
            counts[1] += 1
        earned[pid] = earned.get(pid, 0) + m["amount"]
    reviews = {
        row["contract__provider_id"]: row
        for row in reviews_public()
        .filter(contract__provider_id__in=ids, side=Review.Side.POSTER)
        .values("contract__provider_id")
        .annotate(n=Count("id"), total=Sum("rating"))
    }
    repeat: dict[int, int] = {}
    for row in (
        Contract.objects.filter(provider_id__in=ids)
        .exclude(status=Contract.Status.CANCELLED)
        .values("provider_id", "organization_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
    ):
        repeat[row["provider_id"]] = repeat.get(row["provider_id"], 0) + 1
    verified = _verified_profiles(profiles)
    entries = credit_list_entries_of(
        user_ids=[p.user_id for p in profiles if p.user_id],
        organization_ids=[p.organization_id for p in profiles if p.organization_id],
    )
    records = dispute_record_for(providers=ids)
    result = {}
    for pid in ids:
        c: Mapping[str, Any] = contracts.get(pid) or {}
        r: Mapping[str, Any] = reviews.get(pid) or {}
        m_counts = milestones.get(pid, [0, 0])
        result[pid] = ProviderStats(
            contracts_completed=c.get("completed", 0),
            contracts_active=c.get("active", 0),
            contracts_ended=c.get("ended", 0),
            milestones_accepted=m_counts[0],
            milestones_on_time=m_counts[1],
            reviews=r.get("n", 0),
            rating_total=r.get("total") or 0,
            repeat_clients=repeat.get(pid, 0),
            earned=earned.get(pid, 0),
            verified=pid in verified,
            standing=_standing([e for e in entries if _entry_about_profile(e, profile_by_id[pid])]),
            disputes=records.get(("provider", pid), DisputeRecord()),
            contest_wins=c.get("wins", 0),
            units_accepted=c.get("units", 0),
        )
    return result


def _entry_about_profile(entry: CreditListEntry, profile: ProviderProfile) -> bool:
    if profile.organization_id:
        return entry.organization_id == profile.organization_id
    return entry.user_id is not None and entry.user_id == profile.user_id


def _verified_profiles(profiles: list[ProviderProfile]) -> set[int]:
    """The verified among the profiles: decided from their person and firm where those came
    with them (accounts.selectors.provider_profiles_operated), read for the others."""
    verified, unknown = set(), []
    for p in profiles:
        person = ProviderProfile.user.is_cached(p) or p.user_id is None
        firm = ProviderProfile.organization.is_cached(p) or p.organization_id is None
        if not (person and firm):
            unknown.append(p.pk)
        elif (p.user is not None and p.user.real_name_verified_at is not None) or (
            p.organization is not None and p.organization.verified_at is not None
        ):
            verified.add(p.pk)
    if not unknown:
        return verified
    return verified | set(
        ProviderProfile.objects.filter(pk__in=unknown)
        .filter(
            Q(user__real_name_verified_at__isnull=False)
            | Q(organization__verified_at__isnull=False)
        )
        .values_list("pk", flat=True)
    )


def provider_stats(*, profile: ProviderProfile) -> ProviderStats:
    return provider_stats_many(profiles=[profile])[profile.pk]


@dataclass(frozen=True)
class PosterStats(_Ratings):
    tasks_published: int
    tasks_decided: int
    tasks_awarded: int
    contracts_completed: int
    contracts_ended: int
    acceptances: int
    acceptances_in_time: int
    reviews: int
    rating_total: int
    spent: int
    verified: bool
    standing: ListStanding = field(default_factory=ListStanding)
    disputes: DisputeRecord = NO_DISPUTES

    @property
    def has_history(self) -> bool:
        """A contract completed as the poster: until then the grade says "no history yet"."""
        return self.contracts_completed > 0

    @property
    def hire_rate(self) -> int | None:
        return _percent(self.tasks_awarded, self.tasks_decided)

    @property
    def completion_rate(self) -> int | None:
        return _percent(self.contracts_completed, self.contracts_ended)

    @property
    def timely_acceptance_rate(self) -> int | None:
        return _percent(self.acceptances_in_time, self.acceptances)

    @property
    def credit(self) -> CreditScore:
        return _with_disputes(self._credit(), self.disputes)

    def _credit(self) -> CreditScore:
        return _score(
            [
                ("identity", _("Organization verified"), Fraction(int(self.verified)), 15,
                 _("Verified") if self.verified else _("Not verified yet")),
                ("completion", _("Contracts completed"),
                 _smoothed(self.contracts_completed, self.contracts_ended), 25,
                 _("%(done)d of %(ended)d finished contracts completed")
                 % {"done": self.contracts_completed, "ended": self.contracts_ended}),
                ("timely_review", _("Reviews deliveries in time"),
                 _smoothed(self.acceptances_in_time, self.acceptances), 20,
                 _("%(ok)d of %(total)d deliveries decided within the review window")
                 % {"ok": self.acceptances_in_time, "total": self.acceptances}),
                ("rating", _("Provider ratings"), self._rating_share(), 25,
                 _("Average %(avg)s from %(n)d reviews")
                 % {"avg": self.average_rating_display, "n": self.reviews}),
                ("hire_rate", _("Hire rate"), _smoothed(self.tasks_awarded, self.tasks_decided), 10,
                 _("%(awarded)d of %(decided)d tasks with bids were awarded")
                 % {"awarded": self.tasks_awarded, "decided": self.tasks_decided}),
                ("experience", _("Experience on the platform"),
                 Fraction(min(self.contracts_completed, 5), 5), 5,
                 _("%(n)d completed contracts (5 count fully)") % {"n": self.contracts_completed}),
            ],
            standing=self.standing,
            has_history=self.has_history,
        )  # fmt: skip


def poster_stats(*, organization: Organization) -> PosterStats:
    """Statistics of an organization as a poster (a handful of queries)."""
    tasks = Task.objects.filter(organization=organization, published_at__isnull=False)
    awarded_states = [Task.Status.AWARDED, Task.Status.IN_PROGRESS, Task.Status.COMPLETED]
    task_counts = tasks.aggregate(
        published=Count("id"),
        awarded=Count("id", filter=Q(status__in=awarded_states)),
        decided=Count(
            "id", filter=Q(status__in=[*awarded_states, Task.Status.CLOSED, Task.Status.EXPIRED])
        ),
    )
    contracts = Contract.objects.filter(organization=organization).aggregate(
        completed=Count("id", filter=Q(status=Contract.Status.COMPLETED)),
        ended=Count(
            "id",
            filter=Q(status=Contract.Status.COMPLETED)
            | Q(status=Contract.Status.CANCELLED, started_at__isnull=False),
        ),
    )
    accepted = Milestone.objects.filter(
        contract__organization=organization,
        status__in=[Milestone.Status.ACCEPTED, Milestone.Status.RELEASED],
    ).aggregate(
        total=Count("id"),
        manual=Count("id", filter=Q(accepted_by__isnull=False)),
        spent=Sum("amount"),
    )
    reviews = (
        reviews_public()
        .filter(contract__organization=organization, side=Review.Side.PROVIDER)
        .aggregate(n=Count("id"), total=Sum("rating"), avg=Avg("rating"))
    )
    return PosterStats(
        tasks_published=task_counts["published"],
        tasks_decided=task_counts["decided"],
        tasks_awarded=task_counts["awarded"],
        contracts_completed=contracts["completed"],
        contracts_ended=contracts["ended"],
        acceptances=accepted["total"],
        acceptances_in_time=accepted["manual"],
        reviews=reviews["n"],
        rating_total=reviews["total"] or 0,
        spent=accepted["spent"] or 0,
        verified=organization.is_verified,
        standing=_standing(credit_list_entries_of(organization_ids=[organization.pk])),
        disputes=dispute_record_for(organizations=[organization.pk]).get(
            ("organization", organization.pk), DisputeRecord()
        ),
    )


def reviews_of_provider(*, profile: ProviderProfile) -> QuerySet[Review]:
    return reviews_public().filter(contract__provider=profile, side=Review.Side.POSTER)


def reviews_of_organization(*, organization: Organization) -> QuerySet[Review]:
    return reviews_public().filter(contract__organization=organization, side=Review.Side.PROVIDER)


POSTER_KINDS = (Organization.Kind.ENTERPRISE, Organization.Kind.GOVERNMENT)


@dataclass(frozen=True)
class CreditSubject:
    """One party the user answers for: a provider profile, or a poster organization they
    manage; with its credit, factors included (for this user's eyes only)."""

    side: str  # "provider" or "poster"
    object_id: int
    name: str
    credit: CreditScore
    profile: ProviderProfile | None = None
    organization: Organization | None = None


def credit_subjects_for_user(*, user: Any) -> list[CreditSubject]:
    """The credit of the provider profiles the user acts for and of the poster organizations
    they manage (owners and admins)."""
    profiles = provider_profiles_operated(user=user)
    stats = provider_stats_many(profiles=profiles)
    subjects = [
        CreditSubject(
            side="provider",
            object_id=profile.pk,
            name=profile.display_name,
            credit=stats[profile.pk].credit,
            profile=profile,
        )
        for profile in profiles
    ]
    for membership in memberships_read(user=user):
        organization = membership.organization
        if membership.role in MANAGER_ROLES and organization.kind in POSTER_KINDS:
            subjects.append(
                CreditSubject(
                    side="poster",
                    object_id=organization.pk,
                    name=organization.name,
                    credit=poster_stats(organization=organization).credit,
                    organization=organization,
                )
            )
    return subjects
