"""The allowed moves of a bid."""

from django.utils.translation import gettext_lazy as _

from bids.models import Bid
from marketplace.fsm import StateMachine, move

B = Bid.Status
BID = StateMachine(
    _("bid"),
    dict(B.choices),
    [
        move("revise", [B.SUBMITTED, B.REVISED], B.REVISED),
        move("shortlist", [B.SUBMITTED, B.REVISED], B.SHORTLISTED),
        move("withdraw", [B.SUBMITTED, B.REVISED, B.SHORTLISTED], B.WITHDRAWN),
        move("reject", [B.SUBMITTED, B.REVISED, B.SHORTLISTED], B.REJECTED),
        move("award", [B.SUBMITTED, B.REVISED, B.SHORTLISTED], B.AWARDED),
    ],
)
