"""Funding the escrow: the poster pays for all open milestones or the next one, in part with
one of its organization's innovation vouchers if it likes."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract, Milestone
from contracts.selectors import contract_capabilities
from contracts.services import contract_funding_received
from marketplace.audit import audit_record
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.money import Money
from marketplace.notifications import schedule
from payments.gateway import gateway
from payments.ledger import ledger_post
from payments.models import GatewayObject, VoucherShare, VoucherSpend
from payments.receipts import receipt_record
from payments.services._common import (
    K,
    escrow_account,
    lines,
    lock,
    platform_account,
    poster_account,
)
from payments.services.vouchers import (
    voucher_refund_return,
    voucher_shares_pending,
    voucher_spend_post,
    voucher_spend_release,
    voucher_spend_reserve,
    voucher_spends_post_for_payment,
    voucher_spends_reserved_for,
)
from payments.stripe_api import StripeFailed

logger = logging.getLogger(__name__)

SCOPES = ("all", "next")


@dataclass(frozen=True)
class Funding:
    """One funding of an escrow: the card (or sandbox) payment and the voucher part beside it.
    Either may be absent: no voucher, or a voucher paying everything."""

    total: Money
    payment: GatewayObject | None
    voucher_spend: VoucherSpend | None

    @property
    def voucher_part(self) -> Money:
        return self.voucher_spend.money if self.voucher_spend else Money.zero(self.total.currency)

    @property
    def card_part(self) -> Money:
        return self.total - self.voucher_part

    @property
    def succeeded(self) -> bool:
        """The money is held: the payment succeeded, or the voucher paid it all."""
        if self.payment is None:
            return True
        return self.payment.status == GatewayObject.Status.SUCCEEDED


def escrow_fund(*, actor: Any, contract: Contract, scope: str = "all") -> GatewayObject:
    """Ask the gateway for the poster's payment of all unfunded milestones or the next one.

    The sandbox succeeds at once and the escrow is funded before this returns; Stripe's
    payment is pending until its webhook arrives (payment_succeeded). Asking again for the
    same milestones returns the same payment: the key names the milestones it pays for."""
    funding = escrow_fund_start(actor=actor, contract=contract, scope=scope)
    assert funding.payment is not None  # without a voucher the whole amount is a payment
    return funding.payment


def escrow_fund_start(
    *,
    actor: Any,
    contract: Contract,
    scope: str = "all",
    voucher_id: int | None = None,
    voucher_amount: Money | None = None,
) -> Funding:
    """Fund all unfunded milestones or the next one, with a voucher paying part if one is
    given (by default the most it may: min(remaining value, its programme's share)).

    The voucher part is reserved while the card part is pending and posts together with the
    card payment's success; with no card part it posts at once. Nothing is written when the
    voucher is refused."""
    if scope not in SCOPES:
        raise ValidationFailed(_("Fund all milestones or the next one."), code="invalid_scope")
    with transaction.atomic():
        contract, milestones, _escrow = lock(contract_id=contract.pk)
        if not contract_capabilities(user=actor, contract=contract).decides:
            raise NotAllowed(
                _("Only the poster organization's owners and admins can fund the escrow.")
            )
        if contract.status not in (Contract.Status.AWAITING_FUNDING, Contract.Status.ACTIVE):
            raise InvalidTransition(_("This contract can no longer be funded."))
        unfunded = [m for m in milestones if m.status == Milestone.Status.AWAITING_FUNDING]
        if not unfunded:
            raise InvalidTransition(
                _("Every milestone of this contract is already funded."), code="already_funded"
            )
        chosen = unfunded if scope == "all" else unfunded[:1]
        amount = Money(sum(m.amount for m in chosen), contract.currency)
        positions = "-".join(str(m.position) for m in chosen)
        key = funding_key(contract, positions)
        spend = None
        if voucher_id is not None:
            spend = voucher_spend_reserve(
                contract=contract,
                milestones=chosen,
                funded=amount,
                voucher_id=voucher_id,
                requested=voucher_amount,
                key=key,
            )
            key = spend.funding_key
        elif voucher_shares_pending(chosen):
            raise Conflict(
                _("A payment for these milestones is already being processed."),
                code="funding_under_way",
            )
        card = amount - spend.money if spend else amount
        payment = None
        superseded_payments_cancel(contract=contract, positions=positions, key=key)
        if card.amount:
            payment = gateway().payment_create(
                contract=contract, amount=card, milestone_ids=[m.pk for m in chosen], key=key
            )
            if spend is not None and spend.payment_id is None:
                spend.payment = payment
                spend.save(update_fields=["payment"])
            if payment.status == GatewayObject.Status.SUCCEEDED:
                payment_succeeded(payment=payment)
        elif spend is not None:
            # The voucher pays everything: no gateway payment, the escrow is funded now.
            voucher_spend_post(spend=spend, contract=contract)
            contract_funding_received(
                contract=contract, milestone_ids=[m.pk for m in chosen], reference=key
            )
        if spend is not None:
            spend.refresh_from_db()
    return Funding(total=amount, payment=payment, voucher_spend=spend)


def _attempts(contract: Contract, positions: str) -> QuerySet[GatewayObject]:
    """The payment intents of every attempt to pay for these milestones, with or without a
    voucher beside them (…:voucher:{id}) and after failures (…:attempt:{n})."""
    base = f"contract:{contract.pk}:fund:{positions}"
    return GatewayObject.objects.filter(
        contract=contract, kind=GatewayObject.Kind.PAYMENT_INTENT
    ).filter(Q(idempotency_key=base) | Q(idempotency_key__startswith=f"{base}:"))


def funding_key(contract: Contract, positions: str) -> str:
    """The idempotency key of the next attempt to pay for these milestones: the first attempt
    is contract:{id}:fund:{positions}, each attempt after a failed one adds :attempt:{n}, so a
    failed PaymentIntent is never reused and a retry of the same attempt finds its own."""
    base = f"contract:{contract.pk}:fund:{positions}"
    failed = _attempts(contract, positions).filter(status=GatewayObject.Status.FAILED).count()
    return base if failed == 0 else f"{base}:attempt:{failed + 1}"


def payment_cancel(*, payment: GatewayObject, reason: str = "abandoned") -> str:
    """Cancel at the processor a payment that must not charge any more (a failed attempt a new
    one replaced, or one whose voucher reservation ran out), if it still can be cancelled; the
    outcome is kept on the payment, so it is asked once. Raises StripeFailed when Stripe
    cannot be reached (nothing is recorded; the sweep asks again with the same key)."""
    if payment.cancellation:
        return payment.cancellation
    outcome = gateway().payment_cancel(payment=payment, reason=reason)
    GatewayObject.objects.filter(pk=payment.pk, cancellation="").update(cancellation=outcome)
    payment.cancellation = outcome
    return outcome


def superseded_payments_cancel(*, contract: Contract, positions: str, key: str) -> int:
    """A new attempt (key) starts: cancel the failed attempts before it at Stripe, so the
    poster's old Payment Element cannot charge the card for milestones paid another way. A
    Stripe failure leaves the attempt for the sweep (voucher_reservations_sweep) and does not
    stop the new payment. Returns how many were cancelled now."""
    cancelled = 0
    superseded = (
        _attempts(contract, positions)
        .filter(status=GatewayObject.Status.FAILED, cancellation="", gateway=gateway().name)
        .exclude(idempotency_key=key)
    )
    for payment in superseded:
        try:
            if payment_cancel(payment=payment) == GatewayObject.Cancellation.CANCELED:
                cancelled += 1
        except StripeFailed as exc:
            logger.warning("superseded payment %s not cancelled yet: %s", payment.pk, exc)
    return cancelled


def payment_failed(*, payment: GatewayObject, message: str, canceled: bool = False) -> bool:
    """Stripe says the poster's payment failed or was cancelled: the attempt is over, the poster
    is told, and the next attempt gets a fresh key. A payment that already succeeded stays
    succeeded (a late failure event of an earlier card try changes nothing); returns whether
    the attempt was marked failed."""
    assert payment.contract_id is not None  # a pool's payment: services.pool
    with transaction.atomic():
        lock(contract_id=payment.contract_id)
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
        schedule("payment_failed", payment.pk)
        reservations_release(payment=payment, reason=payment.failure_message)
    return True


def reservations_release(*, payment: GatewayObject, reason: str) -> int:
    """Release the voucher reservations behind a card payment that did not go through, inside
    the caller's locks. A payment that only failed could still be paid on its Payment Element,
    and then the voucher part would be owed: so it is cancelled at Stripe first, and the
    reservation released only once the payment can no longer succeed. If Stripe cannot be
    reached, or says the payment went through after all, the reservation stays (the sweep
    tries again; a success posts it). Returns how many reservations were released."""
    spends = voucher_spends_reserved_for(payment)
    if not spends:
        return 0
    try:
        outcome = payment_cancel(payment=payment)
    except StripeFailed as exc:
        logger.warning("payment %s not cancelled yet, reservation kept: %s", payment.pk, exc)
        return 0
    if outcome != GatewayObject.Cancellation.CANCELED:
        return 0
    return sum(voucher_spend_release(spend=spend, reason=reason) for spend in spends)


def voucher_reservations_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Beat: reservations older than settings.VOUCHER_RESERVATION_SECONDS whose card payment
    never succeeded are released (the payment cancelled at Stripe first, and marked failed if
    it was still pending), and superseded failed attempts Stripe could not cancel before are
    asked again. Safe twice, late or concurrently: each step re-checks under the contract's
    lock, and cancels carry the payment's own key."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.VOUCHER_RESERVATION_SECONDS)
    stale = list(
        VoucherSpend.objects.filter(
            status=VoucherSpend.Status.RESERVED, created_at__lt=cutoff
        ).values_list("pk", "contract_id", "funding_key")
    )
    released = 0
    for spend_id, contract_id, key in stale:
        try:
            released += _stale_reservation_release(spend_id, contract_id, key)
        except StripeFailed as exc:
            logger.warning("stale reservation %s kept for now: %s", spend_id, exc)
    cancelled = 0
    for payment in GatewayObject.objects.filter(
        kind=GatewayObject.Kind.PAYMENT_INTENT,
        status=GatewayObject.Status.FAILED,
        cancellation="",
        gateway=gateway().name,
        contract__isnull=False,  # a task pool's payment paid twice only adds to the pool
    ):
        newer = GatewayObject.objects.filter(
            contract=payment.contract,
            kind=GatewayObject.Kind.PAYMENT_INTENT,
            pk__gt=payment.pk,
        )
        if not newer.exists():
            continue  # not superseded: the poster may still pay it on its Payment Element
        try:
            cancelled += payment_cancel(payment=payment) == GatewayObject.Cancellation.CANCELED
        except StripeFailed as exc:
            logger.warning("superseded payment %s not cancelled yet: %s", payment.pk, exc)
    return {"released": released, "cancelled": cancelled}


def _stale_reservation_release(spend_id: int, contract_id: int, key: str) -> int:
    message = _("The payment was not completed in time; the voucher part was released.")
    with transaction.atomic():
        lock(contract_id=contract_id)
        spend = VoucherSpend.objects.select_for_update().get(pk=spend_id)
        if spend.status != VoucherSpend.Status.RESERVED:
            return 0
        payment = (
            GatewayObject.objects.select_for_update()
            .filter(kind=GatewayObject.Kind.PAYMENT_INTENT, idempotency_key=key)
            .first()
        )
        if payment is None:
            # The card part was never asked for (the gateway failed before it recorded one).
            return int(voucher_spend_release(spend=spend, reason=message))
        if payment.status == GatewayObject.Status.SUCCEEDED:
            return 0  # posted in the success's transaction; nothing is stale
        if payment_cancel(payment=payment) != GatewayObject.Cancellation.CANCELED:
            return 0  # it went through at Stripe after all: its webhook posts the voucher part
        if payment.status == GatewayObject.Status.PENDING:
            payment.status = GatewayObject.Status.FAILED
            payment.failure_message = message[:300]
            payment.save(update_fields=["status", "failure_message"])
            schedule("payment_failed", payment.pk)
        return int(voucher_spend_release(spend=spend, reason=message))


def _voucher_shares_paid_twice(
    payment: GatewayObject, funded_before: list[Milestone]
) -> dict[int, VoucherShare]:
    """The shares of this payment's voucher reservations on milestones another funding paid
    first, by milestone id: that part of them is the voucher's, not the card's."""
    return {
        share.milestone_id: share
        for share in VoucherShare.objects.filter(
            spend__funding_key=payment.idempotency_key,
            spend__status=VoucherSpend.Status.RESERVED,
            milestone__in=funded_before,
        )
    }


def _duplicate_voucher_return(
    payment: GatewayObject,
    contract: Contract,
    funded_before: list[Milestone],
    shares: dict[int, VoucherShare],
) -> None:
    """After this payment's voucher part posted: its shares of milestones paid twice go back
    to their voucher (escrow → voucher, or the programme once expired), and the share rows
    go, so those milestones' release claims nothing on the programme (another funding paid
    them)."""
    for milestone in funded_before:
        share = shares.get(milestone.pk)
        if share is None:
            continue
        voucher_refund_return(
            contract=contract,
            milestone=milestone,
            amount=Money(share.amount, payment.currency),
            key=f"{payment.idempotency_key}:duplicate-refund:{milestone.position}",
        )
        share.delete()


def _duplicate_refund(
    payment: GatewayObject,
    contract: Contract,
    funded_before: list[Milestone],
    voucher_shares: dict[int, VoucherShare] | None = None,
) -> None:
    """Give back the card money of milestones this payment funds a second time (escrow →
    poster, and a refund of this payment), once: the entry and the refund carry the payment's
    key. The card money of a milestone is what its voucher share (of this payment's voucher
    part) does not pay; at most the card amount paid is refunded."""
    voucher_shares = voucher_shares or {}
    overlap = sum(
        m.amount - (voucher_shares[m.pk].amount if m.pk in voucher_shares else 0)
        for m in funded_before
    )
    amount = Money(min(overlap, payment.amount), payment.currency)
    key = f"{payment.idempotency_key}:duplicate-refund"
    ledger_post(
        reference=key,
        reason="refund of a payment made twice",
        lines=lines((escrow_account(contract), -amount), (poster_account(contract), amount)),
    )
    gateway().refund_create(payment=payment, milestone=funded_before[0], amount=amount, key=key)
    audit_record(
        actor=None,
        action="payments.duplicate_refund",
        target=contract,
        data={"payment": payment.external_id, "amount": amount.amount,
              "milestones": [m.pk for m in funded_before]},
    )  # fmt: skip
    logger.warning("payment %s funded milestones twice; %s refunded", payment.pk, amount)


def payment_succeeded(*, payment: GatewayObject, charge_id: str | None = None) -> None:
    """The poster's money arrived: poster funding → escrow, less nothing; the processor's fee
    is the platform's cost. Idempotent: every entry has the payment's reference, and
    contract_funding_received ignores milestones already funded."""
    assert payment.contract_id is not None  # a pool's payment: services.pool
    with transaction.atomic():
        contract, milestones, _escrow = lock(contract_id=payment.contract_id)
        payment = GatewayObject.objects.select_for_update().get(pk=payment.pk)
        # Milestones of this payment another payment funded first: a failed attempt that was
        # never cancelled can still be paid on its old payment form after a new one went
        # through. Read before this payment's own funding below marks them funded; a second
        # event for a payment already recorded as succeeded funded them itself.
        funded_before = (
            []
            if payment.status == GatewayObject.Status.SUCCEEDED
            else [
                m
                for m in milestones
                if m.pk in payment.milestone_ids and m.status != Milestone.Status.AWAITING_FUNDING
            ]
        )
        if payment.status != GatewayObject.Status.SUCCEEDED:
            payment.status = GatewayObject.Status.SUCCEEDED
            payment.save(update_fields=["status"])
        charge = GatewayObject.objects.filter(idempotency_key=f"{payment.idempotency_key}:charge")
        if not charge.exists() and charge_id:
            GatewayObject.objects.create(
                gateway=payment.gateway,
                kind=GatewayObject.Kind.CHARGE,
                idempotency_key=f"{payment.idempotency_key}:charge",
                external_id=charge_id,
                contract=contract,
                milestone_ids=payment.milestone_ids,
                amount=payment.amount,
                currency=payment.currency,
                status=GatewayObject.Status.SUCCEEDED,
            )
        received = ledger_post(
            reference=f"{payment.idempotency_key}:received",
            reason="escrow funded",
            lines=lines(
                (poster_account(contract), -payment.money),
                (escrow_account(contract), payment.money),
            ),
        )
        receipt_record(entry=received, kind="funding", contract=contract, amount=payment.money)
        charge_row = charge.first()
        if charge_row is not None:
            fee = gateway().processor_fee(charge=charge_row)
            if fee.amount:
                ledger_post(
                    reference=f"{payment.idempotency_key}:processor_fee",
                    reason="processor fee",
                    lines=lines(
                        (platform_account(contract, K.PLATFORM_FEE_REVENUE), -fee),
                        (platform_account(contract, K.PROCESSOR_FEES), fee),
                    ),
                )
        shares_twice: dict[int, VoucherShare] = {}
        if funded_before:
            if len(funded_before) == len(payment.milestone_ids):
                _duplicate_refund(payment, contract, funded_before)
                # All of it was paid twice: its voucher reservations go back to their vouchers.
                for spend in VoucherSpend.objects.filter(funding_key=payment.idempotency_key):
                    voucher_spend_release(spend=spend, reason="paid twice")
                return
            # Partly paid twice: the card gives back only its own part of those milestones;
            # the voucher's part of them returns to the voucher once the voucher part posts.
            shares_twice = _voucher_shares_paid_twice(payment, funded_before)
            _duplicate_refund(payment, contract, funded_before, shares_twice)
        # The voucher part reserved beside the card part posts with it.
        voucher_spends_post_for_payment(payment=payment, contract=contract)
        if shares_twice:
            _duplicate_voucher_return(payment, contract, funded_before, shares_twice)
        contract_funding_received(
            contract=contract,
            milestone_ids=payment.milestone_ids,
            reference=payment.external_id or payment.idempotency_key,
        )
