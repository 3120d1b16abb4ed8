"""Moderation by staff, and the sweeper that closes bidding at the deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification, Organization
from bids.models import Bid
from marketplace.errors import InvalidTransition, NotAllowed, ValidationFailed
from tasks.models import Task
from tasks.services import (
    task_close_bidding,
    task_moderation_approve,
    task_moderation_flag,
    task_moderation_send_back,
    tasks_close_due_bidding,
)
from tasks.tasks import close_due_bidding
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.bids.factories import BidFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return UserFactory(staff=True, perms=["tasks.moderate_task"])


@pytest.fixture
def government_task():
    gov = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, owner=UserFactory())
    return TaskFactory(organization=gov, status=Task.Status.PENDING_REVIEW, published_at=None)


def test_a_moderator_opens_a_task_waiting_for_review(
    moderator, government_task, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = task_moderation_approve(moderator=moderator, task=government_task)
    assert task.status == Task.Status.OPEN
    assert task.published_at is not None
    assert Notification.objects.filter(recipient=task.created_by, kind="task_published").exists()


def test_a_moderator_sends_a_task_back_with_the_reason(
    moderator, government_task, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = task_moderation_send_back(
            moderator=moderator, task=government_task, reason="预算口径需注明含税"
        )
    assert task.status == Task.Status.DRAFT
    assert task.moderation_note == "预算口径需注明含税"
    note = Notification.objects.get(recipient=task.created_by, kind="task_sent_back")
    assert note.body == "预算口径需注明含税"


def test_sending_back_needs_a_reason(moderator, government_task):
    with pytest.raises(ValidationFailed):
        task_moderation_send_back(moderator=moderator, task=government_task, reason="")


@pytest.mark.parametrize("user_kind", ["staff_without_permission", "poster", "anyone"])
def test_only_moderators_moderate(user_kind, government_task):
    user = {
        "staff_without_permission": lambda: UserFactory(staff=True),
        "poster": lambda: government_task.created_by,
        "anyone": UserFactory,
    }[user_kind]()
    with pytest.raises(NotAllowed):
        task_moderation_approve(moderator=user, task=government_task)
    government_task.refresh_from_db()
    assert government_task.status == Task.Status.PENDING_REVIEW


@pytest.mark.parametrize(
    "moderate",
    [
        lambda moderator, task: task_moderation_approve(moderator=moderator, task=task),
        lambda moderator, task: task_moderation_send_back(
            moderator=moderator, task=task, reason="预算口径需注明含税"
        ),
        lambda moderator, task: task_moderation_flag(
            moderator=moderator, task=task, reason="疑似虚假需求"
        ),
    ],
    ids=["approve", "send_back", "flag"],
)
def test_a_suspended_moderator_cannot_moderate(moderate, moderator, government_task):
    moderator.suspended_at = timezone.now()
    moderator.save(update_fields=["suspended_at"])
    with pytest.raises(NotAllowed) as excinfo:
        moderate(moderator, government_task)
    assert excinfo.value.code == "suspended"
    government_task.refresh_from_db()
    assert government_task.status == Task.Status.PENDING_REVIEW
    assert government_task.moderation_note == ""
    assert government_task.flagged_for_review is False


def test_a_draft_cannot_be_approved(moderator):
    task = TaskFactory(status=Task.Status.DRAFT, published_at=None)
    with pytest.raises((NotAllowed, InvalidTransition)):
        task_moderation_approve(moderator=moderator, task=task)


def test_flagging_an_open_task_takes_it_off_the_market_until_reviewed(moderator):
    task = task_moderation_flag(moderator=moderator, task=TaskFactory(), reason="疑似重复发布")
    assert task.status == Task.Status.PENDING_REVIEW
    assert task.flagged_for_review


def test_the_sweeper_closes_tasks_past_their_deadline_with_bids():
    task = TaskFactory()
    BidFactory(task=task)
    Task.objects.filter(pk=task.pk).update(bid_deadline=timezone.now() - dt.timedelta(minutes=1))

    assert tasks_close_due_bidding() == 1
    task.refresh_from_db()
    assert task.status == Task.Status.CLOSED
    assert task.closed_at is not None


def test_a_task_nobody_bid_on_expires_at_its_deadline():
    task = TaskFactory()
    BidFactory(task=task, status=Bid.Status.WITHDRAWN)
    Task.objects.filter(pk=task.pk).update(bid_deadline=timezone.now() - dt.timedelta(minutes=1))

    tasks_close_due_bidding()
    task.refresh_from_db()
    assert task.status == Task.Status.EXPIRED


def test_the_sweeper_is_safe_to_run_twice_or_late():
    due = TaskFactory()
    BidFactory(task=due)
    Task.objects.filter(pk=due.pk).update(bid_deadline=timezone.now() - dt.timedelta(days=3))
    future = TaskFactory()

    assert close_due_bidding.apply().get() == 1
    assert close_due_bidding.apply().get() == 0
    due.refresh_from_db()
    future.refresh_from_db()
    assert due.status == Task.Status.CLOSED
    assert future.status == Task.Status.OPEN


def test_closing_rechecks_the_deadline_under_the_lock():
    """A task whose deadline moved after the sweeper listed it stays open."""
    task = TaskFactory()
    assert task_close_bidding(task_id=task.pk) is None
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
