"""Change events: what readers above the owning app (search, matching) must know has changed.

Every service that changes something search shows (a task's public fields or status, a provider
profile or its skills, an organization, a verification, an input of the credit score) calls
`emit_changed(kind, ids)` inside its transaction. The event is sent after commit, so a receiver
never indexes a change that rolled back, and never inside the writer's transaction: receivers
should only enqueue work (a Celery task per batch), which is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.db import transaction
from django.dispatch import Signal

Kind = Literal["task", "provider", "organization"]

# Sent with kind=..., ids=(...), fields=(...) after the writing transaction commits.
changed = Signal()


def emit_changed(kind: Kind, ids: Iterable[int], *, fields: Iterable[str] = ()) -> None:
    """Send `changed` for these objects once the current transaction commits."""
    ids = tuple(sorted({int(i) for i in ids}))
    if not ids:
        return
    names = tuple(sorted(set(fields)))

    def send() -> None:
        changed.send(sender=kind, kind=kind, ids=ids, fields=names)

    transaction.on_commit(send)
