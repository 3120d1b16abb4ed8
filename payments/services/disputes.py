"""Card disputes (chargebacks) on the charges that funded an escrow.

charge.dispute.created freezes the contract's escrow (no money moves while the bank decides)
and alerts finance staff; charge.dispute.closed records the outcome: won unfreezes, lost takes
the disputed amount out of escrow as a chargeback (what escrow no longer holds, because it was
released already, is the platform's loss) and unfreezes what is left.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from marketplace.money import Money
from marketplace.notifications import schedule
from payments.ledger import PLATFORM, account_balance, ledger_account, ledger_post
from payments.models import CardDispute, Escrow, GatewayObject
from payments.services._common import K, escrow_account, lines, lock, platform_account


def _charge(obj: Any) -> GatewayObject | None:
    return GatewayObject.objects.filter(
        kind=GatewayObject.Kind.CHARGE, external_id=obj.get("charge") or "~"
    ).first()


def card_dispute_opened(*, obj: dict[str, Any]) -> CardDispute | None:
    """Freeze the escrow the disputed charge paid into and tell finance. Idempotent per dispute
    id; a dispute on a charge we never made is not ours (None)."""
    charge = _charge(obj)
    if charge is None:
        return None
    if charge.contract_id is None:
        # A task pool's charge: no money may leave the pool while the bank decides. The pool
        # stays frozen until finance staff unfreeze it (a CardDispute row is a contract's).
        from payments.services.pool import pool_freeze
        from tasks.models import Task

        assert charge.task_id is not None
        pool_freeze(Task.objects.get(pk=charge.task_id), f"card dispute {obj.get('id')}")
        return None
    with transaction.atomic():
        _contract, _milestones, escrow = lock(contract_id=charge.contract_id)
        dispute, created = CardDispute.objects.get_or_create(
            external_id=str(obj["id"]),
            defaults={
                "contract_id": charge.contract_id,
                "charge": charge,
                "amount": int(obj.get("amount") or charge.amount),
                "currency": charge.currency,
                "reason": str(obj.get("reason") or "")[:100],
            },
        )
        if escrow.frozen_at is None:
            escrow.frozen_at = timezone.now()
            escrow.frozen_reason = f"card dispute {dispute.external_id}"[:200]
            escrow.save(update_fields=["frozen_at", "frozen_reason"])
        if created:
            schedule("card_dispute_opened", dispute.pk)
    return dispute


def card_dispute_closed(*, obj: dict[str, Any]) -> CardDispute | None:
    """Record the bank's decision once: won unfreezes; lost posts the chargeback."""
    dispute = CardDispute.objects.filter(external_id=str(obj.get("id") or "")).first()
    if dispute is None:
        dispute = card_dispute_opened(obj=obj)
        if dispute is None:
            return None
    with transaction.atomic():
        contract, _milestones, escrow = lock(contract_id=dispute.contract_id)
        dispute = CardDispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != CardDispute.Status.OPEN:
            return dispute
        won = obj.get("status") == "won"
        if not won:
            amount = Money(int(obj.get("amount") or dispute.amount), dispute.currency)
            held = account_balance(escrow_account(contract))
            from_escrow = min(amount, held) if held.amount > 0 else Money.zero(amount.currency)
            loss = amount - from_escrow
            ledger_post(
                reference=f"card-dispute:{dispute.external_id}:lost",
                reason="card chargeback",
                lines=lines(
                    (escrow_account(contract), -from_escrow),
                    (platform_account(contract, K.PLATFORM_FEE_REVENUE), -loss),
                    (
                        ledger_account(
                            kind=K.CHARGEBACKS, owner=PLATFORM, currency=amount.currency
                        ),
                        amount,
                    ),
                ),
            )
            dispute.platform_loss = loss.amount
        dispute.status = CardDispute.Status.WON if won else CardDispute.Status.LOST
        dispute.closed_at = timezone.now()
        dispute.save(update_fields=["status", "closed_at", "platform_loss"])
        still_open = CardDispute.objects.filter(
            contract_id=contract.pk, status=CardDispute.Status.OPEN
        ).exists()
        if not still_open:
            Escrow.objects.filter(pk=escrow.pk).update(frozen_at=None, frozen_reason="")
        schedule("card_dispute_closed", dispute.pk)
    return dispute
