"""Celery tasks of the bids app."""

from celery import shared_task

from bids import notifications


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_bid_notifications(event: str, bid_id: int, tag: str = "") -> None:
    """Safe twice: every notification has a dedupe key per event, bid and recipient."""
    notifications.deliver(event, bid_id, tag)
