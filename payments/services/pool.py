"""The task pool: money a poster pays in up front for a whole task (a contest's prize ladder,
a piece-work task's units), before the contracts it will pay exist (issue 14).

    poster_funding:{org} -> task_pool:{task}        a pool payment succeeds (pool_payment_succeeded)
    task_pool:{task}     -> contract_escrow:{c}     pool_allocate: a winner's / a unit's contract
    task_pool:{task}     -> poster_funding + fee    pool_return: what is not paid goes back

An allocated contract is funded exactly as contract funding funds it
(contracts.services.contract_funding_received), so acceptance, release and the transfer are
the normal path; on Stripe the transfer is made from the pool payment's charge
(source_transaction; several winners may share one charge up to its amount).

Lock order: a contract's locks (contract -> milestones -> escrow, services._common.lock) come
before the pool row; the task's lock (contracts' funding service) comes after it. A caller
must not hold the task's row lock when it calls pool_allocate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract, Milestone
from contracts.services import contract_funding_received
from marketplace.audit import audit_record
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from marketplace.money import Money
from payments.gateway import gateway
from payments.ledger import PLATFORM, account_balance, ledger_account, ledger_post
from payments.models import GatewayObject, LedgerAccount, PoolMove, TaskPool
from payments.services._common import (
    escrow_account,
    lines,
    lock,
    pool_payment_capacity,
    require_not_frozen,
)
from payments.signals import pool_funded
from payments.stripe_api import StripeFailed
from tasks.models import Task
from tasks.selectors import task_capabilities

logger = logging.getLogger(__name__)
K = LedgerAccount.Kind
PURPOSES = tuple(TaskPool.Purpose.values)


# --- Accounts, keys and the lock ---------------------------------------------------------------


def pool_account(task_id: int, currency: str) -> LedgerAccount:
    return ledger_account(kind=K.TASK_POOL, owner=f"task:{task_id}", currency=currency)


def _poster_account(organization_id: int, currency: str) -> LedgerAccount:
    return ledger_account(
        kind=K.POSTER_FUNDING, owner=f"organization:{organization_id}", currency=currency
    )


def _platform(kind: str, currency: str) -> LedgerAccount:
    return ledger_account(kind=kind, owner=PLATFORM, currency=currency)


def pool_key(task_id: int, step: str) -> str:
    """The deterministic key of a pool step: task:{id}:pool:{step}."""
    return f"task:{task_id}:pool:{step}"


def _pool_lock(task_id: int) -> TaskPool:
    pool = TaskPool.objects.select_for_update().filter(task_id=task_id).first()
    if pool is None:
        raise NotFound(_("This task has no prize or unit pool yet."), code="no_pool")
    return pool


def _held(pool: TaskPool) -> Money:
    return account_balance(pool_account(pool.task_id, pool.currency))


def _require_amount(amount: Any, currency: str) -> Money:
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise ValidationFailed(_("The amount must be more than zero."), code="invalid_amount")
    if amount.currency != currency:
        raise ValidationFailed(
            _("The amount must be in the task's currency (%(currency)s).") % {"currency": currency},
            code="invalid_currency",
        )
    return amount


def _require_not_frozen(pool: TaskPool) -> None:
    if pool.frozen_at is not None:
        raise Conflict(
            _("The pool is frozen while an objection is decided; no money can leave it now."),
            code="pool_frozen",
        )


def _pool_payments(task_id: int) -> Any:
    return GatewayObject.objects.filter(
        task_id=task_id, contract__isnull=True, kind=GatewayObject.Kind.PAYMENT_INTENT
    )


# --- Funding ---------------------------------------------------------------------------------


def pool_fund_start(*, actor: Any, task: Task, amount: Money, purpose: str) -> GatewayObject:
    """Ask the gateway for the poster's payment of `amount` into the task's pool.

    The sandbox succeeds at once and the pool holds the money before this returns; Stripe's
    PaymentIntent (transfer_group task-{id}) is pending until its webhook arrives. The key is
    task:{id}:pool:fund:{n}:{amount}, n counting the pool's finished payments: asking again
    while one is pending returns it; a pending one of another amount is cancelled at Stripe
    first (refused while Stripe cannot say it is cancelled)."""
    if purpose not in PURPOSES:
        raise ValidationFailed(
            _("Fund a contest prize or piece-work units."), code="invalid_purpose"
        )
    amount = _require_amount(amount, task.currency)
    try:
        return _pool_fund_start(actor=actor, task=task, amount=amount, purpose=purpose)
    except _NotCancellable as refused:
        # The refusal rolled back everything the attempt wrote, the cancel's outcome with it;
        # kept now, outside that transaction, the next attempt reads it instead of asking
        # Stripe again under the same key (payment_cancel answers a recorded outcome).
        GatewayObject.objects.filter(pk=refused.payment_id, cancellation="").update(
            cancellation=refused.outcome
        )
        raise Conflict(
            _("A payment into this pool is being processed; try again in a moment."),
            code="funding_under_way",
        ) from refused


class _NotCancellable(Exception):
    """Stripe would not cancel a pending pool payment: carried out of the attempt's
    transaction so the outcome can be recorded after its rollback."""

    def __init__(self, payment_id: int, outcome: str) -> None:
        super().__init__(f"payment {payment_id}: {outcome}")
        self.payment_id, self.outcome = payment_id, outcome


def _pool_fund_start(*, actor: Any, task: Task, amount: Money, purpose: str) -> GatewayObject:
    with transaction.atomic():
        task = Task.objects.select_related("organization").get(pk=task.pk)
        if not task_capabilities(user=actor, task=task).manage:
            raise NotAllowed(
                _("Only the poster organization's owners and admins can fund the pool.")
            )
        if task.mode == Task.Mode.TENDER:
            raise InvalidTransition(
                _("A tender is funded per contract, not through a pool."), code="not_pooled"
            )
        TaskPool.objects.get_or_create(
            task=task, defaults={"purpose": purpose, "currency": task.currency}
        )
        pool = _pool_lock(task.pk)
        if pool.purpose != purpose:
            raise ValidationFailed(
                _("This task's pool is for %(purpose)s.") % {"purpose": pool.get_purpose_display()},
                code="invalid_purpose",
            )
        payments = _pool_payments(task.pk)
        for pending in payments.filter(status=GatewayObject.Status.PENDING):
            if pending.amount == amount.amount and pending.gateway == gateway().name:
                return pending
            _supersede(pending)
        finished = payments.exclude(status=GatewayObject.Status.PENDING).count()
        key = pool_key(task.pk, f"fund:{finished + 1}:{amount.amount}")
        payment = gateway().pool_payment_create(task_id=task.pk, amount=amount, key=key)
        audit_record(
            actor=actor,
            action="payments.pool_fund_start",
            target=task,
            data={"amount": amount.amount, "purpose": purpose, "key": key},
        )
        if payment.status == GatewayObject.Status.SUCCEEDED:
            pool_payment_succeeded(payment=payment)
    return payment


def _supersede(pending: GatewayObject) -> None:
    """A pending pool payment of another amount is replaced: cancelled at Stripe (so its
    Payment Element cannot charge any more) and marked failed, inside the pool's lock. One
    Stripe will not cancel (it succeeded or is processing) raises _NotCancellable."""
    from payments.services.funding import payment_cancel

    try:
        outcome = payment_cancel(payment=pending, reason="abandoned")
    except StripeFailed as exc:
        raise Conflict(
            _("A payment into this pool is being processed; try again in a moment."),
            code="funding_under_way",
        ) from exc
    if outcome != GatewayObject.Cancellation.CANCELED:
        raise _NotCancellable(pending.pk, outcome)  # recorded by pool_fund_start
    pending.status = GatewayObject.Status.FAILED
    pending.failure_message = "replaced by a payment of another amount"
    pending.save(update_fields=["status", "failure_message"])


def pool_payment_succeeded(*, payment: GatewayObject, charge_id: str | None = None) -> None:
    """A pool payment's money arrived (the sandbox at once, Stripe's webhook): poster funding
    -> task pool, the processor's fee as the platform's cost, and pool_funded after commit.
    Idempotent: the entries carry the payment's key and the move is one per payment."""
    assert payment.task_id is not None
    with transaction.atomic():
        pool = _pool_lock(payment.task_id)
        payment = GatewayObject.objects.select_for_update().get(pk=payment.pk)
        if payment.status != GatewayObject.Status.SUCCEEDED:
            payment.status = GatewayObject.Status.SUCCEEDED
            payment.save(update_fields=["status"])
        charge_key = f"{payment.idempotency_key}:charge"
        if charge_id and not GatewayObject.objects.filter(idempotency_key=charge_key).exists():
            GatewayObject.objects.create(
                gateway=payment.gateway,
                kind=GatewayObject.Kind.CHARGE,
                idempotency_key=charge_key,
                external_id=charge_id,
                task_id=payment.task_id,
                amount=payment.amount,
                currency=payment.currency,
                status=GatewayObject.Status.SUCCEEDED,
            )
        organization_id = Task.objects.values_list("organization_id", flat=True).get(
            pk=pool.task_id
        )
        money = payment.money
        ledger_post(
            reference=f"{payment.idempotency_key}:received",
            reason="task pool funded",
            lines=lines(
                (_poster_account(organization_id, money.currency), -money),
                (pool_account(pool.task_id, money.currency), money),
            ),
        )
        charge = GatewayObject.objects.filter(idempotency_key=charge_key).first()
        if charge is not None:
            fee = gateway().processor_fee(charge=charge)
            if fee.amount:
                ledger_post(
                    reference=f"{payment.idempotency_key}:processor_fee",
                    reason="processor fee",
                    lines=lines(
                        (_platform(K.PLATFORM_FEE_REVENUE, fee.currency), -fee),
                        (_platform(K.PROCESSOR_FEES, fee.currency), fee),
                    ),
                )
        _move, created = PoolMove.objects.get_or_create(
            pool=pool,
            kind=PoolMove.Kind.FUND,
            reference=payment.idempotency_key,
            defaults={"amount": money.amount, "currency": money.currency, "payment": payment},
        )
        if created:
            task_id = payment.task_id
            transaction.on_commit(
                lambda: pool_funded.send(sender=TaskPool, task_id=task_id, amount=money)
            )


def pool_payment_failed(*, payment: GatewayObject, message: str, canceled: bool = False) -> bool:
    """Stripe says a pool payment failed or was cancelled: the attempt is over (the next one
    gets a fresh key) and the poster is told. A succeeded payment stays succeeded."""
    assert payment.task_id is not None
    with transaction.atomic():
        _pool_lock(payment.task_id)
        payment = GatewayObject.objects.select_for_update().get(pk=payment.pk)
        if payment.status != GatewayObject.Status.PENDING:
            return False
        payment.status = GatewayObject.Status.FAILED
        payment.failure_message = (message or ("canceled" if canceled else ""))[:300]
        fields = ["status", "failure_message"]
        if canceled and not payment.cancellation:
            payment.cancellation = GatewayObject.Cancellation.CANCELED
            fields.append("cancellation")
        payment.save(update_fields=fields)
        from marketplace.notifications import schedule

        schedule("payment_failed", payment.pk)
    return True


# --- Allocation to contracts -----------------------------------------------------------------


def _source_payment(pool: TaskPool, amount: Money) -> GatewayObject | None:
    """The pool payment whose charge can carry a transfer of `amount`: what it paid, less what
    allocations already draw from it and what was refunded of it. None when no single payment
    covers it (the transfer then comes from the platform's balance)."""
    for payment in (
        _pool_payments(pool.task_id).filter(status=GatewayObject.Status.SUCCEEDED).order_by("id")
    ):
        if pool_payment_capacity(payment) >= amount.amount:
            return payment
    return None


def pool_allocate(
    *,
    task: Task,
    contract: Contract,
    amount: Money,
    reference: str,
    milestone_ids: Sequence[int] | None = None,
) -> None:
    """Move `amount` from the task's pool into a contract's escrow and fund the contract with
    it, exactly as contract funding does (contract_funding_received), so the normal acceptance
    -> release -> transfer path pays the provider.

    `milestone_ids` are the milestones it funds (default: every milestone still awaiting
    funding); `amount` must be exactly what they cost. Refused (Conflict, nothing written) for
    more than the pool holds or while it is frozen. Idempotent by reference: a second call
    with the same reference does nothing. Locks the contract, its milestones and escrow, then
    the pool row (then contracts' funding locks the task)."""
    if not reference:
        raise ValidationFailed(_("An allocation needs a reference."), code="invalid_reference")
    amount = _require_amount(amount, task.currency)
    with transaction.atomic():
        contract, milestones, escrow = lock(contract_id=contract.pk)
        if contract.task_id != task.pk:
            raise ValidationFailed(
                _("This contract is not one of the task's."), code="wrong_contract"
            )
        pool = _pool_lock(task.pk)
        done = PoolMove.objects.filter(
            pool=pool, kind=PoolMove.Kind.ALLOCATE, reference=reference
        ).first()
        if done is not None:
            if done.contract_id != contract.pk or done.amount != amount.amount:
                raise Conflict(
                    _("This reference was already used for another allocation."),
                    code="reference_reused",
                )
            return
        _require_not_frozen(pool)
        require_not_frozen(escrow)
        if contract.status == Contract.Status.CANCELLED:
            raise InvalidTransition(_("This contract was cancelled; it cannot be funded."))
        open_ = [m for m in milestones if m.status == Milestone.Status.AWAITING_FUNDING]
        if milestone_ids is not None:
            wanted = set(milestone_ids)
            if not wanted or wanted - {m.pk for m in milestones}:
                raise ValidationFailed(_("These milestones are not part of this contract."))
            chosen = [m for m in open_ if m.pk in wanted]
            if len(chosen) != len(wanted):
                raise InvalidTransition(
                    _("Some of these milestones are already funded."), code="already_funded"
                )
        else:
            chosen = open_
        if not chosen:
            raise InvalidTransition(
                _("Every milestone of this contract is already funded."), code="already_funded"
            )
        cost = Money(sum(m.amount for m in chosen), contract.currency)
        if cost != amount:
            raise ValidationFailed(
                _("The allocation must be exactly what the milestones cost (%(cost)s).")
                % {"cost": cost.format()},
                code="amount_mismatch",
            )
        held = _held(pool)
        if amount > held:
            raise Conflict(
                _("That is more than the %(held)s the pool holds.") % {"held": held.format()},
                code="over_pool",
            )
        ledger_post(
            reference=pool_key(task.pk, f"allocate:{reference}"),
            reason="task pool allocated to a contract",
            lines=lines(
                (pool_account(task.pk, amount.currency), -amount),
                (escrow_account(contract), amount),
            ),
        )
        PoolMove.objects.create(
            pool=pool,
            kind=PoolMove.Kind.ALLOCATE,
            reference=reference,
            amount=amount.amount,
            currency=amount.currency,
            contract=contract,
            milestone_ids=[m.pk for m in chosen],
            payment=_source_payment(pool, amount),
        )
        contract_funding_received(
            contract=contract,
            milestone_ids=[m.pk for m in chosen],
            reference=pool_key(task.pk, f"allocate:{reference}"),
        )


# --- Returning what is not paid --------------------------------------------------------------


def pool_return(*, task: Task, amount: Money, fee_bps: int, reference: str, reason: str) -> None:
    """Give `amount` of the pool back to the poster, less `fee_bps` basis points of it kept as
    platform fee revenue: a (partial) refund of the pool's payments, oldest first, each no
    more than what it paid less what allocations draw from it and what was refunded of it.
    Never more than the pool holds (Conflict, nothing written); refused while frozen.
    Idempotent by reference."""
    if not reference:
        raise ValidationFailed(_("A return needs a reference."), code="invalid_reference")
    if not isinstance(fee_bps, int) or isinstance(fee_bps, bool) or not 0 <= fee_bps <= 10_000:
        raise ValidationFailed(
            _("The fee must be between 0 and 10,000 basis points."), code="invalid_fee"
        )
    amount = _require_amount(amount, task.currency)
    with transaction.atomic():
        pool = _pool_lock(task.pk)
        if PoolMove.objects.filter(
            pool=pool, kind=PoolMove.Kind.RETURN, reference=reference
        ).exists():
            return
        _require_not_frozen(pool)
        held = _held(pool)
        if amount > held:
            raise Conflict(
                _("That is more than the %(held)s the pool holds.") % {"held": held.format()},
                code="over_pool",
            )
        fee = amount.basis_points(fee_bps)
        net = amount - fee
        organization_id = Task.objects.values_list("organization_id", flat=True).get(pk=task.pk)
        key = pool_key(task.pk, f"return:{reference}")
        ledger_post(
            reference=key,
            reason=f"task pool returned: {reason}"[:200],
            lines=lines(
                (pool_account(task.pk, amount.currency), -amount),
                (_poster_account(organization_id, amount.currency), net),
                (_platform(K.PLATFORM_FEE_REVENUE, amount.currency), fee),
            ),
        )
        PoolMove.objects.create(
            pool=pool,
            kind=PoolMove.Kind.RETURN,
            reference=reference,
            amount=amount.amount,
            fee=fee.amount,
            currency=amount.currency,
            reason=reason[:200],
        )
        left = net.amount
        gw = gateway()
        for payment in (
            _pool_payments(task.pk).filter(status=GatewayObject.Status.SUCCEEDED).order_by("id")
        ):
            if left <= 0:
                break
            part = min(left, pool_payment_capacity(payment))
            if part <= 0:
                continue
            gw.pool_refund_create(
                payment=payment,
                amount=Money(part, amount.currency),
                key=f"{key}:payment:{payment.pk}",
            )
            left -= part
        if left > 0:
            # Cannot happen while the ledger and the payments agree (held <= what the
            # payments can still refund); refusing keeps the money where it is.
            raise Conflict(
                _("The pool's payments cannot refund that much; finance staff must look."),
                code="refund_exceeds_payments",
            )
        audit_record(
            actor=None,
            action="payments.pool_return",
            target=task,
            data={"amount": amount.amount, "fee": fee.amount, "reference": reference,
                  "reason": reason[:200]},
        )  # fmt: skip


# --- Freezing while an objection is decided --------------------------------------------------


def pool_freeze(task: Task, reason: str) -> TaskPool:
    """Freeze the task's pool (an objection is being decided): pool_allocate and pool_return
    refuse until pool_unfreeze. Idempotent; the first reason is kept."""
    with transaction.atomic():
        pool = _pool_lock(task.pk)
        if pool.frozen_at is None:
            pool.frozen_at = timezone.now()
            pool.frozen_reason = reason[:200]
            pool.save(update_fields=["frozen_at", "frozen_reason"])
            audit_record(actor=None, action="payments.pool_freeze", target=task,
                         data={"reason": reason[:200]})  # fmt: skip
    return pool


def pool_unfreeze(task: Task) -> TaskPool:
    """Lift the freeze (the objection is decided). Idempotent."""
    with transaction.atomic():
        pool = _pool_lock(task.pk)
        if pool.frozen_at is not None:
            pool.frozen_at = None
            pool.frozen_reason = ""
            pool.save(update_fields=["frozen_at", "frozen_reason"])
            audit_record(actor=None, action="payments.pool_unfreeze", target=task)
    return pool
