"""Celery tasks of the shared kernel."""

from __future__ import annotations

from celery import shared_task

from marketplace import notifications


@shared_task(
    name="marketplace.deliver_notification",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_notification(event: str, object_id: int, tag: str = "") -> None:
    """Safe twice: every notification a handler writes has a dedupe key per event, object and
    recipient."""
    notifications.deliver(event, object_id, tag)
