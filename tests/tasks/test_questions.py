"""Questions on a task (提问/答疑): providers ask, the poster's members answer once or clarify
for all, answers are public while the asker stays anonymous to rivals, bidders are told, and
moderators hide what does not belong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from accounts.models import Notification
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from tasks.models import Task, TaskQuestion
from tasks.selectors import task_question_get_for_user, task_questions_for_user
from tasks.services import (
    task_clarification_post,
    task_question_answer,
    task_question_ask,
    task_question_hide,
)
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.api_helpers import API, assert_error, client_for
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

QUESTION = "检测节拍 6 秒是否包含上下料时间？"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The labels ("You", "A provider") are read in English, whatever ran before."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    task = TaskFactory()
    asker = ProviderProfileFactory(user__name="王工").user
    rival_bid = BidFactory(task=task)
    return {
        "task": task,
        "poster": task_owner(task),
        "asker": asker,
        "rival": bid_operator(rival_bid),
        "moderator": UserFactory(staff=True, perms=["tasks.moderate_task"]),
    }


def bodies(user: Any, task: Task) -> list[tuple[str, str]]:
    return [(v.question.body, v.asker_label) for v in task_questions_for_user(user=user, task=task)]


def test_an_unanswered_question_is_seen_by_its_asker_and_the_poster_only(
    people: dict[str, Any],
) -> None:
    task = people["task"]
    task_question_ask(actor=people["asker"], task=task, body=QUESTION)

    assert bodies(people["asker"], task) == [(QUESTION, "You")]
    assert bodies(people["poster"], task) == [(QUESTION, "王工")]
    assert bodies(people["rival"], task) == []
    assert bodies(UserFactory(), task) == []


def test_an_answer_makes_it_public_and_the_asker_stays_anonymous_to_rivals(
    people: dict[str, Any], celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    task = people["task"]
    question = task_question_ask(actor=people["asker"], task=task, body=QUESTION)
    with django_capture_on_commit_callbacks(execute=True):
        task_question_answer(
            actor=people["poster"], question=question, answer="不包含，仅为检测时间。"
        )

    assert bodies(people["rival"], task) == [(QUESTION, "A provider")]
    anonymous = task_questions_for_user(user=None, task=task)
    assert [v.question.answer for v in anonymous] == ["不包含，仅为检测时间。"]
    # The rival bidder and the asker are told; the rival's notice does not name the asker.
    told = Notification.objects.filter(kind="task_answer")
    assert set(told.values_list("recipient_id", flat=True)) == {
        people["asker"].pk,
        people["rival"].pk,
    }
    assert all("王工" not in n.title + n.body for n in told)


def test_only_the_poster_answers_and_only_once(people: dict[str, Any]) -> None:
    question = task_question_ask(actor=people["asker"], task=people["task"], body=QUESTION)
    with pytest.raises(NotAllowed):
        task_question_answer(actor=people["rival"], question=question, answer="我来回答一下")
    task_question_answer(actor=people["poster"], question=question, answer="不包含上下料。")
    with pytest.raises(Conflict):
        task_question_answer(actor=people["poster"], question=question, answer="再答一次看看")


def test_the_poster_cannot_ask_and_strangers_without_a_profile_cannot_either(
    people: dict[str, Any],
) -> None:
    with pytest.raises(NotAllowed):
        task_question_ask(actor=people["poster"], task=people["task"], body=QUESTION)
    with pytest.raises(NotAllowed):
        task_question_ask(actor=UserFactory(), task=people["task"], body=QUESTION)
    assert not TaskQuestion.objects.exists()


def test_empty_or_oversized_questions_are_refused(people: dict[str, Any]) -> None:
    for body in ("", "  ", "问" * 2001):
        with pytest.raises(ValidationFailed):
            task_question_ask(actor=people["asker"], task=people["task"], body=body)
    assert not TaskQuestion.objects.exists()


def test_questions_are_rate_limited_per_person(people: dict[str, Any], settings: Any) -> None:
    settings.MARKETPLACE = {**settings.MARKETPLACE, "QUESTIONS_PER_HOUR": 2}
    for n in range(2):
        task_question_ask(actor=people["asker"], task=people["task"], body=f"{QUESTION} {n}")
    with pytest.raises(ValidationFailed) as refused:
        task_question_ask(actor=people["asker"], task=people["task"], body=QUESTION)
    assert refused.value.code == "rate_limited"


def test_a_clarification_is_public_at_once_and_bidders_are_told(
    people: dict[str, Any], celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        task_clarification_post(
            actor=people["poster"], task=people["task"], body="样件将于下周寄出。"
        )

    assert bodies(UserFactory(), people["task"]) == [
        ("样件将于下周寄出。", people["task"].organization.name)
    ]
    assert Notification.objects.filter(
        kind="task_clarification", recipient=people["rival"]
    ).exists()
    with pytest.raises(NotAllowed):
        task_clarification_post(actor=people["rival"], task=people["task"], body="冒充甲方的澄清")


def test_a_moderator_hides_a_question_from_everyone_else(people: dict[str, Any]) -> None:
    question = task_question_ask(actor=people["asker"], task=people["task"], body=QUESTION)
    task_question_answer(actor=people["poster"], question=question, answer="不包含上下料。")
    with pytest.raises(NotAllowed):
        task_question_hide(actor=people["poster"], question=question, reason="")
    task_question_hide(actor=people["moderator"], question=question, reason="广告")

    for viewer in (people["asker"], people["poster"], people["rival"], None):
        assert bodies(viewer, people["task"]) == []
    assert len(bodies(people["moderator"], people["task"])) == 1
    with pytest.raises(NotFound):
        task_question_get_for_user(user=people["rival"], question_id=question.pk)


def test_a_closed_task_takes_no_more_questions(people: dict[str, Any]) -> None:
    question = task_question_ask(actor=people["asker"], task=people["task"], body=QUESTION)
    Task.objects.filter(pk=people["task"].pk).update(status=Task.Status.AWARDED)
    task = Task.objects.get(pk=people["task"].pk)
    with pytest.raises(NotAllowed):
        task_question_ask(actor=people["asker"], task=task, body=QUESTION)
    with pytest.raises(InvalidTransition):
        task_question_answer(actor=people["poster"], question=question, answer="太晚了的回答")


# --- the API ------------------------------------------------------------------------------------


def test_api_ask_answer_and_list_as_each_viewer(people: dict[str, Any]) -> None:
    task = people["task"]
    asked = client_for(people["asker"]).post(
        f"{API}/tasks/{task.pk}/questions/", {"body": QUESTION}, format="json"
    )
    assert asked.status_code == 201, asked.content
    question_id = asked.json()["id"]
    assert asked.json()["asked_by"] in ("You", "您")

    # A rival can neither see nor answer it before the answer.
    seen = client_for(people["rival"]).get(f"{API}/tasks/{task.pk}/questions/").json()
    assert seen["results"] == []
    assert_error(
        client_for(people["rival"]).post(
            f"{API}/questions/{question_id}/answer/", {"answer": "冒充的回答"}, format="json"
        ),
        404,
    )
    answered = client_for(people["poster"]).post(
        f"{API}/questions/{question_id}/answer/", {"answer": "不包含上下料。"}, format="json"
    )
    assert answered.status_code == 200, answered.content

    listed = client_for(people["rival"]).get(f"{API}/tasks/{task.pk}/questions/").json()["results"]
    assert [(q["body"], q["answer"]) for q in listed] == [(QUESTION, "不包含上下料。")]
    assert "王工" not in str(listed)
    assert client_for(None).get(f"{API}/tasks/{task.pk}/questions/").status_code == 200


def test_api_refuses_bad_input_and_outsiders(people: dict[str, Any]) -> None:
    task = people["task"]
    assert_error(
        client_for(people["asker"]).post(f"{API}/tasks/{task.pk}/questions/", {}, format="json"),
        400,
    )
    assert_error(
        client_for(None).post(f"{API}/tasks/{task.pk}/questions/", {"body": QUESTION}), 401
    )
    assert_error(
        client_for(people["rival"]).post(
            f"{API}/tasks/{task.pk}/clarifications/", {"body": "假的澄清内容"}, format="json"
        ),
        403,
    )
    draft = TaskFactory(status=Task.Status.DRAFT)
    assert_error(client_for(people["asker"]).get(f"{API}/tasks/{draft.pk}/questions/"), 404)
    assert not TaskQuestion.objects.exists()
