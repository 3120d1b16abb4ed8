"""Domain events of tasks for the apps above (bids, contracts) to react to.

Sent inside the service's transaction, so a receiver's writes commit or roll back with it.
Receivers must schedule their own side effects with transaction.on_commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.dispatch import Signal

from marketplace.events import emit_changed

if TYPE_CHECKING:
    from tasks.models import Task

# task, actor, reason
task_cancelled = Signal()
# task (the transition may be to "closed" or to "expired")
task_bidding_closed = Signal()


def task_changed_on_commit(task: Task, *, fields: Iterable[str] = ()) -> None:
    """Tell readers above (search) that the task's public fields or status changed."""
    emit_changed("task", [task.pk], fields=fields)
