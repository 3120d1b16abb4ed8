"""Deciding delivered units, paying accepted ones at once, and closing the task.

Payment: every accepted unit gets a contract of its own (mode piecework, one milestone of
the unit price, no bid) funded from the task's pool and accepted at once, so payments
releases it through the normal acceptance path, exactly as contests pay a prize
(contests.services.publicity.contest_pay). One contract per unit rather than one per
provider with a milestone per unit, because a unit's contract is made complete in the same
transaction that accepts it: its amount never changes after it is funded (the ledger's
escrow of a contract is funded once and released once), the receipt is per payment, the IP
record (the contract's ip_terms, stamped at acceptance) belongs to exactly the delivered
files, and the track record counts accepted units as these contracts. A unit contract does
not move the task (contracts skips task progress for piece-work); the task moves when the
piece-work closes.

Rejection: a rejected unit leaves the provider's claim and becomes claimable again (by
anyone, the same provider too, within the cap) until the deadline; what is still not
accepted when the task closes returns to the poster.

Races: deciding, auto-accepting and closing all take the terms' lock first, then the
delivery's, and re-check the delivery's status, so two accepts of one unit pay once (the
second is refused: already decided) and an accept racing the silence job pays once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.services import contract_create_for_prize, prize_delivery_accept
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from marketplace.permissions import require_active_user
from payments.selectors import task_pool_state
from payments.services.pool import pool_allocate, pool_return
from piecework.models import Claim, Terms, UnitDelivery
from piecework.services._common import terms_lock
from piecework.states import PIECEWORK
from tasks.selectors import task_capabilities
from tasks.services import (
    task_expire_unbid,
    task_lock,
    task_mark_awarded,
    task_mark_completed,
    task_mark_entries_closed,
    task_mark_started,
)
from tasks.states import TASK

D = UnitDelivery.Status


def _delivery_lock(delivery_id: int, terms: Terms) -> UnitDelivery:
    delivery = (
        UnitDelivery.objects.select_for_update(of=("self",))
        .select_related("claim", "claim__provider")
        .filter(pk=delivery_id, claim__terms=terms)
        .first()
    )
    if delivery is None:
        raise NotFound(_("This delivery does not exist or is not visible to you."))
    return delivery


def _terms_id_of(delivery_id: int) -> int:
    terms_id = (
        UnitDelivery.objects.filter(pk=delivery_id)
        .values_list("claim__terms_id", flat=True)
        .first()
    )
    if terms_id is None:
        raise NotFound(_("This delivery does not exist or is not visible to you."))
    return terms_id


def _require_decider(actor: Any, terms: Terms) -> None:
    require_active_user(actor)
    if not task_capabilities(user=actor, task=terms.task).manage:
        raise NotAllowed(
            _("Only the poster organization's owners and admins can decide on deliveries."),
            code="not_poster",
        )


def _require_pending(delivery: UnitDelivery) -> None:
    if delivery.status != D.PENDING:
        raise InvalidTransition(
            _("This unit was already %(decision)s.")
            % {"decision": delivery.get_status_display().lower()},
            code="already_decided",
        )


def _pay(terms: Terms, delivery: UnitDelivery, *, actor: Any, auto: bool) -> None:
    """The accepted unit's contract, funded from the pool and accepted (payments releases it
    after commit). Under the terms' and the delivery's locks; the pool move's reference is
    fixed per delivery."""
    task = terms.task
    number = UnitDelivery.objects.filter(claim__terms=terms, status=D.ACCEPTED).count() + 1
    contract = contract_create_for_prize(
        actor=actor or task.created_by,
        task=task,
        provider=delivery.claim.provider,
        amount=terms.unit_price_money,
        title=_("%(unit)s #%(n)d: %(title)s")
        % {"unit": terms.unit_name, "n": number, "title": task.title},
        description=terms.unit_description[:4000],
    )
    pool_allocate(
        task=task,
        contract=contract,
        amount=terms.unit_price_money,
        reference=f"piecework:{terms.pk}:unit:{delivery.pk}",
    )
    files = ", ".join(f"{f.original_name} sha256:{f.sha256}" for f in delivery.files.all())
    prize_delivery_accept(
        actor=actor,
        contract=contract,
        note=f"{delivery.note}\n{files}",
        submitted_by=delivery.submitted_by,
        auto=auto,
    )
    delivery.contract = contract


def _accept(terms: Terms, delivery: UnitDelivery, *, actor: Any, now: dt.datetime) -> None:
    auto = actor is None
    _pay(terms, delivery, actor=actor, auto=auto)
    delivery.status = D.ACCEPTED
    delivery.decided_by = actor
    delivery.decided_at = now
    delivery.silence_accepted = auto
    delivery.save(update_fields=["status", "decided_by", "decided_at", "silence_accepted",
                                 "contract"])  # fmt: skip
    audit_record(
        actor=actor,
        action="piecework.auto_accept" if auto else "piecework.accept",
        target=delivery,
        data={"contract": delivery.contract_id, "amount": terms.unit_price},
    )
    notifications.schedule("piecework_unit_accepted", delivery.pk)


def unit_accept(*, actor: Any, delivery: UnitDelivery) -> UnitDelivery:
    """The poster accepts a delivered unit: it is paid at once from the pool."""
    with transaction.atomic():
        terms = terms_lock(terms_id=_terms_id_of(delivery.pk))
        _require_decider(actor, terms)
        delivery = _delivery_lock(delivery.pk, terms)
        _require_pending(delivery)
        _accept(terms, delivery, actor=actor, now=timezone.now())
    return delivery


def unit_reject(*, actor: Any, delivery: UnitDelivery, reason: str) -> UnitDelivery:
    """The poster rejects a delivered unit with a reason; the unit leaves the provider's
    claim and is claimable again (its money stays in the pool)."""
    if len(reason.strip()) < 5 or len(reason) > 4000:
        raise ValidationFailed(
            _("Say why the unit is rejected, in 5 to 4,000 characters."),
            fields={"reason": [_("The provider reads this reason.")]},
        )
    with transaction.atomic():
        terms = terms_lock(terms_id=_terms_id_of(delivery.pk))
        _require_decider(actor, terms)
        delivery = _delivery_lock(delivery.pk, terms)
        _require_pending(delivery)
        delivery.status = D.REJECTED
        delivery.reason = reason.strip()
        delivery.decided_by = actor
        delivery.decided_at = timezone.now()
        delivery.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        claim = Claim.objects.select_for_update().get(pk=delivery.claim_id)
        claim.units = max(claim.units - 1, 0)
        claim.save(update_fields=["units", "updated_at"])
        audit_record(
            actor=actor,
            action="piecework.reject",
            target=delivery,
            data={"reason": delivery.reason},
        )
        notifications.schedule("piecework_unit_rejected", delivery.pk)
    return delivery


def unit_auto_accept(*, delivery_id: int, now: dt.datetime | None = None) -> UnitDelivery | None:
    """Silence accepts: a unit still pending once its review window passed is accepted and
    paid. Safe to run twice or late: the delivery's status under the terms' lock decides."""
    now = now or timezone.now()
    with transaction.atomic():
        terms = terms_lock(terms_id=_terms_id_of(delivery_id))
        delivery = _delivery_lock(delivery_id, terms)
        if delivery.status != D.PENDING or now < delivery.review_due_at:
            return None
        if terms.status != Terms.Status.OPEN:
            return None
        _accept(terms, delivery, actor=None, now=now)
    return delivery


def _close_task(terms: Terms, *, accepted: int, actor: Any) -> None:
    """The task follows its piece-work: completed when some unit was paid, else expired."""
    task = task_lock(task_id=terms.task_id)
    task_mark_entries_closed(task=task)
    if accepted:
        if TASK.can(task.status, "award"):
            task_mark_awarded(task=task, actor=actor)
        task_mark_started(task_id=task.pk)
        task_mark_completed(task_id=task.pk, actor=actor)
    elif TASK.can(task.status, "expire"):
        task_expire_unbid(task=task)


def piecework_close(
    *, terms: Terms, actor: Any = None, now: dt.datetime | None = None
) -> Terms | None:
    """Close the task: the poster at any time, the beat job once the deadline passed; refused
    (or, for the job, put off) while a delivered unit waits for review. Whatever the pool
    still holds (unclaimed, undelivered and rejected units) returns to the poster in full.
    Safe to run twice or late: a closed task is left alone, the return has a fixed reference."""
    now = now or timezone.now()
    with transaction.atomic():
        terms = terms_lock(terms_id=terms.pk)
        if actor is not None:
            _require_decider(actor, terms)
            PIECEWORK.check(terms.status, "close")
        elif terms.status != Terms.Status.OPEN or now < terms.closes_at:
            return None
        pending = UnitDelivery.objects.filter(claim__terms=terms, status=D.PENDING).count()
        if pending:
            if actor is None:
                return None
            raise InvalidTransition(
                ngettext(
                    "Decide the %(n)d unit waiting for review before you close the task.",
                    "Decide the %(n)d units waiting for review before you close the task.",
                    pending,
                )
                % {"n": pending},
                code="pending_review",
            )
        terms.status = PIECEWORK.check(terms.status, "close")
        terms.closed_at = now
        terms.save(update_fields=["status", "closed_at"])
        held = task_pool_state(task_id=terms.task_id).held
        if held.amount > 0:
            pool_return(
                task=terms.task,
                amount=held,
                fee_bps=0,
                reference=f"piecework:{terms.pk}:close",
                reason="piece-work closed: units not paid",
            )
        accepted = UnitDelivery.objects.filter(claim__terms=terms, status=D.ACCEPTED).count()
        _close_task(terms, accepted=accepted, actor=actor)
        audit_record(
            actor=actor,
            action="piecework.close",
            target=terms,
            data={"returned": held.amount, "accepted": accepted},
        )
        notifications.schedule("piecework_closed", terms.pk)
    return terms


def piecework_advance_due(*, now: dt.datetime | None = None) -> int:
    """The beat job: accept every unit whose review window passed, then close every task past
    its deadline with nothing left to review, each in its own transaction; returns how many
    moved."""
    from piecework.selectors import piecework_due

    now = now or timezone.now()
    moved = 0
    for delivery_id in piecework_due(now=now)["auto_accept"]:
        moved += unit_auto_accept(delivery_id=delivery_id, now=now) is not None
    for terms_id in piecework_due(now=now)["close"]:
        moved += piecework_close(terms=Terms(pk=terms_id), now=now) is not None
    return moved
