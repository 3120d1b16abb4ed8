"""The allowed moves of a task, a contract and a milestone: read these tables, not the services."""

from django.utils.translation import gettext_lazy as _

from marketplace.fsm import StateMachine, move
from tasks.models import Contract, Milestone, Task

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

C = Contract.Status
CONTRACT = StateMachine(
    _("contract"),
    dict(C.choices),
    [
        move("start", C.AWAITING_FUNDING, C.ACTIVE),
        move("complete", C.ACTIVE, C.COMPLETED),
        move("cancel", C.AWAITING_FUNDING, C.CANCELLED),
    ],
)

M = Milestone.Status
MILESTONE = StateMachine(
    _("milestone"),
    dict(M.choices),
    [
        move("fund", M.AWAITING_FUNDING, M.FUNDED),
        move("submit", [M.FUNDED, M.CHANGES_REQUESTED], M.SUBMITTED),
        move("request_changes", M.SUBMITTED, M.CHANGES_REQUESTED),
        move("accept", M.SUBMITTED, M.ACCEPTED),
        move("release", M.ACCEPTED, M.RELEASED),
        move("dispute", [M.FUNDED, M.SUBMITTED, M.CHANGES_REQUESTED], M.DISPUTED),
        move("refund", [M.FUNDED, M.DISPUTED], M.REFUNDED),
    ],
)

# Work on a contract counts as finished when every milestone is in one of these.
MILESTONE_DONE = frozenset({M.ACCEPTED, M.RELEASED})
# Statuses in which a task is public (listed or reachable) to people outside the poster.
TASK_PUBLIC = frozenset({T.OPEN, T.CLOSED, T.AWARDED, T.IN_PROGRESS, T.COMPLETED})
