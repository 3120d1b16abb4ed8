"""Who hears about what happens to tasks, in their own language.

The handlers are registered in the kernel's notification registry (marketplace.notifications);
services schedule them with `marketplace.notifications.schedule(event, object_id)`. Every
notification carries a dedupe key, so a retried or repeated delivery writes nothing new.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import MANAGER_ROLES, organization_members, provider_profile_members
from marketplace.notifications import link, notification, notification_kind, raw, t
from tasks.models import Task, TaskInvitation

notification_kind(
    "task_pending_review", gettext_lazy("Tasks waiting for moderation"), emailable=False
)
notification_kind("task_published", gettext_lazy("My task is open for bids"))
notification_kind("task_sent_back", gettext_lazy("My task needs changes before publishing"))
notification_kind("task_bidding_closed", gettext_lazy("Bidding on my task has closed"))
notification_kind("task_invitation", gettext_lazy("Invitations to bid"))
notification_kind(
    "task_question",
    gettext_lazy("Questions on my tasks"),
    group=(
        gettext_noop("%(count)d new question on %(title)s"),
        gettext_noop("%(count)d new questions on %(title)s"),
    ),
)


def poster_recipients(task: Task) -> list[Any]:
    """The poster's owners and admins, and the member who wrote the task."""
    people = {
        u.pk: u for u in organization_members(organization=task.organization, roles=MANAGER_ROLES)
    }
    people.setdefault(task.created_by_id, task.created_by)
    return [u for u in people.values() if u.is_active]


def moderators() -> list[Any]:
    """Staff who hold the moderate_task permission (directly, through a group, or superusers)."""
    perm = Permission.objects.filter(
        codename="moderate_task", content_type__app_label="tasks"
    ).first()
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    return list(
        users.filter(
            Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm)
        ).distinct()
    )


@notification(
    "task_pending_review",
    "task_published",
    "task_moderation_approved",
    "task_moderation_sent_back",
    "task_bidding_closed",
)
def _task_event(event: str, task_id: int, tag: str) -> None:
    task = Task.objects.select_related("organization", "created_by").get(pk=task_id)
    url = link("frontend:task_detail", task.pk)
    title = task.title
    if event == "task_pending_review":
        _send(
            moderators(),
            Message(
                "task_pending_review",
                t(gettext_noop("Task waiting for review: %(title)s"), {"title": title}),
                t(
                    gettext_noop("%(org)s submitted a task that needs moderation."),
                    {"org": task.organization.name},
                ),
                link("admin:tasks_task_change", task.pk),
                email=False,
            ),
            f"{event}:{task.pk}:{task.updated_at.timestamp():.0f}",
        )
    elif event in ("task_published", "task_moderation_approved"):
        _send(
            [task.created_by],
            Message(
                "task_published",
                t(gettext_noop("Your task is open for bids: %(title)s"), {"title": title}),
                t(gettext_noop("Providers can now find the task and bid until the deadline.")),
                url,
                email=event == "task_moderation_approved",
            ),
            f"task_published:{task.pk}",
        )
    elif event == "task_moderation_sent_back":
        note = task.moderation_note
        _send(
            [task.created_by],
            Message(
                "task_sent_back",
                t(
                    gettext_noop("Your task needs changes before it can be published: %(title)s"),
                    {"title": title},
                ),
                raw(note),
                url,
            ),
            f"{event}:{task.pk}:{task.updated_at.timestamp():.0f}",
        )
    elif event == "task_bidding_closed":
        expired = task.status == Task.Status.EXPIRED
        _send(
            poster_recipients(task),
            Message(
                "task_bidding_closed",
                t(
                    gettext_noop("Bidding ended without bids: %(title)s")
                    if expired
                    else gettext_noop("Bidding has closed: %(title)s, time to compare and award"),
                    {"title": title},
                ),
                t(
                    gettext_noop(
                        "Nobody bid before the deadline. "
                        "Post the task again with a longer deadline."
                    )
                    if expired
                    else gettext_noop("Compare the bids and award the task to one provider.")
                ),
                link("frontend:task_bids", task.pk) if not expired else url,
            ),
            f"{event}:{task.pk}",
        )


@notification("task_invitation")
def _invitation_event(event: str, invitation_id: int, tag: str) -> None:
    invitation = TaskInvitation.objects.select_related("task__organization", "provider").get(
        pk=invitation_id
    )
    task = invitation.task
    _send(
        provider_profile_members(profile=invitation.provider),
        Message(
            "task_invitation",
            t(
                gettext_noop("%(org)s invites you to bid: %(title)s"),
                {"org": task.organization.name, "title": task.title},
            ),
            t(gettext_noop("Bids close %(deadline)s."), {"deadline": task.bid_deadline}),
            link("frontend:task_detail", task.pk),
        ),
        f"{event}:{invitation.pk}",
    )


@notification("task_question_asked")
def _question_asked(event: str, question_id: int, tag: str) -> None:
    from tasks.models import TaskQuestion

    question = TaskQuestion.objects.select_related("task__organization", "task__created_by").get(
        pk=question_id
    )
    task = question.task
    body = question.body
    url = link("frontend:task_detail", task.pk)
    _send(
        poster_recipients(task),
        Message(
            "task_question",
            t(gettext_noop("New question on %(title)s"), {"title": task.title}),
            raw(body[:240]),
            f"{url}#questions" if url else "",
            email=True,
        ),
        f"{event}:{question.pk}",
    )
