"""The allowed moves of a contract and a milestone: read these tables, not the services."""

from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Milestone
from marketplace.fsm import StateMachine, move

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
        move("refund", [M.FUNDED, M.CHANGES_REQUESTED, M.DISPUTED], M.REFUNDED),
        move("split", M.DISPUTED, M.SPLIT),
    ],
)

# A milestone is finished when it is in one of these: accepted (and perhaps paid out), or
# closed without acceptance by a refund or a decided split. A contract whose milestones are all
# finished completes.
MILESTONE_DONE = frozenset({M.ACCEPTED, M.RELEASED, M.REFUNDED, M.SPLIT})
# Milestones whose money is in escrow and not yet decided on.
MILESTONE_HELD = frozenset({M.FUNDED, M.SUBMITTED, M.CHANGES_REQUESTED, M.DISPUTED})
