"""Celery tasks of the disputes app: thin wrappers around services, each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from disputes import services


@shared_task
def advance_disputes() -> int:
    """Safe twice, late or concurrently: each dispute is re-checked under its contract's and
    its own lock, and a decision's money moves once (escrow_split_execute is idempotent)."""
    return services.disputes_advance_due()
