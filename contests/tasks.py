"""Celery tasks of the contests app: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from contests import services


@shared_task
def advance_contests() -> int:
    """Safe twice or late: every phase move re-checks the contest's state and its dates under
    the contest's lock, and every pool move carries a fixed reference."""
    return services.contests_advance_due()
