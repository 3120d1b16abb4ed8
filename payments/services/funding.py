"""Funding the escrow: the poster pays for all open milestones or the next one, in part with
one of its organization's innovation vouchers if it likes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from contracts.models import Contract, Milestone
from contracts.selectors import contract_capabilities
from contracts.services import contract_funding_received
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.money import Money
from marketplace.notifications import schedule
from payments.gateway import gateway
from payments.ledger import ledger_post
from payments.models import GatewayObject, VoucherSpend
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
    voucher_shares_pending,
    voucher_spend_post,
    voucher_spend_reserve,
    voucher_spends_post_for_payment,
)

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


def funding_key(contract: Contract, positions: str) -> str:
    """The idempotency key of the next attempt to pay for these milestones: the first attempt
    is contract:{id}:fund:{positions}, each attempt after a failed one adds :attempt:{n}, so a
    failed PaymentIntent is never reused and a retry of the same attempt finds its own."""
    base = f"contract:{contract.pk}:fund:{positions}"
    failed = (
        GatewayObject.objects.filter(
            contract=contract,
            kind=GatewayObject.Kind.PAYMENT_INTENT,
            status=GatewayObject.Status.FAILED,
        )
        .filter(Q(idempotency_key=base) | Q(idempotency_key__startswith=f"{base}:attempt:"))
        .count()
    )
    return base if failed == 0 else f"{base}:attempt:{failed + 1}"


def payment_failed(*, payment: GatewayObject, message: str, canceled: bool = False) -> bool:
    """Stripe says the poster's payment failed or was cancelled: the attempt is over, the poster
    is told, and the next attempt gets a fresh key. A payment that already succeeded stays
    succeeded (a late failure event of an earlier card try changes nothing); returns whether
    the attempt was marked failed."""
    with transaction.atomic():
        lock(contract_id=payment.contract_id)
        payment = GatewayObject.objects.select_for_update().get(pk=payment.pk)
        if payment.status != GatewayObject.Status.PENDING:
            return False
        payment.status = GatewayObject.Status.FAILED
        payment.failure_message = (message or ("canceled" if canceled else ""))[:300]
        payment.save(update_fields=["status", "failure_message"])
        schedule("payment_failed", payment.pk)
    return True


def payment_succeeded(*, payment: GatewayObject, charge_id: str | None = None) -> None:
    """The poster's money arrived: poster funding → escrow, less nothing; the processor's fee
    is the platform's cost. Idempotent: every entry has the payment's reference, and
    contract_funding_received ignores milestones already funded."""
    with transaction.atomic():
        contract, _milestones, _escrow = lock(contract_id=payment.contract_id)
        payment = GatewayObject.objects.select_for_update().get(pk=payment.pk)
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
        # The voucher part reserved beside the card part posts with it.
        voucher_spends_post_for_payment(payment=payment, contract=contract)
        contract_funding_received(
            contract=contract,
            milestone_ids=payment.milestone_ids,
            reference=payment.external_id or payment.idempotency_key,
        )
