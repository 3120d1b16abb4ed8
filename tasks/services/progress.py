"""A task's progress after bidding, driven by its contracts (the contracts app calls these).

Tasks cannot read contracts (dependencies point one way), so the contracts services tell the
task when it was awarded, when work started and when all of it is done. Each runs inside the
caller's transaction and, keeping the lock order contract → milestones → task, locks the task
last.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import audit_record
from marketplace.errors import NotFound
from tasks.models import Task
from tasks.signals import task_changed_on_commit
from tasks.states import TASK


def task_lock(*, task_id: int) -> Task:
    """The task, locked FOR UPDATE for the rest of the caller's transaction."""
    task = (
        Task.objects.select_for_update().select_related("organization").filter(pk=task_id).first()
    )
    if task is None:
        raise NotFound(_("This task does not exist or is not visible to you."))
    return task


def task_mark_awarded(*, task: Task, actor: Any) -> Task:
    """The award made a contract: the task leaves bidding. The caller holds the task's lock."""
    task.status = TASK.check(task.status, "award")
    task.awarded_at = timezone.now()
    task.save(update_fields=["status", "awarded_at", "updated_at"])
    audit_record(actor=actor, action="task.award", target=task)
    task_changed_on_commit(task, fields=("status",))
    return task


def task_mark_started(*, task_id: int) -> Task:
    """Escrow was funded for a contract of the task: work is in progress (idempotent)."""
    task = task_lock(task_id=task_id)
    if task.status != Task.Status.IN_PROGRESS:
        task.status = TASK.check(task.status, "start")
        task.save(update_fields=["status", "updated_at"])
        task_changed_on_commit(task, fields=("status",))
    return task


def task_mark_completed(*, task_id: int, actor: Any) -> Task:
    """Every contract of the task is finished: the task is completed (idempotent)."""
    task = task_lock(task_id=task_id)
    if task.status != Task.Status.COMPLETED:
        task.status = TASK.check(task.status, "complete")
        task.completed_at = timezone.now()
        task.save(update_fields=["status", "completed_at", "updated_at"])
        audit_record(actor=actor, action="task.complete", target=task)
        task_changed_on_commit(task, fields=("status",))
    return task


def task_mark_entries_closed(*, task: Task) -> Task:
    """A contest's or piece-work task's own deadline passed: it takes no new entrants (open →
    closed) without the tender's bidding-closed receivers. The caller holds the task's lock."""
    if task.status == Task.Status.OPEN:
        task.status = TASK.check(task.status, "close_bidding")
        task.closed_at = timezone.now()
        task.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(actor=None, action="task.entries_closed", target=task)
        task_changed_on_commit(task, fields=("status",))
    return task
