"""Celery tasks of payments: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.errors import DomainError
from payments import services
from payments.stripe_api import StripeFailed

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(StripeFailed,), retry_backoff=30, retry_jitter=True, max_retries=12)
def release_milestone(milestone_id: int) -> bool:
    """Safe twice, late or concurrently: the release re-checks under the contract's lock and
    every entry and transfer carries the milestone's release key. A Stripe failure is retried
    with the same key. A refusal (a provider without payouts yet, a frozen escrow, a milestone
    whose escrow never went through payments) leaves the milestone accepted, logged, and
    returns False: the acceptance that scheduled this must not fail because of it."""
    try:
        services.milestone_release(milestone_id=milestone_id)
    except DomainError as exc:
        logger.warning("release of milestone %s waits: %s", milestone_id, exc)
        return False
    return True


@shared_task
def issue_einvoice(receipt_id: int) -> str:
    """Hand a new receipt to the configured e-invoice issuer. Safe twice or late: an issued
    receipt is left as it is, and issuers are keyed by the receipt number."""
    from payments.receipts import receipt_issue_einvoice

    return receipt_issue_einvoice(receipt_id=receipt_id).einvoice_status


@shared_task
def pay_pending_payouts(provider_id: int) -> int:
    """Make the transfers owed to a provider whose payouts just became active. Safe twice or
    concurrently: each transfer is re-checked under its contract's lock and carries its
    release's key; one Stripe failed leaves that one pending for retry_pending_payouts."""
    from payments.services.payouts import payouts_pending_execute

    return payouts_pending_execute(provider_id=provider_id).paid


@shared_task
def retry_pending_payouts() -> int:
    """Beat: transfers still owed to providers whose payouts are active (Stripe failed before,
    or the escrow was frozen). Same keys as the first attempt, so nothing is paid twice."""
    from payments.models import ConnectedAccount, GatewayObject
    from payments.services.payouts import payouts_pending_execute

    providers = (
        GatewayObject.objects.filter(
            kind=GatewayObject.Kind.TRANSFER, status=GatewayObject.Status.PENDING
        )
        .values_list("contract__provider_id", flat=True)
        .distinct()
        .order_by()
    )
    active = set(
        ConnectedAccount.objects.filter(
            provider_id__in=set(providers), transfers_active=True
        ).values_list("provider_id", flat=True)
    )
    return sum(payouts_pending_execute(provider_id=pk).paid for pk in sorted(active))


@shared_task
def reconcile_payments() -> dict[str, int]:
    """Beat: compare every contract's ledger with the processor's objects (see
    payments.reconciliation); idempotent, one open mismatch per difference."""
    from payments.reconciliation import reconcile_all

    return reconcile_all()


@shared_task
def expire_vouchers() -> int:
    """Celery beat: expire vouchers past their validity and return their unspent value to the
    programme. Safe twice, late or concurrently: each voucher is expired under its row lock
    and its return entry's reference is the voucher's."""
    from payments.services.vouchers import vouchers_expire_due

    return vouchers_expire_due()


@shared_task
def release_stale_voucher_reservations() -> dict[str, int]:
    """Beat: voucher reservations older than VOUCHER_RESERVATION_SECONDS whose card payment
    never succeeded are released (the payment cancelled at Stripe first), and superseded
    failed payments are cancelled. Safe twice, late or concurrently (see the service)."""
    from payments.services.funding import voucher_reservations_sweep

    return voucher_reservations_sweep()
