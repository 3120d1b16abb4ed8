"""Reviewing: the reviewers (the poster's members, or invited experts who accept the role
and the task's NDA), one scorecard per reviewer and submission, and the poster's
confirmation of the winners (a reason for any change to the computed order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.selectors import provider_profile_ids_operated_by
from contests.models import (
    Contest,
    Criterion,
    Entry,
    Prize,
    Reviewer,
    Score,
    Scorecard,
    Submission,
    Winner,
)
from contests.selectors import contest_ranking, scorecards_complete
from contests.services._common import contest_lock
from contests.states import CONTEST
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from marketplace.permissions import require_active_user
from tasks.selectors import task_capabilities, user_accepted_nda, user_is_poster_member
from tasks.services import task_lock, task_mark_awarded, task_nda_accept
from tasks.states import TASK

S = Contest.Status
REVIEWERS_EDITABLE = (S.DRAFT, S.FUNDING, S.OPEN, S.REVIEW)


def contest_reviewer_add(*, actor: Any, contest: Contest, user: Any) -> Reviewer:
    """The poster adds a reviewer: one of its members (accepted at once) or an outside expert
    (invited; they accept the role and the NDA themselves). Not a participant."""
    require_active_user(actor)
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        if not task_capabilities(user=actor, task=contest.task).manage:
            raise NotAllowed(_("Only the poster organization's owners and admins add reviewers."))
        if contest.status not in REVIEWERS_EDITABLE:
            raise InvalidTransition(_("Reviewers can no longer change on this contest."))
        if user is None or not user.is_active:
            raise ValidationFailed(
                _("There is no active account with that email."), fields={"email": [_("Unknown.")]}
            )
        if Entry.objects.filter(
            contest=contest, provider_id__in=provider_profile_ids_operated_by(user=user)
        ).exists():
            raise ValidationFailed(
                _("A participant cannot review the contest."), fields={"email": [_("Taking part.")]}
            )
        member = user_is_poster_member(user=user, task=contest.task)
        try:
            with transaction.atomic():
                reviewer = Reviewer.objects.create(
                    contest=contest,
                    user=user,
                    kind=Reviewer.Kind.MEMBER if member else Reviewer.Kind.EXPERT,
                    invited_by=actor,
                    accepted_at=timezone.now() if member else None,
                )
        except IntegrityError:
            raise Conflict(
                _("This person already reviews the contest."), code="duplicate"
            ) from None
        audit_record(actor=actor, action="contest.reviewer_add", target=reviewer)
        if not member:
            notifications.schedule("contest_reviewer_invited", reviewer.pk)
    return reviewer


def contest_reviewer_accept(*, actor: Any, reviewer: Reviewer) -> Reviewer:
    """The invited expert accepts the role, and with it the task's NDA when it has one."""
    require_active_user(actor)
    with transaction.atomic():
        contest = contest_lock(contest_id=reviewer.contest_id)
        reviewer = Reviewer.objects.select_for_update().get(pk=reviewer.pk)
        if reviewer.user_id != actor.pk:
            raise NotFound(_("This invitation does not exist or is not yours."))
        if reviewer.accepted_at is not None:
            return reviewer
        if contest.status not in REVIEWERS_EDITABLE:
            raise InvalidTransition(_("This contest no longer needs reviewers."))
        task = contest.task
        if task.nda_required and not user_accepted_nda(user=actor, task=task):
            task_nda_accept(user=actor, task=task)
        reviewer.accepted_at = timezone.now()
        reviewer.save(update_fields=["accepted_at"])
        audit_record(actor=actor, action="contest.reviewer_accept", target=reviewer)
    return reviewer


def scorecard_submit(
    *,
    actor: Any,
    contest: Contest,
    submission_id: int,
    scores: Mapping[int, int],
    comment: str = "",
) -> Scorecard:
    """A reviewer's scores (0-100 per criterion) for one submission, once, during review.
    Anyone who is not an accepted reviewer of this contest is refused and nothing is written."""
    require_active_user(actor)
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        reviewer = Reviewer.objects.filter(
            contest=contest, user=actor, accepted_at__isnull=False
        ).first()
        if reviewer is None:
            raise NotAllowed(
                _("Only the contest's reviewers can fill in scorecards."), code="not_reviewer"
            )
        if contest.status != S.REVIEW:
            raise InvalidTransition(_("Scorecards are filled in during the review phase only."))
        submission = Submission.objects.filter(pk=submission_id, entry__contest=contest).first()
        if submission is None:
            raise NotFound(_("This submission is not part of the contest."))
        criteria = list(Criterion.objects.filter(contest=contest).order_by("position"))
        errors: dict[str, list[Any]] = {}
        known = {c.pk for c in criteria}
        if set(scores) - known:
            errors["scores"] = [_("Score only this contest's criteria.")]
        for criterion in criteria:
            value = scores.get(criterion.pk)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                errors[f"criterion_{criterion.pk}"] = [
                    _("Score %(name)s from 0 to 100.") % {"name": criterion.name}
                ]
        if len(comment) > 4000:
            errors["comment"] = [_("Keep the comment to 4,000 characters.")]
        if errors:
            raise ValidationFailed(_("Some scores are missing or out of range."), fields=errors)
        weighted = sum(scores[c.pk] * c.weight for c in criteria)
        try:
            with transaction.atomic():
                card = Scorecard.objects.create(
                    reviewer=reviewer,
                    submission=submission,
                    weighted=weighted,
                    comment=comment.strip(),
                )
        except IntegrityError:
            raise Conflict(
                _("You have already scored this submission."), code="already_scored"
            ) from None
        Score.objects.bulk_create(
            Score(scorecard=card, criterion=c, value=scores[c.pk]) for c in criteria
        )
        audit_record(actor=actor, action="contest.score", target=card, data={"weighted": weighted})
    return card


def contest_winners_confirm(
    *,
    actor: Any,
    contest: Contest,
    submission_ids: Sequence[int],
    reason: str = "",
    now: dt.datetime | None = None,
) -> list[Winner]:
    """The poster confirms the winners, first place first: review → publicity. The computed
    ranking (of the submissions that reach the pass mark) is the default; any other order
    needs a reason. Two confirmations at once give one result (the contest's lock; the second
    finds the contest in publicity)."""
    require_active_user(actor)
    now = now or timezone.now()
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        if not task_capabilities(user=actor, task=contest.task).manage:
            raise NotAllowed(
                _("Only the poster organization's owners and admins confirm the winners.")
            )
        CONTEST.check(contest.status, "confirm_winners")
        if not scorecards_complete(contest=contest) and now < contest.review_closes:
            raise InvalidTransition(
                _("Wait until every reviewer has scored every submission."),
                code="scorecards_missing",
            )
        prizes = list(Prize.objects.filter(contest=contest).order_by("rank"))
        ranking = contest_ranking(contest=contest)
        by_id = {row.submission.pk: row for row in ranking}
        chosen = list(submission_ids)
        errors: list[str | Promise] = []
        if not chosen:
            errors.append(_("Choose at least one winner."))
        if len(chosen) > len(prizes):
            errors.append(_("There are only %(n)d prizes.") % {"n": len(prizes)})
        if len(set(chosen)) != len(chosen):
            errors.append(_("A submission can win only one prize."))
        if any(sid not in by_id for sid in chosen):
            errors.append(_("Choose among this contest's submissions."))
        elif any(not by_id[sid].qualifies(contest.pass_mark) for sid in chosen):
            errors.append(
                _("A winner must reach the pass mark of %(mark)d.") % {"mark": contest.pass_mark}
            )
        if errors:
            raise ValidationFailed(errors[0], fields={"winners": errors})
        computed = [row.submission.pk for row in ranking if row.qualifies(contest.pass_mark)][
            : len(chosen)
        ]
        if chosen != computed and len(reason.strip()) < 5:
            raise ValidationFailed(
                _("Say why the winners differ from the computed ranking."),
                fields={"reason": [_("A reason is required for a change to the order.")]},
            )
        winners = Winner.objects.bulk_create(
            Winner(
                contest=contest,
                rank=rank,
                submission_id=sid,
                amount=prize.amount,
                computed_rank=by_id[sid].position,
                weighted=by_id[sid].weighted,
            )
            for rank, (sid, prize) in enumerate(zip(chosen, prizes, strict=False), start=1)
        )
        contest.status = S.PUBLICITY
        contest.publicity_at = now
        contest.winners_confirmed_by = actor
        contest.winners_reason = reason.strip() if chosen != computed else ""
        update = ["status", "publicity_at", "winners_confirmed_by", "winners_reason"]
        if now >= contest.objection_closes:
            # Confirmed late (or again after an upheld objection): the publicity window is
            # given its full length from now, and the announcement moves with it.
            window = contest.objection_closes - contest.review_closes
            gap = contest.announce_at - contest.objection_closes
            contest.objection_closes = now + window
            contest.announce_at = contest.objection_closes + gap
            update += ["objection_closes", "announce_at"]
            if contest.review_closes >= contest.objection_closes:
                contest.review_closes = now
                update.append("review_closes")
        contest.save(update_fields=update)
        task = task_lock(task_id=contest.task_id)
        if TASK.can(task.status, "award"):
            task_mark_awarded(task=task, actor=actor)
        audit_record(
            actor=actor,
            action="contest.confirm_winners",
            target=contest,
            data={"winners": chosen, "computed": computed, "reason": contest.winners_reason},
        )
        notifications.schedule("contest_winners_published", contest.pk, tag=now.isoformat())
    return winners
