"""Celery tasks of the tasks app: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from tasks import notifications, services
from tasks.models import Milestone


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_notifications(event: str, object_id: int, tag: str = "") -> None:
    """Safe twice: every notification has a dedupe key per event, object and recipient."""
    notifications.deliver(event, object_id, tag)


@shared_task
def close_due_bidding() -> int:
    """Safe twice or late: each task is re-checked under its row lock before closing."""
    return services.tasks_close_due_bidding()


@shared_task
def auto_accept_due_deliveries() -> int:
    """Safe twice or late: each milestone is re-checked under its row lock, so a manual
    decision or a dispute that came first wins."""
    return services.milestones_auto_accept_due()


@shared_task
def remind_deadlines() -> int:
    """Safe twice: reminders are deduplicated per milestone and date."""
    now = timezone.now()
    soon = timezone.localdate(now) + dt.timedelta(days=2)
    count = 0
    due = Milestone.objects.filter(
        status__in=[Milestone.Status.FUNDED, Milestone.Status.CHANGES_REQUESTED],
        due_date__lte=soon,
        due_date__gte=timezone.localdate(now),
    ).values_list("id", flat=True)
    for milestone_id in due:
        notifications.deliver("milestone_due_soon", milestone_id)
        count += 1
    closing = Milestone.objects.filter(
        status=Milestone.Status.SUBMITTED,
        review_due_at__lte=now + dt.timedelta(days=1),
        review_due_at__gt=now,
    ).values_list("id", flat=True)
    for milestone_id in closing:
        notifications.deliver("review_window_closing", milestone_id)
        count += 1
    return count
