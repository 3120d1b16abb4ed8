"""Recording audit events. Called by services inside their transaction."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from marketplace.models import AuditEvent

_batch: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar(
    "audit_batch", default=None
)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row for `action` on `target`; the caller's transaction makes it atomic.
    Inside `audit_batch()` the row is written with the batch's others when the block ends."""
    event = AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=str(target.pk),
        data=data or {},
    )
    batch = _batch.get()
    if batch is None:
        event.save(force_insert=True)
    else:
        batch.append(event)
    return event


@contextmanager
def audit_batch() -> Iterator[None]:
    """The audit rows of several services run together (an award: the task's, the winning
    bid's, the contract's) in one multi-row insert when the block ends, in the order they
    were recorded. Use it inside the transaction: a block that raises writes none of them.
    A batch inside another joins it."""
    if _batch.get() is not None:
        yield
        return
    events: list[AuditEvent] = []
    token = _batch.set(events)
    try:
        yield
    finally:
        _batch.reset(token)
    if events:
        AuditEvent.objects.bulk_create(events)


def audit_trail(target: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit events of one object, newest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=str(target.pk),
    ).select_related("actor")
