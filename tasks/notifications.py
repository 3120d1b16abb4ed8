"""Who hears about what happens to tasks and contracts, in their own language.

Services call `schedule(event, object_id)` inside their transaction; after commit a Celery task
runs `deliver(event, object_id)`, which writes each recipient's notification (and email).
Every notification carries a dedupe key, so a retried or repeated delivery writes nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import MANAGER_ROLES, organization_members, provider_profile_members
from marketplace.money import Money
from tasks.models import Contract, Delivery, Milestone, Review, Task, TaskInvitation


def schedule(event: str, object_id: int, *, tag: str = "") -> None:
    """Deliver `event` for `object_id` after the current transaction commits."""
    transaction.on_commit(partial(_enqueue, event, object_id, tag))


def _enqueue(event: str, object_id: int, tag: str) -> None:
    from tasks.tasks import deliver_notifications

    deliver_notifications.delay(event, object_id, tag)


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


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


def _task_event(event: str, task_id: int, tag: str) -> None:
    task = Task.objects.select_related("organization", "created_by").get(pk=task_id)
    url = _url("frontend:task_detail", task.pk)
    title = task.title
    if event == "task_pending_review":
        _send(
            moderators(),
            Message(
                "task_pending_review",
                lambda: _("Task waiting for review: %(title)s") % {"title": title},
                lambda: (
                    _("%(org)s submitted a task that needs moderation.")
                    % {"org": task.organization.name}
                ),
                _url("admin:tasks_task_change", task.pk),
                email=False,
            ),
            f"{event}:{task.pk}:{task.updated_at.timestamp():.0f}",
        )
    elif event in ("task_published", "task_moderation_approved"):
        _send(
            [task.created_by],
            Message(
                "task_published",
                lambda: _("Your task is open for bids: %(title)s") % {"title": title},
                lambda: _("Providers can now find the task and bid until the deadline."),
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
                lambda: (
                    _("Your task needs changes before it can be published: %(title)s")
                    % {"title": title}
                ),
                lambda: note,
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
                lambda: (
                    (
                        _("Bidding ended without bids: %(title)s")
                        if expired
                        else _("Bidding has closed: %(title)s, time to compare and award")
                    )
                    % {"title": title}
                ),
                lambda: (
                    _("Nobody bid before the deadline. Post the task again with a longer deadline.")
                    if expired
                    else _("Compare the bids and award the task to one provider.")
                ),
                _url("frontend:task_bids", task.pk) if not expired else url,
            ),
            f"{event}:{task.pk}",
        )


def _invitation_event(event: str, invitation_id: int, tag: str) -> None:
    invitation = TaskInvitation.objects.select_related("task__organization", "provider").get(
        pk=invitation_id
    )
    task = invitation.task
    _send(
        provider_profile_members(profile=invitation.provider),
        Message(
            "task_invitation",
            lambda: (
                _("%(org)s invites you to bid: %(title)s")
                % {"org": task.organization.name, "title": task.title}
            ),
            lambda: (
                _("Bids close %(deadline)s.")
                % {"deadline": task.bid_deadline.strftime("%Y-%m-%d %H:%M")}
            ),
            _url("frontend:task_detail", task.pk),
        ),
        f"{event}:{invitation.pk}",
    )


def _contract_event(event: str, contract_id: int, tag: str) -> None:
    contract = Contract.objects.select_related(
        "task__organization", "task__created_by", "provider"
    ).get(pk=contract_id)
    task = contract.task
    url = _url("frontend:contract_detail", contract.pk)
    if event == "contract_funded":
        _send(
            provider_profile_members(profile=contract.provider),
            Message(
                "contract_funded",
                lambda: _("Escrow funded, you can start: %(title)s") % {"title": task.title},
                lambda: _("The poster's money for the funded milestones is held in escrow."),
                url,
            ),
            f"{event}:{contract.pk}:{tag}",
        )
    elif event == "contract_completed":
        message = Message(
            "contract_completed",
            lambda: _("Contract completed: %(title)s, leave a review") % {"title": task.title},
            lambda: _("Every milestone is accepted. Rate how the work went; reviews build credit."),
            url,
        )
        _send(
            [*poster_recipients(task), *provider_profile_members(profile=contract.provider)],
            message,
            f"{event}:{contract.pk}",
        )


def _delivery_event(event: str, object_id: int, tag: str) -> None:
    if event == "delivery_submitted":
        delivery = Delivery.objects.select_related("milestone__contract__task__created_by").get(
            pk=object_id
        )
        milestone = delivery.milestone
        task = milestone.contract.task
        _send(
            poster_recipients(task),
            Message(
                "delivery_submitted",
                lambda: (
                    _("Delivery to review: %(milestone)s of %(title)s")
                    % {"milestone": milestone.title, "title": task.title}
                ),
                lambda: _(
                    "Accept it or ask for changes before the review window ends; silence accepts."
                ),
                _url("frontend:contract_detail", milestone.contract_id),
            ),
            f"{event}:{delivery.pk}",
        )
        return
    milestone = Milestone.objects.select_related("contract__task", "contract__provider").get(
        pk=object_id
    )
    task = milestone.contract.task
    url = _url("frontend:contract_detail", milestone.contract_id)
    recipients = provider_profile_members(profile=milestone.contract.provider)
    amount = Money(milestone.amount, milestone.contract.currency)
    if event == "delivery_accepted":
        _send(
            recipients,
            Message(
                "delivery_accepted",
                lambda: (
                    _("Milestone accepted: %(milestone)s of %(title)s")
                    % {"milestone": milestone.title, "title": task.title}
                ),
                lambda: (
                    _("%(amount)s is released to you from escrow.") % {"amount": amount.format()}
                ),
                url,
            ),
            f"{event}:{milestone.pk}",
        )
    elif event == "delivery_changes_requested":
        rounds = milestone.change_rounds
        _send(
            recipients,
            Message(
                "delivery_changes_requested",
                lambda: (
                    _("Changes requested: %(milestone)s of %(title)s")
                    % {"milestone": milestone.title, "title": task.title}
                ),
                lambda: _("Read the feedback and deliver again (round %(n)d).") % {"n": rounds},
                url,
            ),
            f"{event}:{milestone.pk}:{rounds}",
        )
    elif event == "milestone_due_soon":
        _send(
            recipients,
            Message(
                "deadline_near",
                lambda: (
                    _("Deadline near: %(milestone)s of %(title)s is due %(date)s")
                    % {
                        "milestone": milestone.title,
                        "title": task.title,
                        "date": milestone.due_date,
                    }
                ),
                lambda: _("Deliver on time: on-time delivery counts towards your credit score."),
                url,
            ),
            f"{event}:{milestone.pk}:{milestone.due_date}",
        )
    elif event == "review_window_closing":
        _send(
            poster_recipients(task),
            Message(
                "deadline_near",
                lambda: (
                    _("Review window closing: %(milestone)s of %(title)s")
                    % {"milestone": milestone.title, "title": task.title}
                ),
                lambda: _("If you do nothing, the delivery is accepted automatically."),
                url,
            ),
            f"{event}:{milestone.pk}:{milestone.submitted_at}",
        )


def _review_event(event: str, review_id: int, tag: str) -> None:
    review = Review.objects.select_related("contract__task__created_by", "contract__provider").get(
        pk=review_id
    )
    contract = review.contract
    if review.side == Review.Side.POSTER:
        recipients = provider_profile_members(profile=contract.provider)
    else:
        recipients = poster_recipients(contract.task)
    _send(
        recipients,
        Message(
            "review_received",
            lambda: _("You received a review for %(title)s") % {"title": contract.task.title},
            lambda: "",
            _url("frontend:contract_detail", contract.pk),
            email=False,
        ),
        f"{event}:{review.pk}",
    )


HANDLERS: dict[str, Callable[[str, int, str], None]] = {
    "task_pending_review": _task_event,
    "task_published": _task_event,
    "task_moderation_approved": _task_event,
    "task_moderation_sent_back": _task_event,
    "task_bidding_closed": _task_event,
    "task_invitation": _invitation_event,
    "contract_funded": _contract_event,
    "contract_completed": _contract_event,
    "delivery_submitted": _delivery_event,
    "delivery_accepted": _delivery_event,
    "delivery_changes_requested": _delivery_event,
    "milestone_due_soon": _delivery_event,
    "review_window_closing": _delivery_event,
    "review_received": _review_event,
}


def deliver(event: str, object_id: int, tag: str = "") -> None:
    HANDLERS[event](event, object_id, tag)
