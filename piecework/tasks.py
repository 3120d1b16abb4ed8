"""Celery tasks of the piecework app: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from piecework import services


@shared_task
def advance_piecework() -> int:
    """Safe twice or late: every auto-accept re-checks the delivery's status and its review
    date under the terms' lock, closing re-checks the terms' state, and every pool move
    carries a fixed reference."""
    return services.piecework_advance_due()
