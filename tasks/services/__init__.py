"""Every state change of tasks goes through these functions."""

from tasks.services.favourites import task_favourite_add, task_favourite_remove
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
    nda_text,
    task_attachment_add,
    task_attachment_remove,
    task_cancel,
    task_create,
    task_fields_problems,
    task_invite_provider,
    task_nda_accept,
    task_submit,
    task_update,
)
from tasks.services.progress import (
    task_lock,
    task_mark_awarded,
    task_mark_completed,
    task_mark_entries_closed,
    task_mark_started,
)
from tasks.services.questions import (
    task_clarification_post,
    task_question_answer,
    task_question_ask,
    task_question_hide,
)
from tasks.services.reports import (
    report_decide,
    report_file,
    report_hide_content,
    report_suspend_owner,
    reports_close_on,
)

__all__ = [
    "NDA_TEXTS",
    "nda_text",
    "report_decide",
    "report_file",
    "report_hide_content",
    "report_suspend_owner",
    "reports_close_on",
    "task_attachment_add",
    "task_attachment_remove",
    "task_cancel",
    "task_clarification_post",
    "task_close_bidding",
    "task_create",
    "task_expire_unbid",
    "task_favourite_add",
    "task_favourite_remove",
    "task_fields_problems",
    "task_invite_provider",
    "task_lock",
    "task_mark_awarded",
    "task_mark_completed",
    "task_mark_entries_closed",
    "task_mark_started",
    "task_moderation_approve",
    "task_moderation_flag",
    "task_moderation_send_back",
    "task_nda_accept",
    "task_question_answer",
    "task_question_ask",
    "task_question_hide",
    "task_submit",
    "task_update",
    "tasks_close_due_bidding",
]
