"""Every movement of money goes through these services."""

from payments.services.funding import (
    SCOPES,
    Funding,
    escrow_fund,
    escrow_fund_start,
    payment_failed,
    payment_succeeded,
)
from payments.services.release import escrow_split_execute, milestone_refund, milestone_release
from payments.services.reversal import milestone_release_reverse

__all__ = [
    "SCOPES",
    "Funding",
    "escrow_fund",
    "escrow_fund_start",
    "escrow_split_execute",
    "milestone_refund",
    "milestone_release",
    "milestone_release_reverse",
    "payment_failed",
    "payment_succeeded",
]
