"""Paying providers what they are owed: the transfer of a release, now or once payouts work.

A release always moves the money out of escrow into the provider's payable. The transfer to
their Connect account follows at once when the account's transfers capability is active;
otherwise a pending transfer row under the release's idempotency key says the money waits, and
payouts_pending_execute makes the transfer, with that same key, when account.updated (or the
sandbox form) activates the account. A transfer Stripe could not make leaves its row pending,
and the next attempt carries the same key, so the money is transferred and posted once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from contracts.models import Contract, Milestone
from marketplace.money import Money
from marketplace.notifications import schedule
from payments.gateway import Gateway, connected_account_for, gateway
from payments.ledger import ledger_post
from payments.models import GatewayObject
from payments.receipts import receipt_record
from payments.services._common import K, funding_charge, lines, lock, provider_account
from payments.services.vouchers import voucher_share_of
from payments.stripe_api import StripeFailed

logger = logging.getLogger(__name__)
Kind = GatewayObject.Kind
Status = GatewayObject.Status


def payout_record_pending(
    *, gw: Gateway, contract: Contract, milestone: Milestone, net: Money, key: str
) -> GatewayObject:
    """Record a transfer owed to a provider whose payouts are not active yet (idempotent per
    key) and tell them what to do."""
    row, created = GatewayObject.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "gateway": gw.name,
            "kind": Kind.TRANSFER,
            "contract": contract,
            "milestone": milestone,
            "amount": net.amount,
            "currency": net.currency,
            "status": Status.PENDING,
        },
    )
    if created:
        schedule("payout_waiting_setup", row.pk)
    return row


def transfer_execute(
    *,
    gw: Gateway,
    contract: Contract,
    milestone: Milestone,
    net: Money,
    destination: str,
    key: str,
) -> GatewayObject:
    """The transfer of a release, then payable → paid out; both under the release's key, so a
    retry after any failure finds what was done."""
    transfer = gw.transfer_create(
        contract=contract,
        milestone=milestone,
        amount=net,
        destination=destination,
        # Voucher money is not in the card charge: the platform's balance advances it until
        # the programme pays the claim, so such a transfer names no source charge.
        source=None if voucher_share_of(milestone) else funding_charge(contract, milestone),
        key=key,
    )
    paid = ledger_post(
        reference=f"{key}:transfer",
        reason="transfer to provider",
        lines=lines(
            (provider_account(contract, K.PROVIDER_PAYABLE), -transfer.money),
            (provider_account(contract, K.PROVIDER_PAID_OUT), transfer.money),
        ),
    )
    # The payout receipt is written when the money actually goes, with its entry.
    receipt_record(
        entry=paid, kind="payout", contract=contract, amount=transfer.money, milestone=milestone
    )
    return transfer


@dataclass(frozen=True)
class PayoutRun:
    paid: int  # transfers made now
    waiting: int  # still pending: payouts not active, escrow frozen, or Stripe failed


def payouts_pending_execute(*, provider_id: int) -> PayoutRun:
    """Make every transfer owed to the provider now that their payouts may be active.

    Safe twice and concurrently: each row is re-read under its contract's lock (then the
    row's), a transfer already made is skipped, and the gateway call carries the row's key. A
    Stripe failure rolls back that one transfer's posting and leaves its row pending."""
    paid = waiting = 0
    pending = GatewayObject.objects.filter(
        kind=Kind.TRANSFER, status=Status.PENDING, contract__provider_id=provider_id
    ).values_list("pk", "contract_id")
    for row_id, contract_id in list(pending):
        try:
            with transaction.atomic():
                contract, milestones, escrow = lock(contract_id=contract_id)
                row = GatewayObject.objects.select_for_update().get(pk=row_id)
                destination = connected_account_for(provider=contract.provider)
                if row.status != Status.PENDING:
                    continue
                if destination is None or escrow.frozen_at is not None:
                    waiting += 1
                    continue
                milestone = next(m for m in milestones if m.pk == row.milestone_id)
                transfer_execute(
                    gw=gateway(),
                    contract=contract,
                    milestone=milestone,
                    net=row.money,
                    destination=destination,
                    key=row.idempotency_key,
                )
                schedule("payout_sent", row.pk)
                paid += 1
        except StripeFailed as exc:
            logger.warning("pending payout %s waits for Stripe: %s", row_id, exc)
            waiting += 1
    return PayoutRun(paid=paid, waiting=waiting)


def pending_payouts_of(*, profile_ids: list[int]) -> list[GatewayObject]:
    """The transfers owed to these providers and not made yet, newest first."""
    return list(
        GatewayObject.objects.filter(
            kind=Kind.TRANSFER, status=Status.PENDING, contract__provider_id__in=profile_ids
        )
        .select_related("milestone", "contract__task")
        .order_by("-id")
    )
