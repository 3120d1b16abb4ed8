"""Every state change of contracts, milestones, deliveries and reviews goes through these."""

from contracts.services._locks import milestone_lock
from contracts.services.award import contract_award
from contracts.services.delivery import (
    milestone_accept,
    milestone_auto_accept,
    milestone_dispute,
    milestone_mark_released,
    milestone_request_changes,
    milestone_settle,
    milestone_submit,
    milestones_auto_accept_due,
    milestones_remind_deadlines,
)
from contracts.services.funding import contract_funding_received
from contracts.services.prize import contract_create_for_prize, prize_delivery_accept
from contracts.services.reviews import review_submit

__all__ = [
    "contract_award",
    "contract_create_for_prize",
    "contract_funding_received",
    "milestone_accept",
    "milestone_auto_accept",
    "milestone_dispute",
    "milestone_lock",
    "milestone_mark_released",
    "milestone_request_changes",
    "milestone_settle",
    "milestone_submit",
    "milestones_auto_accept_due",
    "milestones_remind_deadlines",
    "prize_delivery_accept",
    "review_submit",
]
