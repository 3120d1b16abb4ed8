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
def expire_vouchers() -> int:
    """Celery beat: expire vouchers past their validity and return their unspent value to the
    programme. Safe twice, late or concurrently: each voucher is expired under its row lock
    and its return entry's reference is the voucher's."""
    from payments.services.vouchers import vouchers_expire_due

    return vouchers_expire_due()
