"""The contest pages in both languages: posting (the mode step, the ladder, the criteria and
the phases), the contest page, the submission page, the scorecard page and the publicity
page; bad input shows form errors and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests.models import Contest, Scorecard
from contests.services import contest_winners_confirm
from tests.contests.setup import (
    member_reviewer,
    open_contest,
    owner_of,
    poster,
    reviewed_contest,
    solver,
    to_review,
)
from tests.frontend.contracts_setup import pdf

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def _form(organization_id: int, skill_field: str, **over) -> dict:
    now = timezone.now()
    data = {
        "organization": organization_id,
        "kind": "rd_solution",
        "title": "揭榜挂帅：焊缝识别",
        "summary": "焊缝缺陷识别算法，奖金托管。",
        "description": "## 题目\n识别焊缝中的气孔、裂纹与未熔合缺陷，给出算法与验证报告。",
        skill_field: "4",
        "prize_total": "30000",
        "prize_kind": "ladder",
        "prizes": "20000, 10000",
        "criteria": "准确率: 70\n速度: 30",
        "pass_mark": "0",
        "guaranteed": "on",
        "return_fee_percent": "0",
        "registration_opens": _local(now + dt.timedelta(minutes=5)),
        "submission_closes": _local(now + dt.timedelta(days=3)),
        "review_closes": _local(now + dt.timedelta(days=5)),
        "objection_closes": _local(now + dt.timedelta(days=7)),
        "announce_at": _local(now + dt.timedelta(days=7)),
        "visibility": "public",
        "ip_terms": "transfer",
    }
    data.update(over)
    return data


def _skill_field(client: Client) -> str:
    page = client.get(reverse("frontend:contest_create")).content.decode()
    import re

    return re.search(r'name="(skill_\d+)"', page).group(1)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_posting_a_contest_in_steps(language: str):
    organization, owner = poster()
    from tests.accounts.factories import SkillFactory

    SkillFactory(slug="weld-vision")
    client = client_for(owner, language)
    page = client.get(reverse("frontend:contest_create"))
    assert page.status_code == 200
    assert b"data-mode-step" in page.content
    response = client.post(
        reverse("frontend:contest_create"), _form(organization.pk, _skill_field(client))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contest = Contest.objects.get()
    assert [p.amount for p in contest.prizes.order_by("rank")] == [20_000_00, 10_000_00]
    detail = client.get(response["Location"])
    assert b"data-timeline" in detail.content
    assert b"data-prize-ladder" in detail.content


def test_a_ladder_that_does_not_add_up_shows_the_error_and_writes_nothing():
    organization, owner = poster()
    from tests.accounts.factories import SkillFactory

    SkillFactory(slug="weld-vision")
    client = client_for(owner)
    response = client.post(
        reverse("frontend:contest_create"),
        _form(organization.pk, _skill_field(client), prizes="20000, 5000"),
    )
    assert response.status_code == 400
    assert "not the" in response.content.decode()
    assert not Contest.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_register_and_submit_through_the_pages(language: str):
    contest = open_contest()
    user = solver()
    client = client_for(user, language)
    detail = client.get(reverse("frontend:contest_detail", args=[contest.task_id]))
    assert b"data-register" in detail.content
    client.post(reverse("frontend:contest_action", args=[contest.task_id, "register"]))
    url = reverse("frontend:contest_submit", args=[contest.task_id])
    response = client.post(url, {"title": "方案", "note": "算法与报告。", "attachments": [pdf()]})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(url)
    assert b"data-my-submission" in page.content
    assert b"SHA-256" in page.content


def test_the_scorecard_page_saves_a_reviewers_scores_and_refuses_others():
    contest = open_contest()
    reviewer = member_reviewer(contest)
    user = solver()
    from tests.contests.setup import enter

    sub = enter(contest, user)
    to_review(contest)
    url = reverse("frontend:contest_review", args=[contest.task_id])
    criteria = list(contest.criteria.order_by("position"))
    data = {"submission": sub.pk, **{f"s{sub.pk}-c{c.pk}": "75" for c in criteria}}
    client = client_for(reviewer, "zh-hans")
    assert client.get(url).status_code == 200
    assert client.post(url, {**data, f"s{sub.pk}-c{criteria[0].pk}": "120"}).status_code == 400
    assert not Scorecard.objects.exists()
    assert client.post(url, data).status_code == 302
    assert Scorecard.objects.count() == 1
    assert client_for(user).get(url).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_publicity_page_shows_the_winners_and_takes_an_objection(language: str):
    contest, subs, solvers = reviewed_contest()
    contest_winners_confirm(actor=owner_of(contest), contest=contest, submission_ids=[subs[0].pk])
    url = reverse("frontend:contest_publicity", args=[contest.task_id])
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(url)
    assert page.status_code == 200
    assert b"data-winners" in page.content
    client = client_for(solvers[1], language)
    assert client.post(url, {"reason": "短"}).status_code == 400
    assert client.post(url, {"reason": "评分标准没有按照公告执行，请复核。"}).status_code == 302
    assert contest.objections.count() == 1
