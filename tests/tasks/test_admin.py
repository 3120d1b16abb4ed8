"""The tasks back office: moderators approve, send back and flag tasks through admin actions
that call the moderation services; staff without tasks.moderate_task cannot; rows are
read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User
from tasks.models import Task
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.bids.factories import BidFactory
from tests.page_helpers import signed_in
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:tasks_task_changelist"
MODERATOR_PERMS = ["tasks.view_task", "tasks.moderate_task"]


@pytest.fixture
def moderator() -> User:
    return UserFactory(staff=True, perms=MODERATOR_PERMS)


def pending_task(**kwargs) -> Task:
    government = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, verified=True)
    return TaskFactory(
        organization=government, status=Task.Status.PENDING_REVIEW, published_at=None, **kwargs
    )


def run_action(client: Client, action: str, tasks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [t.pk for t in tasks], "index": 0, **extra}
    # Posted from "all tasks", as a moderator selecting outside the review queue would.
    return client.post(reverse(CHANGELIST) + "?moderation=all", data)


def test_the_moderation_queue_lists_tasks_waiting_for_review(moderator) -> None:
    waiting = pending_task(title="区级养老服务平台运营")
    TaskFactory(title="Already open")
    response = signed_in(moderator).get(reverse(CHANGELIST) + "?moderation=queue")
    assert response.status_code == 200
    assert [t.pk for t in response.context["cl"].result_list] == [waiting.pk]
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert {"approve", "send_back", "flag"} <= set(actions)


def test_a_moderator_approves_a_pending_task(moderator, celery_eager) -> None:
    task = pending_task()
    response = run_action(signed_in(moderator), "approve", [task])
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    assert task.published_at is not None


def test_sending_back_asks_for_a_reason_first(moderator, celery_eager) -> None:
    task = pending_task()
    client = signed_in(moderator)

    page = run_action(client, "send_back", [task])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW

    empty = run_action(client, "send_back", [task], apply="1", reason="")
    assert empty.status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW

    done = run_action(client, "send_back", [task], apply="1", reason="预算区间与服务范围不符")
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DRAFT
    assert task.moderation_note == "预算区间与服务范围不符"


def test_flagging_an_open_task_takes_it_back_to_review(moderator, celery_eager) -> None:
    task = TaskFactory()
    response = run_action(
        signed_in(moderator), "flag", [task], apply="1", reason="Suspected duplicate posting"
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW
    assert task.flagged_for_review is True
    assert task.moderation_note == "Suspected duplicate posting"


def test_approving_a_task_whose_deadline_passed_is_refused_with_the_reason(moderator) -> None:
    task = pending_task(bid_deadline=timezone.now() - dt.timedelta(hours=1))
    response = run_action(signed_in(moderator), "approve", [task])
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW


@pytest.mark.parametrize("action", ["approve", "send_back", "flag"])
def test_staff_without_the_moderation_permission_cannot_moderate(action) -> None:
    staff = UserFactory(staff=True, perms=["tasks.view_task"])
    task = pending_task()
    client = signed_in(staff)

    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200
    form = listing.context["action_form"]  # None: no action at all is offered to them
    assert form is None or action not in dict(form.fields["action"].choices)

    run_action(client, action, [task], apply="1", reason="not a moderator")
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW
    assert task.moderation_note == ""
    assert task.flagged_for_review is False


@pytest.mark.parametrize("action", ["approve", "send_back", "flag"])
def test_a_suspended_moderator_is_offered_no_moderation_and_cannot_moderate(
    moderator, action
) -> None:
    moderator.suspended_at = timezone.now()
    moderator.save(update_fields=["suspended_at"])
    task = pending_task()
    client = signed_in(moderator)

    listing = client.get(reverse(CHANGELIST) + "?moderation=queue")
    assert [t.pk for t in listing.context["cl"].result_list] == [task.pk]
    form = listing.context["action_form"]
    assert form is None or action not in dict(form.fields["action"].choices)

    run_action(client, action, [task], apply="1", reason="while suspended")
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW
    assert task.moderation_note == ""
    assert task.flagged_for_review is False


def test_non_staff_cannot_reach_the_back_office() -> None:
    task = pending_task()
    response = signed_in(UserFactory(perms=MODERATOR_PERMS)).get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW


def test_tasks_and_bids_are_read_only_in_the_back_office(moderator) -> None:
    task = TaskFactory(title="Original title")
    client = signed_in(moderator)
    detail = client.get(reverse("admin:tasks_task_change", args=[task.pk]))
    assert detail.status_code == 200
    assert "Original title" in detail.content.decode()
    client.post(reverse("admin:tasks_task_change", args=[task.pk]), {"title": "Changed"})
    task.refresh_from_db()
    assert task.title == "Original title"
    assert client.get(reverse("admin:tasks_task_add")).status_code == 403

    bid = BidFactory(task=task)
    admin = UserFactory(staff=True, perms=["bids.view_bid"])
    page = signed_in(admin).get(reverse("admin:bids_bid_change", args=[bid.pk]))
    assert page.status_code == 200
    # The revision field's label, now translated (zh-Hans 版本).
    assert "版本" in page.content.decode() or "revision" in page.content.decode().lower()
