"""The terms' row lock, which every piece-work service takes first.

Lock order: the terms, then a delivery, then (a unit contract → its milestones → escrow →
the task's pool), then the task. Two services that race on one task (many providers
claiming, two accepts of one unit, an accept and the auto-accept job, a delivery and the
closing job) wait on this lock, then re-check the state.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from marketplace.errors import NotAllowed, NotFound
from marketplace.permissions import require_active_user
from piecework.models import Terms
from tasks.selectors import task_capabilities


def terms_lock(*, terms_id: int) -> Terms:
    terms = (
        Terms.objects.select_for_update(of=("self",))
        .select_related("task", "task__organization")
        .filter(pk=terms_id)
        .first()
    )
    if terms is None:
        raise NotFound(_("This piece-work task does not exist or is not visible to you."))
    return terms


def require_manager(actor: Any, terms: Terms, message: str) -> None:
    require_active_user(actor)
    if not task_capabilities(user=actor, task=terms.task).manage:
        raise NotAllowed(message)
