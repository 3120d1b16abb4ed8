"""The stepped task form asks the server before each step: the rules and messages of the save."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tasks.models import Task
from tests.accounts.factories import OrganizationFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/tasks/new/check/"


@pytest.fixture
def poster():
    user = UserFactory()
    OrganizationFactory(owner=user)
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def base(**extra):
    data = {
        "plan-TOTAL_FORMS": "2",
        "plan-INITIAL_FORMS": "0",
        "plan-MIN_NUM_FORMS": "1",
        "plan-MAX_NUM_FORMS": "20",
    }
    data.update(extra)
    return data


def test_an_empty_first_step_is_refused_with_the_forms_messages(poster) -> None:
    response = poster.post(URL, base(_step="1"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert {"kind", "title", "summary", "description"} <= set(body["errors"])
    # Later steps are not blamed yet.
    assert "skills" not in body["errors"]
    assert "budget_min" not in body["errors"]
    assert body["first_step"] == 1


def test_step_one_filled_in_passes(poster) -> None:
    data = base(
        _step="1",
        organization=poster.get("/tasks/new/")
        .context["form"]
        .fields["organization"]
        .queryset.first()
        .pk,
        kind=Task.Kind.RD_SOLUTION,
        title="机器视觉检测",
        summary="为冲压件做表面缺陷检测。",
        description="需要检测划伤、凹坑与油污，节拍六秒，交付方案与代码。",
    )
    assert poster.post(URL, data).json()["errors"] == {}


def test_step_two_gives_the_services_messages_for_budget_and_deadline(poster) -> None:
    skill = SkillFactory()
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = base(
        _step="2",
        **{f"skill_{skill.pk}": "5"},
        budget_min="-5",
        budget_max="100",
        bid_deadline=past,
        delivery_deadline=(timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    )
    errors = poster.post(URL, data).json()["errors"]
    assert "budget_min" in errors
    assert errors["bid_deadline"] == ["Bids must stay open for at least an hour from now."]
    assert "skills" not in errors


def test_the_review_step_flags_milestones_that_do_not_add_up(poster) -> None:
    soon = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    data = base(
        _step="4",
        bid_deadline=soon,
        delivery_deadline=(timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        **{
            "plan-0-title": "方案",
            "plan-0-share": "40",
            "plan-0-due_days": "20",
            "plan-1-title": "交付",
            "plan-1-share": "50",
            "plan-1-due_days": "40",
        },
    )
    errors = poster.post(URL, data).json()["errors"]
    assert "milestones" in errors
    assert any("100" in message for message in errors["milestones"])


def test_checking_needs_a_poster_and_a_post(poster) -> None:
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.post(URL, base(_step="1")).status_code == 403
    assert poster.get(URL).status_code == 302  # a GET goes to the form's page


def test_a_task_in_review_is_not_open_yet_rather_than_closed() -> None:
    from bids.selectors import bid_eligibility
    from tests.tasks.factories import TaskFactory

    task = TaskFactory(status=Task.Status.PENDING_REVIEW)
    staff = task.created_by
    eligibility = bid_eligibility(user=staff, task=task)
    assert not eligibility.allowed
    assert eligibility.code == "not_published"
