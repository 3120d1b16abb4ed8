"""Favourite tasks: a private star a user puts on a task they can see.

Adding is idempotent (the unique constraint decides between two racing requests) and removing
what is not there is a no-op. A star changes nothing others see, so it writes no audit row.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from marketplace.permissions import require_active_user
from tasks.models import Task, TaskFavourite


def task_favourite_add(*, user: Any, task: Task) -> TaskFavourite:
    """Star a task; the caller fetched it through `task_get_for_user`, so the user sees it."""
    require_active_user(user)
    try:
        with transaction.atomic():
            favourite, _created = TaskFavourite.objects.get_or_create(user=user, task=task)
    except IntegrityError:
        favourite = TaskFavourite.objects.get(user=user, task=task)
    return favourite


def task_favourite_remove(*, user: Any, task: Task) -> None:
    require_active_user(user)
    TaskFavourite.objects.filter(user=user, task=task).delete()
