"""Celery tasks of the contracts app: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from contracts import services


@shared_task
def auto_accept_due_deliveries() -> int:
    """Safe twice or late: each milestone is re-checked under its contract's lock, so a manual
    decision or a dispute that came first wins."""
    return services.milestones_auto_accept_due()


@shared_task
def remind_deadlines() -> int:
    """Safe twice: reminders are deduplicated per milestone and date."""
    return services.milestones_remind_deadlines()
