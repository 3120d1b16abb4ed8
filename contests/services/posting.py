"""Posting a contest: its task (mode contest), prize ladder, criteria and phases; funding the
whole prize into the task's pool; opening when the pool holds it; cancelling before it opens."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from contests.models import Contest, Criterion, Prize
from contests.services._common import contest_lock
from contests.states import CONTEST
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import DomainError, FieldErrors, NotAllowed, ValidationFailed
from marketplace.money import Money
from marketplace.permissions import require_active_user
from marketplace.terms import MilestoneTerms
from payments.models import GatewayObject
from payments.selectors import task_pool_state
from payments.services.pool import pool_fund_start, pool_return
from tasks.models import Task
from tasks.selectors import task_capabilities
from tasks.services import task_cancel, task_create, task_submit

logger = logging.getLogger(__name__)

MAX_PRIZES = 20
MAX_CRITERIA = 10
# Submissions stay open at least this long after the contest is submitted (the task's own
# rule for a bid window), and the whole contest fits in the task's 180 days.
MIN_SUBMISSION_WINDOW = dt.timedelta(hours=1)
MAX_CONTEST_SPAN = dt.timedelta(days=365)
PHASES = ("registration_opens", "submission_closes", "review_closes", "objection_closes",
          "announce_at")  # fmt: skip
POOL_PURPOSE = "contest_prize"


def contest_terms_problems(
    *,
    prize_total: int,
    prizes: Sequence[int],
    criteria: Sequence[tuple[str, int]],
    phases: Mapping[str, dt.datetime],
    guaranteed: bool,
    return_fee_bps: int,
    pass_mark: int,
    now: dt.datetime,
) -> FieldErrors:
    """Everything contest_create refuses in the contest's own terms, by field."""
    errors = FieldErrors()
    if not isinstance(prize_total, int) or prize_total <= 0:
        errors.add("prize_total", _("Enter the total prize you will fund."))
    if not prizes:
        errors.add("prizes", _("Add at least one prize."))
    elif len(prizes) > MAX_PRIZES:
        errors.add("prizes", _("A contest has at most %(n)d prizes.") % {"n": MAX_PRIZES})
    elif any(not isinstance(p, int) or p <= 0 for p in prizes):
        errors.add("prizes", _("Every prize must be more than zero."))
    elif "prize_total" not in errors and sum(prizes) != prize_total:
        errors.add(
            "prizes",
            _("The prizes add up to %(sum)s, not the %(total)s you fund.")
            % {"sum": Money(sum(prizes)).format(), "total": Money(prize_total).format()},
        )
    elif list(prizes) != sorted(prizes, reverse=True):
        errors.add("prizes", _("A higher place cannot win less than a lower one."))
    if not criteria:
        errors.add("criteria", _("Publish at least one scoring criterion."))
    elif len(criteria) > MAX_CRITERIA:
        errors.add("criteria", _("Use at most %(n)d criteria.") % {"n": MAX_CRITERIA})
    elif any(not name.strip() or len(name) > 120 for name, _w in criteria):
        errors.add("criteria", _("Give every criterion a name of at most 120 characters."))
    elif any(not isinstance(w, int) or not 1 <= w <= 100 for _n, w in criteria):
        errors.add("criteria", _("Every weight is a whole percentage from 1 to 100."))
    elif sum(w for _n, w in criteria) != 100:
        errors.add(
            "criteria",
            _("The weights add up to %(sum)d%%; they must add up to 100%%.")
            % {"sum": sum(w for _n, w in criteria)},
        )
    missing = [name for name in PHASES if not isinstance(phases.get(name), dt.datetime)]
    for name in missing:
        errors.add(name, _("Enter a date and time."))
    if not missing:
        for earlier, later in itertools.pairwise(PHASES):
            if later == "announce_at":
                in_order = phases[earlier] <= phases[later]
            else:
                in_order = phases[earlier] < phases[later]
            if not in_order:
                errors.add(later, _("The phases must follow each other in order."))
        if phases["submission_closes"] < now + MIN_SUBMISSION_WINDOW:
            errors.add(
                "submission_closes", _("Submissions must stay open at least an hour from now.")
            )
        if phases["announce_at"] > now + MAX_CONTEST_SPAN:
            errors.add("announce_at", _("A contest must be announced within a year."))
    if guaranteed and return_fee_bps:
        errors.add("return_fee_bps", _("A guaranteed contest pays a winner: it has no return fee."))
    if not isinstance(return_fee_bps, int) or not 0 <= return_fee_bps <= 10000:
        errors.add("return_fee_bps", _("The fee is from 0 to 10,000 basis points (100%)."))
    if not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        errors.add("pass_mark", _("The pass mark is a score from 0 to 100."))
    return errors


def contest_create(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    title: str,
    summary: str,
    description: str,
    skills: Mapping[int, int],
    prize_total: int,
    prizes: Sequence[int],
    criteria: Sequence[tuple[str, int]],
    registration_opens: dt.datetime,
    submission_closes: dt.datetime,
    review_closes: dt.datetime,
    objection_closes: dt.datetime,
    announce_at: dt.datetime,
    guaranteed: bool = True,
    return_fee_bps: int = 0,
    pass_mark: int = 0,
    blind: bool = False,
    currency: str = "CNY",
    region: str = "",
    visibility: str = Task.Visibility.PUBLIC,
    ip_terms: str = Task.IpTerms.TRANSFER,
    ip_terms_custom: str = "",
    nda_required: bool = False,
) -> Contest:
    """A draft contest and its task (mode contest): the ladder adds up to the prize funded,
    the weights to 100, the phases follow each other. All or nothing."""
    require_active_user(actor)
    now = timezone.now()
    phases = {
        "registration_opens": registration_opens,
        "submission_closes": submission_closes,
        "review_closes": review_closes,
        "objection_closes": objection_closes,
        "announce_at": announce_at,
    }
    contest_terms_problems(
        prize_total=prize_total,
        prizes=prizes,
        criteria=criteria,
        phases=phases,
        guaranteed=guaranteed,
        return_fee_bps=return_fee_bps,
        pass_mark=pass_mark,
        now=now,
    ).raise_if_any()
    with transaction.atomic():
        task = task_create(
            actor=actor,
            organization=organization,
            kind=kind,
            title=title,
            summary=summary,
            description=description,
            budget_min=prize_total,
            budget_max=prize_total,
            bid_deadline=submission_closes,
            delivery_deadline=timezone.localdate(announce_at) + dt.timedelta(days=1),
            skills=skills,
            milestones=[MilestoneTerms(title=_("Prize"), due_days=1, share_bps=10000)],
            currency=currency,
            region=region,
            visibility=visibility,
            ip_terms=ip_terms,
            ip_terms_custom=ip_terms_custom,
            nda_required=nda_required,
            mode=Task.Mode.CONTEST,
        )
        contest = Contest.objects.create(
            task=task,
            currency=currency,
            prize_total=prize_total,
            guaranteed=guaranteed,
            return_fee_bps=0 if guaranteed else return_fee_bps,
            pass_mark=pass_mark,
            blind=blind,
            **phases,
        )
        Prize.objects.bulk_create(
            Prize(contest=contest, rank=rank, amount=amount)
            for rank, amount in enumerate(prizes, start=1)
        )
        Criterion.objects.bulk_create(
            Criterion(contest=contest, position=position, name=name.strip(), weight=weight)
            for position, (name, weight) in enumerate(criteria, start=1)
        )
        audit_record(
            actor=actor,
            action="contest.create",
            target=contest,
            data={"prize_total": prize_total, "prizes": list(prizes)},
        )
    return contest


def _require_manager(actor: Any, contest: Contest, message: str) -> None:
    require_active_user(actor)
    if not task_capabilities(user=actor, task=contest.task).manage:
        raise NotAllowed(message)


def contest_submit(*, actor: Any, contest: Contest) -> Contest:
    """The poster is done writing: the contest waits for its prize (draft → funding)."""
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        _require_manager(
            actor, contest, _("Only the poster organization's owners and admins can do this.")
        )
        if contest.submission_closes < timezone.now() + MIN_SUBMISSION_WINDOW:
            raise ValidationFailed(
                _("Submissions must stay open at least an hour from now: move the dates."),
                fields={"submission_closes": [_("Too soon.")]},
            )
        contest.status = CONTEST.check(contest.status, "submit")
        contest.save(update_fields=["status"])
        audit_record(actor=actor, action="contest.submit", target=contest)
    return contest


def contest_fund_start(*, actor: Any, contest: Contest) -> GatewayObject:
    """Ask for the poster's payment of the whole prize into the task's pool (the sandbox
    pays at once and the pool_funded signal opens the contest; Stripe pays on its webhook)."""
    _require_manager(
        actor, contest, _("Only the poster organization's owners and admins can fund the prize.")
    )
    contest.refresh_from_db(fields=["status"])
    CONTEST.check(contest.status, "open")
    return pool_fund_start(
        actor=actor,
        task=contest.task,
        amount=contest.prize_total_money,
        purpose=POOL_PURPOSE,
    )


def contest_funding_arrived(*, task_id: int) -> Contest | None:
    """The pool received money: open the contest once it holds the whole prize, and publish
    its task (moderation first where the task flow says so). Safe to run twice or late: a
    contest that is no longer awaiting funding is left alone."""
    contest_id = Contest.objects.filter(task_id=task_id).values_list("pk", flat=True).first()
    if contest_id is None:
        return None
    with transaction.atomic():
        contest = contest_lock(contest_id=contest_id)
        if contest.status != Contest.Status.FUNDING:
            return None
        held = task_pool_state(task_id=task_id).held
        if held.amount < contest.prize_total:
            return None
        task = contest.task
        try:
            with transaction.atomic():
                task_submit(actor=task.created_by, task=task)
        except DomainError as exc:
            # The submission window passed while the payment was pending: the poster moves
            # the dates or cancels (the pool returns in full); the contest stays in funding.
            logger.warning("contest %s funded but not published: %s", contest.pk, exc)
            audit_record(
                actor=None,
                action="contest.publish_failed",
                target=contest,
                data={"reason": str(exc.message)},
            )
            return None
        contest.status = CONTEST.check(contest.status, "open")
        contest.opened_at = timezone.now()
        contest.save(update_fields=["status", "opened_at"])
        audit_record(actor=None, action="contest.open", target=contest, data={"held": held.amount})
        notifications.schedule("contest_opened", contest.pk)
    return contest


def contest_cancel(*, actor: Any, contest: Contest, reason: str) -> Contest:
    """Cancel before the contest opens; any prize already in the pool returns in full."""
    if not reason.strip():
        raise ValidationFailed(
            _("Say why the contest is cancelled."), fields={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        _require_manager(
            actor, contest, _("Only the poster organization's owners and admins can cancel.")
        )
        contest.status = CONTEST.check(contest.status, "cancel")
        contest.save(update_fields=["status"])
        held = task_pool_state(task_id=contest.task_id).held
        if held.amount > 0:
            pool_return(
                task=contest.task,
                amount=held,
                fee_bps=0,
                reference=f"contest:{contest.pk}:cancel",
                reason="contest cancelled",
            )
        task_cancel(actor=actor, task=contest.task, reason=reason)
        audit_record(actor=actor, action="contest.cancel", target=contest)
    return contest
