"""Publicity (公示), objections (质疑), payout and return.

Objections are contests.Objection rows decided by a service here rather than a new kind of
disputes.Dispute: a dispute in disputes/ is about a milestone's escrow between two parties of
a contract (evidence from both sides, a split decision executed by payments), while an
objection is about a contest's ranking, raised by any participant before any contract
exists. What the objection reuses from the dispute machinery is who decides
(disputes.selectors.user_is_mediator, or a moderator: contests.selectors.user_decides_objections),
the back office (contests/admin.py beside disputes' admin, a queue card on the dashboard
registry) and the notification registry. While an objection is open the task's pool is
frozen (payments.services.pool.pool_freeze), so no prize can leave it.

Races: filing an objection and paying the prizes both take the contest's lock first and
re-check its state, so either the payout happens and a later objection is refused (the
contest is no longer in publicity), or the objection is filed first and the payout refuses
(an open objection, and the pool is frozen): never both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import provider_profile_ids_operated_by
from contests.models import Contest, Entry, Objection, Winner
from contests.selectors import contest_ranking, user_decides_objections
from contests.services._common import contest_lock
from contests.states import CONTEST
from contracts.services import contract_create_for_prize, prize_delivery_accept
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from marketplace.money import Money
from marketplace.permissions import require_active_user
from payments.selectors import task_pool_state
from payments.services.pool import pool_allocate, pool_freeze, pool_return, pool_unfreeze
from tasks.services import (
    task_expire_unbid,
    task_lock,
    task_mark_completed,
    task_mark_entries_closed,
)
from tasks.states import TASK

S = Contest.Status


def objection_file(
    *, actor: Any, contest: Contest, reason: str, now: dt.datetime | None = None
) -> Objection:
    """A participant objects to the provisional winners during the objection window; the
    pool freezes until every objection is decided."""
    require_active_user(actor)
    if len(reason.strip()) < 10 or len(reason) > 4000:
        raise ValidationFailed(
            _("Explain the objection in 10 to 4,000 characters."),
            fields={"reason": [_("Say what is wrong with the result.")]},
        )
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        now = now or timezone.now()
        entry = Entry.objects.filter(
            contest=contest, provider_id__in=provider_profile_ids_operated_by(user=actor)
        ).first()
        if entry is None:
            raise NotAllowed(
                _("Only the contest's participants can object."), code="not_participant"
            )
        if contest.status != S.PUBLICITY or now >= contest.objection_closes:
            raise InvalidTransition(
                _("Objections are taken only while the winners are in publicity."),
                code="objections_closed",
            )
        objection = Objection.objects.create(
            contest=contest, entry=entry, filed_by=actor, reason=reason.strip()
        )
        pool_freeze(contest.task, reason=f"contest objection {objection.pk}")
        audit_record(actor=actor, action="contest.objection_file", target=objection)
        notifications.schedule("contest_objection_filed", objection.pk)
    return objection


def objection_decide(*, actor: Any, objection: Objection, upheld: bool, note: str) -> Objection:
    """A moderator or mediator decides an objection. Upheld: the winners are set aside and
    the contest returns to review for the poster to confirm again. The pool unfreezes once
    no objection is open."""
    require_active_user(actor)
    if not user_decides_objections(actor):
        raise NotAllowed(_("Only moderators and mediators decide objections."))
    if len(note.strip()) < 5:
        raise ValidationFailed(
            _("Give the reasons for the decision."), fields={"note": [_("Required.")]}
        )
    with transaction.atomic():
        contest = contest_lock(contest_id=objection.contest_id)
        locked = Objection.objects.select_for_update().filter(pk=objection.pk).first()
        if locked is None:
            raise NotFound(_("This objection does not exist."))
        objection = locked
        if objection.status != Objection.Status.OPEN:
            raise InvalidTransition(_("This objection has already been decided."))
        objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        objection.decided_by = actor
        objection.decision_note = note.strip()
        objection.decided_at = timezone.now()
        objection.save(update_fields=["status", "decided_by", "decision_note", "decided_at"])
        if upheld and contest.status == S.PUBLICITY:
            contest.status = CONTEST.check(contest.status, "reopen_review")
            contest.save(update_fields=["status"])
            Winner.objects.filter(contest=contest).delete()
        if not Objection.objects.filter(contest=contest, status=Objection.Status.OPEN).exists():
            pool_unfreeze(contest.task)
        audit_record(
            actor=actor,
            action="contest.objection_decide",
            target=objection,
            data={"upheld": upheld, "note": objection.decision_note},
        )
        notifications.schedule("contest_objection_decided", objection.pk)
    return objection


def _return_unpaid(contest: Contest, *, paid: int, reason: str) -> Money:
    """Give back what the contest will not pay: the guaranteed contest's unawarded prizes in
    full, a non-guaranteed contest's less its stated fee."""
    left = contest.prize_total - paid
    held = task_pool_state(task_id=contest.task_id).held.amount
    amount = min(left, held)
    if amount <= 0:
        return Money(0, contest.currency)
    pool_return(
        task=contest.task,
        amount=Money(amount, contest.currency),
        fee_bps=0 if contest.guaranteed else contest.return_fee_bps,
        reference=f"contest:{contest.pk}:return",
        reason=reason,
    )
    return Money(amount, contest.currency)


def contest_pay(*, contest_id: int, now: dt.datetime | None = None) -> Contest | None:
    """Announce and pay, at the announcement time once no objection is open: each winner gets
    a prize contract funded from the pool and accepted at once (payments releases it), the IP
    record is stamped at that moment, and unawarded prizes return. Safe to run twice or late:
    the contest's lock and state decide, and every pool move has a fixed reference."""
    now = now or timezone.now()
    with transaction.atomic():
        contest = contest_lock(contest_id=contest_id)
        if contest.status != S.PUBLICITY or now < contest.announce_at:
            return None
        if Objection.objects.filter(contest=contest, status=Objection.Status.OPEN).exists():
            return None
        contest.status = CONTEST.check(contest.status, "pay")
        winners = list(
            Winner.objects.filter(contest=contest)
            .select_related("submission__entry__provider", "submission__submitted_by")
            .prefetch_related("submission__files")
            .order_by("rank")
        )
        task = contest.task
        actor = contest.winners_confirmed_by
        for winner in winners:
            contract = contract_create_for_prize(
                actor=actor,
                task=task,
                provider=winner.submission.entry.provider,
                amount=winner.amount_money,
                title=_("Prize #%(rank)d: %(title)s") % {"rank": winner.rank, "title": task.title},
            )
            pool_allocate(
                task=task,
                contract=contract,
                amount=winner.amount_money,
                reference=f"contest:{contest.pk}:prize:{winner.rank}",
            )
            winner.contract = contract
        for winner in winners:
            assert winner.contract is not None
            files = ", ".join(
                f"{f.original_name} sha256:{f.sha256}" for f in winner.submission.files.all()
            )
            prize_delivery_accept(
                actor=actor,
                contract=winner.contract,
                note=f"{winner.submission.title}\n{files}",
                submitted_by=winner.submission.submitted_by,
            )
            winner.paid_at = now
            winner.ip_terms = task.ip_terms
            winner.ip_transferred_at = now
        Winner.objects.bulk_update(
            winners, ["contract", "paid_at", "ip_terms", "ip_transferred_at"]
        )
        if winners:
            task_mark_completed(task_id=task.pk, actor=actor)
        _return_unpaid(contest, paid=sum(w.amount for w in winners), reason="unawarded prizes")
        contest.paid_at = now
        contest.save(update_fields=["status", "paid_at"])
        audit_record(
            actor=None,
            action="contest.pay",
            target=contest,
            data={"winners": [[w.rank, w.amount, w.contract_id] for w in winners]},
        )
        notifications.schedule("contest_paid", contest.pk)
    return contest


def _close_task(contest: Contest) -> None:
    task = task_lock(task_id=contest.task_id)
    if TASK.can(task.status, "expire"):
        task_expire_unbid(task=task)


def contest_close_submissions(*, contest_id: int, now: dt.datetime | None = None) -> Contest | None:
    """At the submission deadline: review begins; with no submission at all the prize
    returns (in full when guaranteed: nobody can be paid). Safe to run twice or late."""
    now = now or timezone.now()
    with transaction.atomic():
        contest = contest_lock(contest_id=contest_id)
        if contest.status != S.OPEN or now < contest.submission_closes:
            return None
        if not contest_ranking(contest=contest):
            contest.status = CONTEST.check(contest.status, "return")
            contest.returned_at = now
            contest.save(update_fields=["status", "returned_at"])
            _return_unpaid(contest, paid=0, reason="no submissions")
            _close_task(contest)
            audit_record(actor=None, action="contest.return", target=contest,
                         data={"why": "no submissions"})  # fmt: skip
            return contest
        contest.status = CONTEST.check(contest.status, "close_submissions")
        contest.review_started_at = now
        contest.save(update_fields=["status", "review_started_at"])
        task = task_lock(task_id=contest.task_id)
        task_mark_entries_closed(task=task)
        audit_record(actor=None, action="contest.review", target=contest)
        notifications.schedule("contest_review_started", contest.pk)
    return contest


def contest_review_over(*, contest_id: int, now: dt.datetime | None = None) -> Contest | None:
    """When review closes: a non-guaranteed contest where no submission reached the pass
    mark returns its prize less the stated fee. Otherwise nothing happens (the poster still
    confirms the winners). Safe to run twice or late."""
    now = now or timezone.now()
    with transaction.atomic():
        contest = contest_lock(contest_id=contest_id)
        if contest.status != S.REVIEW or now < contest.review_closes or contest.guaranteed:
            return None
        if any(row.qualifies(contest.pass_mark) and row.cards for row in
               contest_ranking(contest=contest)):  # fmt: skip
            return None
        contest.status = CONTEST.check(contest.status, "return")
        contest.returned_at = now
        contest.save(update_fields=["status", "returned_at"])
        _return_unpaid(contest, paid=0, reason="no submission reached the pass mark")
        _close_task(contest)
        audit_record(actor=None, action="contest.return", target=contest,
                     data={"why": "below the pass mark"})  # fmt: skip
        notifications.schedule("contest_returned", contest.pk)
    return contest


def contests_advance_due(*, now: dt.datetime | None = None) -> int:
    """The beat job: every contest whose next phase is due moves, each in its own
    transaction; returns how many moved."""
    from contests.selectors import contests_due

    now = now or timezone.now()
    due = contests_due(now=now)
    moved = 0
    for contest_id in due["close"]:
        moved += contest_close_submissions(contest_id=contest_id, now=now) is not None
    for contest_id in due["review_over"]:
        moved += contest_review_over(contest_id=contest_id, now=now) is not None
    for contest_id in due["pay"]:
        moved += contest_pay(contest_id=contest_id, now=now) is not None
    return moved
