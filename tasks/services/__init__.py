"""Every state change of tasks, contracts, milestones and reviews goes through these functions."""

from tasks.services.contracts import (
    MilestoneTerms,
    contract_create_from_award,
    contract_funding_received,
)
from tasks.services.delivery import (
    milestone_accept,
    milestone_auto_accept,
    milestone_mark_released,
    milestone_request_changes,
    milestone_submit,
    milestones_auto_accept_due,
)
from tasks.services.moderation import (
    task_close_bidding,
    task_expire_unbid,
    task_moderation_approve,
    task_moderation_flag,
    task_moderation_send_back,
    tasks_close_due_bidding,
)
from tasks.services.posting import (
    NDA_TEXTS,
    MilestonePlanInput,
    nda_text,
    task_attachment_add,
    task_attachment_remove,
    task_cancel,
    task_create,
    task_invite_provider,
    task_nda_accept,
    task_submit,
    task_update,
)
from tasks.services.reviews import review_submit

__all__ = [
    "NDA_TEXTS",
    "MilestonePlanInput",
    "MilestoneTerms",
    "contract_create_from_award",
    "contract_funding_received",
    "milestone_accept",
    "milestone_auto_accept",
    "milestone_mark_released",
    "milestone_request_changes",
    "milestone_submit",
    "milestones_auto_accept_due",
    "nda_text",
    "review_submit",
    "task_attachment_add",
    "task_attachment_remove",
    "task_cancel",
    "task_close_bidding",
    "task_create",
    "task_expire_unbid",
    "task_invite_provider",
    "task_moderation_approve",
    "task_moderation_flag",
    "task_moderation_send_back",
    "task_nda_accept",
    "task_submit",
    "task_update",
    "tasks_close_due_bidding",
]
