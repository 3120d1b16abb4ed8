"""The contest API: the same operations as the services, with permissions checked against a
second user, and bad input refused with the project's error body and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Membership
from contests.models import Contest, Entry, Scorecard, Submission, Winner
from tests.accounts.factories import SkillFactory, UserFactory, make_org_member
from tests.api_helpers import API, assert_error, client_for, pdf
from tests.contests.setup import (
    expert_reviewer,
    open_contest,
    owner_of,
    poster,
    reviewed_contest,
    solver,
    to_review,
)

pytestmark = pytest.mark.django_db


def _payload(organization_id: int, **over):
    now = timezone.now()
    body = {
        "organization": organization_id,
        "kind": "rd_solution",
        "title": "揭榜挂帅：焊缝识别",
        "summary": "焊缝缺陷识别算法，奖金托管。",
        "description": "## 题目\n识别焊缝中的气孔、裂纹与未熔合缺陷，给出算法与验证报告。",
        "skills": [SkillFactory(slug="welding-vision").pk],
        "prize_total": 30_000_00,
        "equal_prizes": 3,
        "criteria": [{"name": "准确率", "weight": 70}, {"name": "速度", "weight": 30}],
        "registration_opens": now.isoformat(),
        "submission_closes": (now + dt.timedelta(days=3)).isoformat(),
        "review_closes": (now + dt.timedelta(days=5)).isoformat(),
        "objection_closes": (now + dt.timedelta(days=7)).isoformat(),
        "announce_at": (now + dt.timedelta(days=7)).isoformat(),
    }
    body.update(over)
    return body


def test_post_submit_and_fund_a_contest_through_the_api():
    organization, owner = poster()
    client = client_for(owner)
    created = client.post(f"{API}/contests/", _payload(organization.pk), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert [p["amount"] for p in body["prizes"]] == [10_000_00] * 3
    task_id = body["task_id"]
    task = client.get(f"{API}/tasks/{task_id}/").json()
    assert task["mode"] == "contest"
    assert client.post(f"{API}/contests/{task_id}/submit/").status_code == 200
    funded = client.post(f"{API}/contests/{task_id}/fund/")
    assert funded.status_code == 200, funded.content
    # A second user: someone outside the poster does not even see the unpublished contest;
    # a plain member of the poster sees it and may not fund it.
    assert_error(client_for(UserFactory()).post(f"{API}/contests/{task_id}/fund/"), 404)
    member = UserFactory()
    make_org_member(member, organization, Membership.Role.MEMBER)
    assert_error(client_for(member).post(f"{API}/contests/{task_id}/submit/"), 403)


def test_a_ladder_that_does_not_add_up_is_refused_and_writes_nothing():
    organization, owner = poster()
    body = _payload(organization.pk, equal_prizes=None, prizes=[20_000_00, 5_000_00])
    body.pop("equal_prizes")
    error = assert_error(
        client_for(owner).post(f"{API}/contests/", body, format="json"), 400, code="invalid"
    )
    assert "prizes" in error["fields"]
    assert not Contest.objects.exists()


def test_phases_out_of_order_are_refused():
    organization, owner = poster()
    now = timezone.now()
    body = _payload(organization.pk, review_closes=(now + dt.timedelta(days=1)).isoformat())
    error = assert_error(client_for(owner).post(f"{API}/contests/", body, format="json"), 400)
    assert "review_closes" in error["fields"]
    assert not Contest.objects.exists()


def test_register_submit_and_the_seal_seen_by_a_second_user():
    contest = open_contest()
    first, second = solver(), solver()
    base = f"{API}/contests/{contest.task_id}"
    for user in (first, second):
        assert client_for(user).post(f"{base}/register/").status_code == 201
    made = client_for(first).post(
        f"{base}/submissions/",
        {"title": "方案一", "note": "算法与报告。", "files": [pdf()]},
        format="multipart",
    )
    assert made.status_code == 201, made.content
    assert made.json()["files"][0]["sha256"]
    # The rival sees nothing of it; the author sees it.
    assert client_for(second).get(f"{base}/submissions/").json()["count"] == 0
    assert client_for(first).get(f"{base}/submissions/").json()["count"] == 1
    assert client_for(None).post(f"{base}/register/").status_code in (401, 403)


def test_a_submission_without_a_file_or_after_the_deadline_is_refused():
    contest = open_contest()
    user = solver()
    base = f"{API}/contests/{contest.task_id}"
    client_for(user).post(f"{base}/register/")
    assert_error(
        client_for(user).post(
            f"{base}/submissions/", {"title": "方案", "note": "无附件。"}, format="multipart"
        ),
        400,
    )
    Contest.objects.filter(pk=contest.pk).update(
        registration_opens=timezone.now() - dt.timedelta(days=2),
        submission_closes=timezone.now() - dt.timedelta(minutes=1),
    )
    assert_error(
        client_for(user).post(
            f"{base}/submissions/",
            {"title": "方案", "note": "迟到。", "files": [pdf()]},
            format="multipart",
        ),
        409,
        code="submissions_closed",
    )
    assert not Submission.objects.exists()
    assert Entry.objects.count() == 1


def test_a_scorecard_from_a_non_reviewer_is_refused_and_a_reviewer_sees_only_their_own():
    contest = open_contest()
    reviewer = expert_reviewer(contest)
    other_reviewer = expert_reviewer(contest)
    user = solver()
    base = f"{API}/contests/{contest.task_id}"
    client_for(user).post(f"{base}/register/")
    sub = (
        client_for(user)
        .post(
            f"{base}/submissions/",
            {"title": "方案", "note": "报告。", "files": [pdf()]},
            format="multipart",
        )
        .json()
    )
    to_review(contest)
    criteria = list(contest.criteria.order_by("position"))
    card = {
        "submission": sub["id"],
        "scores": [{"criterion": c.pk, "value": 80} for c in criteria],
    }
    assert_error(
        client_for(user).post(f"{base}/scorecards/", card, format="json"), 403, code="not_reviewer"
    )
    assert_error(client_for(UserFactory()).post(f"{base}/scorecards/", card, format="json"), 403)
    assert not Scorecard.objects.exists()
    assert client_for(reviewer).post(f"{base}/scorecards/", card, format="json").status_code == 201
    assert client_for(other_reviewer).get(f"{base}/scorecards/").json()["count"] == 0
    assert client_for(reviewer).get(f"{base}/scorecards/").json()["count"] == 1
    # Out of range: a clear 400, nothing written.
    bad = {**card, "scores": [{"criterion": criteria[0].pk, "value": 101}]}
    assert_error(client_for(other_reviewer).post(f"{base}/scorecards/", bad, format="json"), 400)
    assert Scorecard.objects.count() == 1


def test_confirm_winners_object_and_decide_through_the_api():
    contest, subs, solvers = reviewed_contest()
    base = f"{API}/contests/{contest.task_id}"
    ranking = client_for(owner_of(contest)).get(f"{base}/ranking/").json()["results"]
    assert [row["submission"] for row in ranking] == [s.pk for s in subs]
    assert client_for(solvers[0]).get(f"{base}/ranking/").status_code == 404
    # Another organization's owner may not confirm.
    assert_error(
        client_for(UserFactory()).post(
            f"{base}/winners/", {"submissions": [subs[0].pk]}, format="json"
        ),
        403,
    )
    confirmed = client_for(owner_of(contest)).post(
        f"{base}/winners/", {"submissions": [subs[0].pk]}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    public = client_for(None).get(f"{base}/").json()
    assert public["status"] == "publicity"
    assert public["winners"][0]["provider_id"] == subs[0].entry.provider_id
    filed = client_for(solvers[1]).post(
        f"{base}/objections/", {"reason": "评分过程没有按照公告的标准。"}, format="json"
    )
    assert filed.status_code == 201, filed.content
    objection_id = filed.json()["id"]
    assert client_for(solvers[2]).get(f"{base}/objections/").json()["count"] == 0
    decide = f"{API}/contest-objections/{objection_id}/decide/"
    assert_error(
        client_for(solvers[0]).post(decide, {"upheld": False, "note": "驳回。"}, format="json"),
        403,
    )
    from tests.accounts.factories import grant

    mediator = grant(UserFactory(is_staff=True), "disputes.decide_dispute")
    decided = client_for(mediator).post(
        decide, {"upheld": False, "note": "评分符合公告。"}, format="json"
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "dismissed"
    assert Winner.objects.filter(contest=contest).count() == 1
