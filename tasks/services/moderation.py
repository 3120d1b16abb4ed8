"""Moderation of tasks by staff, and the sweeper that closes bidding at the deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, NotAllowed, ValidationFailed
from marketplace.permissions import require_active_user
from tasks import signals
from tasks.models import Task
from tasks.selectors import tasks_due_for_closing, user_is_moderator
from tasks.services.reports import reports_close_on_hidden
from tasks.states import TASK


def _require_moderator(user: Any) -> None:
    """A moderator who is signed in, active and not suspended (the same rule as
    tasks.selectors.user_can_moderate, with the reason for a refusal)."""
    require_active_user(user)
    if not user_is_moderator(user):
        raise NotAllowed(_("Only moderators can do this."))


def task_moderation_approve(*, moderator: Any, task: Task) -> Task:
    """Open a task waiting for review; its bid deadline must still leave time to bid."""
    _require_moderator(moderator)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != Task.Status.PENDING_REVIEW:
            raise InvalidTransition(_("Only tasks waiting for review can be approved."))
        target = TASK.check(task.status, "publish")
        if task.bid_deadline <= timezone.now():
            raise ValidationFailed(
                _("The bid deadline has passed; send the task back so the poster can move it.")
            )
        task.status = target
        task.published_at = timezone.now()
        task.flagged_for_review = False
        task.moderation_note = ""
        task.save(
            update_fields=[
                "status",
                "published_at",
                "flagged_for_review",
                "moderation_note",
                "updated_at",
            ]
        )
        audit_record(actor=moderator, action="task.moderation_approve", target=task)
        signals.task_changed_on_commit(task, fields=("status",))
        notifications.schedule("task_moderation_approved", task.pk)
    return task


def task_moderation_send_back(*, moderator: Any, task: Task, reason: str) -> Task:
    """Return a task under review to its draft with the reason the poster must address."""
    _require_moderator(moderator)
    if not reason.strip():
        raise ValidationFailed(
            _("Tell the poster what to change."), fields={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        task.status = TASK.check(task.status, "send_back")
        task.moderation_note = reason.strip()[:4000]
        task.save(update_fields=["status", "moderation_note", "updated_at"])
        audit_record(
            actor=moderator,
            action="task.moderation_send_back",
            target=task,
            data={"reason": task.moderation_note},
        )
        signals.task_changed_on_commit(task, fields=("status",))
        notifications.schedule("task_moderation_sent_back", task.pk)
    return task


def task_moderation_flag(*, moderator: Any, task: Task, reason: str) -> Task:
    """Flag a task: it must pass review before it is (again) public."""
    _require_moderator(moderator)
    if not reason.strip():
        raise ValidationFailed(
            _("Say why the task is flagged."), fields={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        task.flagged_for_review = True
        task.moderation_note = reason.strip()[:4000]
        fields = ["flagged_for_review", "moderation_note", "updated_at"]
        if task.status == Task.Status.OPEN:
            task.status = TASK.check(task.status, "flag")
            fields.append("status")
        task.save(update_fields=fields)
        audit_record(
            actor=moderator,
            action="task.moderation_flag",
            target=task,
            data={"reason": task.moderation_note},
        )
        reports_close_on_hidden(
            moderator=moderator, kind="task", object_id=task.pk, note=task.moderation_note
        )
        signals.task_changed_on_commit(task, fields=("status", "flagged_for_review"))
    return task


def task_close_bidding(*, task_id: int, now: dt.datetime | None = None) -> Task | None:
    """Close bidding on one task whose deadline has passed: closed if it has live bids (the
    bids app answers through the signal), expired if none. Safe to run twice or late: a task
    that is no longer open, or whose deadline moved, is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is None or task.status != Task.Status.OPEN or task.bid_deadline > now:
            return None
        task.status = TASK.check(task.status, "close_bidding")
        task.closed_at = now
        task.save(update_fields=["status", "closed_at", "updated_at"])
        # Receivers (bids) may expire the task when nobody bid; they see the closed state.
        signals.task_bidding_closed.send(sender=Task, task=task)
        task.refresh_from_db(fields=["status"])
        audit_record(
            actor=None, action="task.bidding_closed", target=task, data={"status": task.status}
        )
        signals.task_changed_on_commit(task, fields=("status",))
        notifications.schedule("task_bidding_closed", task.pk)
    return task


def task_expire_unbid(*, task: Task) -> Task:
    """Mark a closed task expired because no live bid remains (called under the task's lock)."""
    task.status = TASK.check(task.status, "expire")
    task.save(update_fields=["status", "updated_at"])
    return task


def tasks_close_due_bidding(*, now: dt.datetime | None = None) -> int:
    """The beat sweeper: close every open task past its bid deadline; returns how many."""
    now = now or timezone.now()
    return sum(
        task_close_bidding(task_id=task_id, now=now) is not None
        for task_id in tasks_due_for_closing(now=now)
    )
