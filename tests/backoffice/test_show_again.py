"""Hidden content is shown again, and hidden content closes its reports wherever it is hidden.

Wherever a moderator hides a task, question, message or profile (a report's page, the object's
own admin page, the public task page or the API), that object's waiting reports close as acted on.
The API hides and shows each kind (`/api/v1/moderation/content/<kind>/<id>/hide|show/`); only
moderators may, and a second user is refused. The hide form of a report quotes what was reported
and the reporter's reason, so the moderator acts on the text itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ProviderProfile
from bids.models import NegotiationMessage
from marketplace.audit import audit_trail
from tasks import services as task_services
from tasks.models import Report, Task, TaskQuestion
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.backoffice.test_hiding import REASON, moderator_user, reported, room, staff_in
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

__all__ = ["room"]  # the fixture, imported for the tests below

API = "/api/v1/moderation/content"


@pytest.fixture
def moderator() -> Any:
    return moderator_user()


def api_as(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def open_reports(kind: str, object_id: int) -> int:
    return Report.objects.filter(kind=kind, object_id=object_id, status=Report.Status.OPEN).count()


def question_on_open_task() -> tuple[Task, TaskQuestion]:
    task = TaskFactory(status=Task.Status.OPEN)
    asker = ProviderProfileFactory().user
    question = task_services.task_question_ask(
        actor=asker, task=task, body="这个任务能远程完成吗？"
    )
    return task, question


def test_hiding_a_profile_from_its_own_admin_page_closes_its_reports(moderator) -> None:
    profile = ProviderProfileFactory()
    reported("profile", profile.pk, UserFactory())
    reported("profile", profile.pk, UserFactory())
    hide = reverse("admin:accounts_providerprofile_hide_detail", args=[profile.pk])
    assert signed_in(moderator).post(hide, {"reason": "冒用他人资质"}).status_code == 302
    assert ProviderProfile.objects.get(pk=profile.pk).hidden_at is not None
    assert open_reports("profile", profile.pk) == 0
    closed = Report.objects.filter(kind="profile", object_id=profile.pk)
    assert {(r.status, r.decided_by, r.decision_note) for r in closed} == {
        (Report.Status.ACTIONED, moderator, "冒用他人资质")
    }


def test_hiding_a_question_on_the_task_page_closes_its_reports_and_shows_it_again(
    moderator,
) -> None:
    task, question = question_on_open_task()
    reported("question", question.pk, task_owner(task))
    client = signed_in(moderator)
    page = html(client.get(reverse("frontend:task_detail", args=[task.pk])))
    assert reverse("frontend:question_hide", args=[question.pk]) in page
    response = client.post(
        reverse("frontend:question_hide", args=[question.pk]), {"reason": "与任务无关的广告"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.hidden_reason == "与任务无关的广告"
    assert open_reports("question", question.pk) == 0
    page = html(client.get(reverse("frontend:task_detail", args=[task.pk])))
    show = reverse("frontend:question_show", args=[question.pk])
    assert show in page
    assert "与任务无关的广告" in page  # the moderator sees why it was hidden
    assert client.post(show).status_code == 302
    question.refresh_from_db()
    assert question.hidden_at is None
    assert audit_trail(question).filter(action="task.question_show").count() == 1


def test_only_moderators_show_a_question_again(moderator) -> None:
    task, question = question_on_open_task()
    task_services.task_question_hide(actor=moderator, question=question, reason="广告")
    poster = task_owner(task)
    show = reverse("frontend:question_show", args=[question.pk])
    assert signed_in(poster).post(show).status_code == 404  # hidden: the poster cannot see it
    assert TaskQuestion.objects.get(pk=question.pk).hidden_at is not None
    response = api_as(poster).post(f"/api/v1/questions/{question.pk}/show/")
    assert response.status_code in (403, 404), response.status_code
    assert TaskQuestion.objects.get(pk=question.pk).hidden_at is not None
    response = api_as(moderator).post(f"/api/v1/questions/{question.pk}/show/")
    assert response.status_code == 200, response.content
    assert TaskQuestion.objects.get(pk=question.pk).hidden_at is None
    assert api_as(moderator).post(f"/api/v1/questions/{question.pk}/show/").status_code == 409


def test_the_api_hides_and_shows_a_message_again(room, moderator) -> None:
    message = room["rude"]
    reported("message", message.pk, room["poster"])
    url = f"{API}/message/{message.pk}"
    for user in (room["bidder"], room["poster"], staff_in("mediator"), staff_in("finance")):
        response = api_as(user).post(f"{url}/hide/", {"reason": REASON}, format="json")
        assert response.status_code == 403
    assert NegotiationMessage.objects.get(pk=message.pk).hidden_at is None
    mod = api_as(moderator)
    response = mod.post(f"{url}/hide/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert NegotiationMessage.objects.get(pk=message.pk).hidden_at is None
    response = mod.post(f"{url}/hide/", {"reason": REASON}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() | {"url": ""} == {
        "kind": "message", "object_id": message.pk, "hidden": True, "url": ""
    }  # fmt: skip
    assert open_reports("message", message.pk) == 0
    assert mod.post(f"{url}/hide/", {"reason": REASON}, format="json").status_code == 409
    assert api_as(room["bidder"]).post(f"{url}/show/").status_code == 403
    response = mod.post(f"{url}/show/")
    assert (response.status_code, response.json()["hidden"]) == (200, False)
    message.refresh_from_db()
    assert (message.hidden_at, message.hidden_reason) == (None, "")
    assert mod.post(f"{url}/show/").status_code == 409


def test_the_api_hides_and_shows_a_profile_and_a_task(moderator) -> None:
    profile = ProviderProfileFactory()
    mod = api_as(moderator)
    assert mod.post(f"{API}/profile/{profile.pk}/hide/", {"reason": "冒用资质"}).status_code == 200
    assert ProviderProfile.objects.get(pk=profile.pk).hidden_at is not None
    response = mod.post(f"{API}/profile/{profile.pk}/show/")
    assert (response.status_code, response.json()["hidden"]) == (200, False)
    assert ProviderProfile.objects.get(pk=profile.pk).hidden_at is None

    task = TaskFactory(status=Task.Status.OPEN)
    reported("task", task.pk, UserFactory())
    response = mod.post(f"{API}/task/{task.pk}/hide/", {"reason": "涉嫌虚假需求"})
    assert (response.status_code, response.json()["hidden"]) == (200, True)
    task.refresh_from_db()
    assert (task.status, task.flagged_for_review) == (Task.Status.PENDING_REVIEW, True)
    assert open_reports("task", task.pk) == 0
    response = mod.post(f"{API}/task/{task.pk}/show/")
    assert (response.status_code, response.json()["hidden"]) == (200, False)
    task.refresh_from_db()
    assert (task.status, task.flagged_for_review) == (Task.Status.OPEN, False)


def test_unknown_kinds_and_missing_objects_answer_404_and_write_nothing(moderator) -> None:
    mod = api_as(moderator)
    assert mod.post(f"{API}/contract/1/hide/", {"reason": "x"}).status_code == 404
    assert mod.post(f"{API}/profile/999999/show/").status_code == 404
    assert mod.post(f"{API}/profile/999999/hide/", {"reason": "x"}).status_code == 404
    anonymous = APIClient()
    assert anonymous.post(f"{API}/profile/1/hide/", {"reason": "x"}).status_code in (401, 403)


def test_the_reports_hide_form_quotes_the_reported_text_and_the_reason(room, moderator) -> None:
    report = task_services.report_file(
        reporter=room["poster"], kind="message", object_id=room["rude"].pk, reason="abuse",
        details="他在消息里辱骂我们的员工",
    )  # fmt: skip
    page = html(signed_in(moderator).get(reverse("admin:tasks_report_hide_one", args=[report.pk])))
    assert "data-quoted" in page
    assert "你们这些人都是骗子" in page  # the reported message in full
    assert "他在消息里辱骂我们的员工" in page  # what the reporter said
