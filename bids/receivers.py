"""How bids follow what happens to their task (tasks cannot import bids: it signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from bids.selectors import live_bids_exist
from bids.services import bids_close_for_cancelled_task
from tasks import signals
from tasks.models import Task
from tasks.services import task_expire_unbid


@receiver(signals.task_cancelled, dispatch_uid="bids.task_cancelled")
def close_bids_of_cancelled_task(sender: Any, task: Task, reason: str, **kwargs: Any) -> None:
    bids_close_for_cancelled_task(task=task, reason=reason)


@receiver(signals.task_bidding_closed, dispatch_uid="bids.task_bidding_closed")
def expire_task_without_bids(sender: Any, task: Task, **kwargs: Any) -> None:
    if not live_bids_exist(task=task):
        task_expire_unbid(task=task)
