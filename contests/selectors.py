"""Reading contests. Sealing is decided here: a submission reaches its own provider, the
poster's side (after submissions close when the contest is blind) and the reviewers once
review begins; rivals never see it. Each reviewer sees only their own scorecards until all
are in; the ranking is the weighted average of the scorecards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_ids_operated_by, provider_profiles_operated_by
from bids.selectors import Eligibility, participation_eligibility
from contests.models import Contest, Entry, Objection, Reviewer, Scorecard, Submission, Winner
from contests.states import CONTEST
from disputes.selectors import user_is_mediator
from marketplace.errors import NotFound
from marketplace.permissions import user_may_act
from tasks.models import Task
from tasks.selectors import (
    task_capabilities,
    task_get_for_user,
    user_can_moderate,
    user_is_poster_member,
)

S = Contest.Status


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def user_decides_objections(user: Any) -> bool:
    """Moderators and mediators decide objections (the dispute machinery's deciders)."""
    return user_may_act(user) and (
        user_can_moderate(user)
        or user_is_mediator(user)
        or (user.is_staff and user.has_perm("contests.decide_objection"))
    )


def contest_registration_open(contest: Contest, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        contest.status == S.OPEN
        and contest.task.status == Task.Status.OPEN
        and contest.registration_opens <= now < contest.submission_closes
    )


def contest_eligibility(
    *, user: Any, contest: Contest, provider: ProviderProfile | None = None
) -> tuple[Eligibility, ProviderProfile | None]:
    """Whether `user` may register `provider` (their own when None): the rules of a bid
    (bids.selectors.participation_eligibility), registration open, not a reviewer."""

    def window(task: Task) -> Eligibility | None:
        if task.mode != Task.Mode.CONTEST:
            return Eligibility(False, _("This task is not a contest."), "not_contest")
        if not contest_registration_open(contest):
            if contest.status == S.OPEN and timezone.now() < contest.registration_opens:
                return Eligibility(False, _("Registration has not opened yet."), "not_started")
            return Eligibility(False, _("Registration for this contest has closed."), "closed")
        return None

    verdict = participation_eligibility(
        user=user, task=contest.task, provider=provider, window=window
    )
    if not verdict.allowed:
        return verdict, None
    if Reviewer.objects.filter(contest=contest, user=user).exists():
        return Eligibility(
            False, _("A reviewer of this contest cannot take part in it."), "reviewer"
        ), None
    if provider is None:
        operated = provider_profiles_operated_by(user=user)
        provider = operated.filter(user=user).first() or operated.first()
    return verdict, provider


@dataclass(frozen=True)
class ContestCapabilities:
    """What one user may do with one contest now: the capability selector of contests."""

    contest: Contest
    user: Any = field(compare=False, repr=False)
    member: bool = False
    manage: bool = False
    reviewer: Reviewer | None = None
    entry: Entry | None = None
    decider: bool = False

    @property
    def status(self) -> str:
        return self.contest.status

    @property
    def accepted_reviewer(self) -> bool:
        return self.reviewer is not None and self.reviewer.accepted_at is not None

    @property
    def edit(self) -> bool:
        return self.manage and self.status == S.DRAFT

    @property
    def submit_for_funding(self) -> bool:
        return self.manage and CONTEST.can(self.status, "submit")

    @property
    def fund(self) -> bool:
        return self.manage and CONTEST.can(self.status, "open")

    @property
    def cancel(self) -> bool:
        return self.manage and CONTEST.can(self.status, "cancel")

    @property
    def manage_reviewers(self) -> bool:
        return self.manage and self.status in (S.DRAFT, S.FUNDING, S.OPEN, S.REVIEW)

    @property
    def submit(self) -> bool:
        return (
            self.entry is not None
            and self.status == S.OPEN
            and self.contest.registration_opens <= timezone.now() < self.contest.submission_closes
            and not hasattr_submission(self.entry)
        )

    @property
    def see_all_submissions(self) -> bool:
        """The poster's side (blind: after submissions close) and accepted reviewers in
        review and after; a moderator deciding an objection."""
        closed = self.status not in (S.DRAFT, S.FUNDING, S.OPEN) or (
            timezone.now() >= self.contest.submission_closes
        )
        if self.member:
            return closed or not self.contest.blind
        if self.accepted_reviewer or self.decider:
            return self.status in (S.REVIEW, S.PUBLICITY, S.PAID, S.RETURNED)
        return False

    @property
    def score(self) -> bool:
        return self.accepted_reviewer and self.status == S.REVIEW and user_may_act(self.user)

    @property
    def confirm_winners(self) -> bool:
        return self.manage and self.status == S.REVIEW

    @property
    def object(self) -> bool:
        return (
            self.entry is not None
            and self.status == S.PUBLICITY
            and timezone.now() < self.contest.objection_closes
            and user_may_act(self.user)
        )

    @property
    def decide_objections(self) -> bool:
        return self.decider


def hasattr_submission(entry: Entry) -> bool:
    return Submission.objects.filter(entry=entry).exists()


def contest_capabilities(*, user: Any, contest: Contest) -> ContestCapabilities:
    if not _authenticated(user):
        return ContestCapabilities(contest=contest, user=user)
    task_caps = task_capabilities(user=user, task=contest.task)
    entry = (
        Entry.objects.filter(
            contest=contest, provider_id__in=provider_profile_ids_operated_by(user=user)
        )
        .select_related("provider")
        .first()
    )
    return ContestCapabilities(
        contest=contest,
        user=user,
        member=task_caps.member,
        manage=task_caps.manage,
        reviewer=Reviewer.objects.filter(contest=contest, user=user).first(),
        entry=entry,
        decider=user_decides_objections(user),
    )


def contest_get_for_user(*, user: Any, task_id: int) -> Contest:
    """The contest of a task the user may see (an invited expert reviewer sees it too);
    NotFound otherwise."""
    contest = (
        Contest.objects.select_related("task", "task__organization").filter(task_id=task_id).first()
    )
    if contest is None:
        raise NotFound(_("This contest does not exist or is not visible to you."))
    if _authenticated(user) and Reviewer.objects.filter(contest=contest, user=user).exists():
        return contest
    task_get_for_user(user=user, task_id=task_id)
    return contest


def contest_get_by_pk_for_user(*, user: Any, contest_id: int) -> Contest:
    task_id = Contest.objects.filter(pk=contest_id).values_list("task_id", flat=True).first()
    if task_id is None:
        raise NotFound(_("This contest does not exist or is not visible to you."))
    return contest_get_for_user(user=user, task_id=task_id)


def contests_visible_to(*, user: Any) -> QuerySet[Contest]:
    from tasks.selectors import tasks_visible_to

    return Contest.objects.filter(task__in=tasks_visible_to(user=user)).select_related("task")


def contest_participant_count(*, contest: Contest) -> int:
    return Entry.objects.filter(contest=contest).count()


def contest_submissions_for_user(*, user: Any, contest: Contest) -> QuerySet[Submission]:
    """The submissions the user may read: all of them for the poster's side and reviewers
    (see ContestCapabilities.see_all_submissions), their own for a participant, none else."""
    subs = (
        Submission.objects.filter(entry__contest=contest)
        .select_related("entry__provider")
        .prefetch_related("files")
    )
    caps = contest_capabilities(user=user, contest=contest)
    if caps.see_all_submissions:
        return subs
    if caps.entry is not None:
        return subs.filter(entry=caps.entry)
    return subs.none()


def submission_get_for_user(*, user: Any, submission_id: int) -> Submission:
    sub = Submission.objects.select_related("entry__contest__task").filter(pk=submission_id).first()
    if (
        sub is None
        or not contest_submissions_for_user(user=user, contest=sub.entry.contest)
        .filter(pk=sub.pk)
        .exists()
    ):
        raise NotFound(_("This submission does not exist or is not visible to you."))
    return sub


def contest_reviewers(*, contest: Contest) -> QuerySet[Reviewer]:
    return Reviewer.objects.filter(contest=contest).select_related("user")


def scorecards_expected(*, contest: Contest) -> int:
    reviewers = Reviewer.objects.filter(contest=contest, accepted_at__isnull=False).count()
    return reviewers * Submission.objects.filter(entry__contest=contest).count()


def scorecards_complete(*, contest: Contest) -> bool:
    expected = scorecards_expected(contest=contest)
    done = Scorecard.objects.filter(
        submission__entry__contest=contest, reviewer__accepted_at__isnull=False
    ).count()
    return expected > 0 and done >= expected


def scorecards_for_user(*, user: Any, contest: Contest) -> QuerySet[Scorecard]:
    """A reviewer's own scorecards; everyone's once all are in (reviewers and the poster)."""
    cards = (
        Scorecard.objects.filter(submission__entry__contest=contest)
        .select_related("reviewer__user", "submission")
        .prefetch_related("scores__criterion")
    )
    caps = contest_capabilities(user=user, contest=contest)
    if (caps.member or caps.accepted_reviewer or caps.decider) and scorecards_complete(
        contest=contest
    ):
        return cards
    if caps.reviewer is not None:
        return cards.filter(reviewer=caps.reviewer)
    return cards.none()


@dataclass(frozen=True)
class RankRow:
    position: int
    submission: Submission
    cards: int
    # The weighted average in hundredths of a point (0..10,000): 8125 is 81.25.
    weighted: int

    @property
    def score(self) -> str:
        return f"{self.weighted // 100}.{self.weighted % 100:02d}"

    def qualifies(self, pass_mark: int) -> bool:
        return self.weighted >= pass_mark * 100


def contest_ranking(*, contest: Contest) -> list[RankRow]:
    """Submissions ordered by the average of their scorecards' weighted sums (ties: the
    earlier submission first); a submission without a scorecard ranks last with 0."""
    stats = {
        row["submission_id"]: (row["n"], row["total"])
        for row in Scorecard.objects.filter(
            submission__entry__contest=contest, reviewer__accepted_at__isnull=False
        )
        .values("submission_id")
        .annotate(n=Count("id"), total=Sum("weighted"))
    }
    rows = []
    for sub in Submission.objects.filter(entry__contest=contest).select_related("entry__provider"):
        n, total = stats.get(sub.pk, (0, 0))
        # Integer rounding half up of total / n.
        weighted = (2 * total + n) // (2 * n) if n else 0
        rows.append((sub, n, weighted))
    rows.sort(key=lambda r: (-r[2], r[0].submitted_at, r[0].pk))
    return [
        RankRow(position=i, submission=s, cards=n, weighted=w)
        for i, (s, n, w) in enumerate(rows, start=1)
    ]


def contest_winners(*, contest: Contest) -> list[Winner]:
    return list(
        Winner.objects.filter(contest=contest)
        .select_related("submission__entry__provider", "contract")
        .order_by("rank")
    )


def winners_public(*, contest: Contest) -> bool:
    """Provisional winners are public during publicity, final ones after payment."""
    return contest.status in (S.PUBLICITY, S.PAID)


def contest_objections_for_user(*, user: Any, contest: Contest) -> QuerySet[Objection]:
    """Objections for the poster's side and deciders; a participant sees their own."""
    objections = Objection.objects.filter(contest=contest).select_related(
        "entry__provider", "decided_by"
    )
    caps = contest_capabilities(user=user, contest=contest)
    if caps.member or caps.decider:
        return objections
    if caps.entry is not None:
        return objections.filter(entry=caps.entry)
    return objections.none()


def objections_queue() -> QuerySet[Objection]:
    """The deciders' queue: open objections, oldest first."""
    return (
        Objection.objects.filter(status=Objection.Status.OPEN)
        .select_related("contest__task", "entry__provider")
        .order_by("created_at")
    )


def contests_due(*, now: dt.datetime) -> dict[str, list[int]]:
    """The contests whose next phase is due: the beat job's work list."""
    base = Contest.objects.values_list("pk", flat=True)
    return {
        "close": list(base.filter(status=S.OPEN, submission_closes__lte=now)),
        "review_over": list(base.filter(status=S.REVIEW, review_closes__lte=now)),
        "pay": list(base.filter(status=S.PUBLICITY, announce_at__lte=now)),
    }


@dataclass(frozen=True)
class Phase:
    key: str
    label: Any
    at: dt.datetime
    state: str  # "done", "current" or "next"


PHASE_LABELS = {
    "registration_opens": gettext_lazy("Registration and submissions open"),
    "submission_closes": gettext_lazy("Submissions close, review begins"),
    "review_closes": gettext_lazy("Review closes, winners in publicity"),
    "objection_closes": gettext_lazy("Objections close"),
    "announce_at": gettext_lazy("Winners announced and paid"),
}


def contest_timeline(*, contest: Contest, now: dt.datetime | None = None) -> list[Phase]:
    now = now or timezone.now()
    keys = list(PHASE_LABELS)
    times = [getattr(contest, k) for k in keys]
    current = sum(1 for t in times if t <= now) - 1
    return [
        Phase(
            key=k,
            label=PHASE_LABELS[k],
            at=t,
            state="done" if i < current else ("current" if i == current else "next"),
        )
        for i, (k, t) in enumerate(zip(keys, times, strict=True))
    ]


def provider_contest_wins(*, provider_ids: list[int]) -> dict[int, int]:
    """How many paid contest prizes each provider won (the track record's "wins")."""
    rows = (
        Winner.objects.filter(
            paid_at__isnull=False, submission__entry__provider_id__in=provider_ids
        )
        .values("submission__entry__provider_id")
        .annotate(n=Count("id"))
    )
    return {row["submission__entry__provider_id"]: row["n"] for row in rows}


def winner_of_contract(*, contract_id: int) -> Winner | None:
    """The IP record of a prize contract (for the contract page)."""
    return (
        Winner.objects.filter(contract_id=contract_id)
        .select_related("submission", "contest")
        .prefetch_related("submission__files")
        .first()
    )


def poster_member(*, user: Any, contest: Contest) -> bool:
    return user_is_poster_member(user=user, task=contest.task)


def reviewer_candidate_by_email(*, email: str) -> Any:
    """The active account a poster names as a reviewer, or None."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()


def reviewer_invitation_for(*, user: Any, contest: Contest) -> Reviewer | None:
    if not _authenticated(user):
        return None
    return Reviewer.objects.filter(contest=contest, user=user).first()
