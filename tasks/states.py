"""The allowed moves of a task: read this table, not the services."""

from django.utils.translation import gettext_lazy as _

from marketplace.fsm import StateMachine, move
from tasks.models import Task

T = Task.Status
TASK = StateMachine(
    _("task"),
    dict(T.choices),
    [
        move("submit_for_review", T.DRAFT, T.PENDING_REVIEW),
        move("publish", [T.DRAFT, T.PENDING_REVIEW], T.OPEN),
        move("send_back", T.PENDING_REVIEW, T.DRAFT),
        move("flag", T.OPEN, T.PENDING_REVIEW),
        move("close_bidding", T.OPEN, T.CLOSED),
        move("expire", [T.OPEN, T.CLOSED], T.EXPIRED),
        move("award", [T.OPEN, T.CLOSED], T.AWARDED),
        move("start", T.AWARDED, T.IN_PROGRESS),
        move("complete", T.IN_PROGRESS, T.COMPLETED),
        move("cancel", [T.DRAFT, T.PENDING_REVIEW, T.OPEN, T.CLOSED], T.CANCELLED),
    ],
)

# Statuses in which a task is public (listed or reachable) to people outside the poster.
TASK_PUBLIC = frozenset({T.OPEN, T.CLOSED, T.AWARDED, T.IN_PROGRESS, T.COMPLETED})
