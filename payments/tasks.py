"""Celery tasks of payments: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from marketplace.errors import Conflict
from payments import services
from payments.stripe_api import StripeFailed


@shared_task(autoretry_for=(StripeFailed,), retry_backoff=30, retry_jitter=True, max_retries=12)
def release_milestone(milestone_id: int) -> bool:
    """Safe twice, late or concurrently: the release re-checks under the contract's lock and
    every entry and transfer carries the milestone's release key. A Stripe failure is retried
    with the same key; a provider without payouts yet waits (False) for the next attempt."""
    try:
        services.milestone_release(milestone_id=milestone_id)
    except Conflict:
        return False
    return True
