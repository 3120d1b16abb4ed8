"""Celery tasks of the tasks app: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from tasks import services


@shared_task
def close_due_bidding() -> int:
    """Safe twice or late: each task is re-checked under its row lock before closing."""
    return services.tasks_close_due_bidding()
