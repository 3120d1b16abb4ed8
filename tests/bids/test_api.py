"""The bids REST API, and the whole tender through HTTP: post, bid, award, fund, deliver,
ask for changes, deliver again, accept, review."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Membership, Notification, Organization, User
from bids.models import Bid, BidMilestone, BidRevision
from contracts.models import Contract, Milestone, Review
from contracts.services import contract_funding_received
from marketplace.models import AuditEvent
from tasks.models import Task
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    make_org_member,
)
from tests.api_helpers import API, PDF_BYTES, assert_error, client_for, pdf
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def bid_payload(amount: int = 60_000_00, **overrides: Any) -> dict[str, Any]:
    """A valid bid body: the milestones add up to the amount (fen)."""
    body: dict[str, Any] = {
        "amount": amount,
        "duration_days": 60,
        "proposal": "我们有十年工业视觉经验，曾为三家主机厂交付同类检测方案，可复用缺陷样本库。",
        "milestones": [
            {"title": "方案设计", "amount": amount // 2, "due_days": 20},
            {"title": "实施与验证", "amount": amount - amount // 2, "due_days": 60},
        ],
    }
    body.update(overrides)
    return body


def bid_rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Bid, BidMilestone, BidRevision, Contract, AuditEvent)
    }


@pytest.fixture
def task() -> Task:
    return TaskFactory()


@pytest.fixture
def provider() -> User:
    return ProviderProfileFactory(skills={"machine-vision": 4}).user


# --- the whole tender ---------------------------------------------------------------------------


def test_the_whole_tender_runs_through_the_api(django_capture_on_commit_callbacks):
    owner = UserFactory()
    org = OrganizationFactory(owner=owner, verified=True)
    member = UserFactory()
    make_org_member(member, org)
    bidder = ProviderProfileFactory().user
    rival = ProviderProfileFactory().user
    poster, member_api, provider_api = client_for(owner), client_for(member), client_for(bidder)

    # A member writes the draft and attaches the specification; the owner publishes it.
    created = member_api.post(
        f"{API}/tasks/",
        {
            "organization": org.pk,
            "kind": "rd_solution",
            "title": "冲压件表面缺陷机器视觉检测",
            "summary": "检测划伤、凹坑与油污，节拍 6 秒。",
            "description": "## 需求\n在试验线上验证检测方案，误检率低于 1%。交付方案、代码与报告。",
            "budget_min": 50_000_00,
            "budget_max": 80_000_00,
            "bid_deadline": (timezone.now() + dt.timedelta(days=10)).isoformat(),
            "delivery_deadline": (timezone.localdate() + dt.timedelta(days=120)).isoformat(),
            "skills": [{"skill": SkillFactory(slug="machine-vision").pk, "weight": 5}],
            "milestones": [
                {"title": "方案设计", "share_bps": 3000, "due_days": 20},
                {"title": "实施与验证", "share_bps": 7000, "due_days": 80},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    task_id = created.json()["id"]
    attached = member_api.post(
        f"{API}/tasks/{task_id}/attachments/", {"file": pdf("需求说明.pdf")}, format="multipart"
    )
    assert attached.status_code == 201, attached.content
    assert poster.post(f"{API}/tasks/{task_id}/submit/").json()["status"] == "open"

    # Two providers bid; each sees only their own amount.
    assert provider_api.get(f"{API}/tasks/{task_id}/eligibility/").json()["allowed"] is True
    with django_capture_on_commit_callbacks(execute=True):
        placed = provider_api.post(f"{API}/tasks/{task_id}/bids/", bid_payload(66_000_00))
    assert placed.status_code == 201, placed.content
    bid_id = placed.json()["id"]
    assert Notification.objects.filter(recipient=owner).exists()
    rival_bid = client_for(rival).post(f"{API}/tasks/{task_id}/bids/", bid_payload(70_000_00))
    assert rival_bid.status_code == 201
    assert b"7000000" not in provider_api.get(f"{API}/bids/mine/").content
    assert b"6600000" not in client_for(rival).get(f"{API}/bids/mine/").content

    # The poster compares and awards; the contract appears for both sides.
    compared = member_api.get(f"{API}/tasks/{task_id}/bids/").json()
    assert [(b["id"], b["amount"]) for b in compared["results"]] == [
        (bid_id, 66_000_00),
        (rival_bid.json()["id"], 70_000_00),
    ]
    assert compared["results"][0]["provider"]["display_name"]
    with django_capture_on_commit_callbacks(execute=True):
        awarded = poster.post(f"{API}/bids/{bid_id}/award/")
    assert awarded.status_code == 201, awarded.content
    contract = awarded.json()
    assert (contract["amount"], contract["currency"], contract["status"]) == (
        66_000_00,
        "CNY",
        "awaiting_funding",
    )
    assert [m["amount"] for m in contract["milestones"]] == [33_000_00, 33_000_00]
    assert Notification.objects.filter(recipient=bidder, kind="bid_awarded").exists()
    assert Notification.objects.filter(recipient=rival, kind="bid_rejected").exists()
    for user, side in ((owner, "poster"), (member, "poster"), (bidder, "provider")):
        listed = client_for(user).get(f"{API}/contracts/").json()["results"]
        assert [(c["id"], c["my_side"]) for c in listed] == [(contract["id"], side)]
    assert client_for(rival).get(f"{API}/contracts/").json()["results"] == []
    assert_error(client_for(rival).get(f"{API}/contracts/{contract['id']}/"), 404)

    # The escrow is funded (by payments, through the tasks service).
    contract_funding_received(contract=Contract.objects.get(pk=contract["id"]), reference="test")
    first, second = (m["id"] for m in contract["milestones"])

    # Deliver, ask for changes, deliver again, accept.
    delivered = provider_api.post(
        f"{API}/milestones/{first}/deliveries/",
        {"note": "方案初稿，见附件。", "files": [pdf("方案-v1.pdf")]},
        format="multipart",
    )
    assert delivered.status_code == 201, delivered.content
    assert delivered.json()["files"][0]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    changes = poster.post(
        f"{API}/milestones/{first}/request-changes/", {"feedback": "请补充光源选型的对比。"}
    )
    assert changes.status_code == 200, changes.content
    assert changes.json()["status"] == "changes_requested"
    again = provider_api.post(
        f"{API}/milestones/{first}/deliveries/",
        {"note": "已补充光源对比。", "files": [pdf("方案-v2.pdf")]},
        format="multipart",
    )
    assert again.status_code == 201
    assert again.json()["round"] == 2
    accepted = poster.post(f"{API}/milestones/{first}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert [d["decision"] for d in accepted.json()["deliveries"]] == [
        "changes_requested",
        "accepted",
    ]
    provider_api.post(
        f"{API}/milestones/{second}/deliveries/", {"note": "代码与验证报告。"}, format="multipart"
    )
    assert poster.post(f"{API}/milestones/{second}/accept/").status_code == 200

    # Completed: the files are there for both sides, and both review.
    detail = provider_api.get(f"{API}/contracts/{contract['id']}/").json()
    assert detail["status"] == "completed"
    assert detail["my_side"] == "provider"
    file_url = detail["milestones"][0]["deliveries"][1]["files"][0]["download_url"]
    download = poster.get(file_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert Task.objects.get(pk=task_id).status == Task.Status.COMPLETED
    scores = {"rating": 5, "quality": 5, "communication": 5, "timeliness": 4}
    reviews = f"{API}/contracts/{contract['id']}/reviews/"
    assert poster.post(reviews, {**scores, "comment": "交付扎实"}).status_code == 201
    assert provider_api.post(reviews, {**scores, "comment": "需求清楚"}).status_code == 201
    sides = sorted(r["side"] for r in member_api.get(reviews).json()["results"])
    assert sides == ["poster", "provider"]
    assert Review.objects.filter(contract_id=contract["id"]).count() == 2


# --- placing bids -------------------------------------------------------------------------------


def test_a_bid_is_sealed_placed_with_its_milestones_and_first_revision(task, provider):
    response = client_for(provider).post(f"{API}/tasks/{task.pk}/bids/", bid_payload(61_234_00))

    assert response.status_code == 201, response.content
    body = response.json()
    bid = Bid.objects.get(pk=body["id"])
    assert (bid.amount, bid.currency, bid.provider.user) == (61_234_00, "CNY", provider)
    assert body["amount"] == 61_234_00
    assert [(m["title"], m["amount"]) for m in body["milestones"]] == [
        ("方案设计", 30_617_00),
        ("实施与验证", 30_617_00),
    ]
    assert [r["revision"] for r in body["revisions"]] == [1]
    assert body["task"]["id"] == task.pk


def _bad_bid_cases() -> list[Any]:
    body = bid_payload()
    return [
        pytest.param(
            {**body, "milestones": [{"title": "全部", "amount": 59_000_00, "due_days": 60}]},
            400,
            "milestones",
            id="milestones-do-not-add-up",
        ),
        pytest.param({**body, "amount": 100.5}, 400, "amount", id="float-amount"),
        pytest.param({**body, "amount": 60_000_00.0}, 400, "amount", id="float-zero-fraction"),
        pytest.param({**body, "amount": "6000000"}, 400, "amount", id="string-amount"),
        pytest.param({**body, "amount": -60_000_00}, 400, "amount", id="negative-amount"),
        pytest.param(bid_payload(100_000_000_01), 400, "amount", id="over-a-hundred-million-yuan"),
        pytest.param(
            {**body, "milestones": [{"title": "全部", "amount": 60_000_00.5, "due_days": 60}]},
            400,
            "milestones.0.amount",
            id="float-milestone-amount",
        ),
        pytest.param({**body, "duration_days": 1.5}, 400, "duration_days", id="float-days"),
        pytest.param({**body, "proposal": "太短"}, 400, "proposal", id="short-proposal"),
        pytest.param({**body, "milestones": []}, 400, "milestones", id="no-milestones"),
    ]


@pytest.mark.parametrize(("body", "status", "field"), _bad_bid_cases())
def test_bad_bid_input_is_refused_and_nothing_is_written(task, provider, body, status, field):
    before = bid_rows()

    response = client_for(provider).post(f"{API}/tasks/{task.pk}/bids/", body, format="json")

    assert field in assert_error(response, status)["fields"]
    assert bid_rows() == before


@pytest.mark.parametrize(
    "closed",
    [
        pytest.param({"status": Task.Status.CLOSED}, id="bidding-closed"),
        pytest.param(
            {"bid_deadline": timezone.now() - dt.timedelta(minutes=1)}, id="deadline-passed"
        ),
        pytest.param({"status": Task.Status.AWARDED}, id="already-awarded"),
    ],
)
def test_bidding_on_a_closed_task_is_refused(provider, closed):
    task = TaskFactory(**closed)
    before = bid_rows()

    response = client_for(provider).post(f"{API}/tasks/{task.pk}/bids/", bid_payload())

    assert_error(response, 403, code="closed")
    assert bid_rows() == before


def test_bidding_twice_is_a_conflict(task, provider):
    client = client_for(provider)
    assert client.post(f"{API}/tasks/{task.pk}/bids/", bid_payload()).status_code == 201
    before = bid_rows()

    response = client.post(f"{API}/tasks/{task.pk}/bids/", bid_payload(55_000_00))

    assert_error(response, 409, code="duplicate_bid")
    assert bid_rows() == before
    eligibility = client.get(f"{API}/tasks/{task.pk}/eligibility/").json()
    assert eligibility["my_bid"]["status"] == "submitted"


def test_a_withdrawn_bid_frees_the_slot_for_a_new_one(task, provider):
    client = client_for(provider)
    first = client.post(f"{API}/tasks/{task.pk}/bids/", bid_payload()).json()["id"]

    withdrawn = client.post(f"{API}/bids/{first}/withdraw/")
    assert withdrawn.json()["status"] == "withdrawn"
    second = client.post(f"{API}/tasks/{task.pk}/bids/", bid_payload(58_000_00))

    assert second.status_code == 201
    listed = client_for(task_owner(task)).get(f"{API}/tasks/{task.pk}/bids/").json()
    assert [b["id"] for b in listed["results"]] == [second.json()["id"]]


def test_a_micro_firm_bids_through_its_owner_and_nobody_bids_for_someone_elses_profile(task):
    firm = ProviderProfileFactory(firm=True)
    owner = Membership.objects.get(organization=firm.organization, role="owner").user
    stranger = ProviderProfileFactory()

    response = client_for(owner).post(
        f"{API}/tasks/{task.pk}/bids/", {**bid_payload(), "provider": firm.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["provider"] == {
        "id": firm.pk,
        "display_name": firm.organization.name,
        "is_firm": True,
        "is_verified": True,
        "headline": firm.headline,
        "region": firm.region,
        "region_name": response.json()["provider"]["region_name"],
        "years_experience": firm.years_experience,
    }
    before = bid_rows()
    hijack = client_for(owner).post(
        f"{API}/tasks/{task.pk}/bids/", {**bid_payload(), "provider": stranger.pk}, format="json"
    )
    assert_error(hijack, 404)
    assert bid_rows() == before


def test_a_firm_owner_without_a_profile_of_their_own_bids_for_the_firm_by_default(task):
    firm = ProviderProfileFactory(firm=True)
    owner = Membership.objects.get(organization=firm.organization, role="owner").user
    client = client_for(owner)

    eligibility = client.get(f"{API}/tasks/{task.pk}/eligibility/").json()
    response = client.post(f"{API}/tasks/{task.pk}/bids/", bid_payload())

    assert eligibility["allowed"] is True
    assert response.status_code == 201, response.content
    assert response.json()["provider"]["id"] == firm.pk


def test_someone_without_a_provider_profile_is_told_to_make_one(task):
    before = bid_rows()
    response = client_for(UserFactory()).post(f"{API}/tasks/{task.pk}/bids/", bid_payload())
    assert_error(response, 403, code="no_provider_profile")
    assert bid_rows() == before


# --- eligibility and the summary ------------------------------------------------------------------


def test_eligibility_says_why_not(task):
    verified_only = TaskFactory(visibility=Task.Visibility.VERIFIED)
    nda = TaskFactory(nda_required=True)
    provider = ProviderProfileFactory().user

    def verdict(user: User | None, on: Task) -> tuple[bool, str]:
        body = client_for(user).get(f"{API}/tasks/{on.pk}/eligibility/").json()
        return body["allowed"], body["code"]

    assert verdict(None, task) == (False, "not_authenticated")
    assert verdict(task_owner(task), task) == (False, "own_task")
    assert verdict(UserFactory(), task) == (False, "no_provider_profile")
    assert verdict(provider, verified_only) == (False, "verification_required")
    assert verdict(provider, nda) == (False, "nda")
    client_for(provider).post(f"{API}/tasks/{nda.pk}/nda/")
    assert verdict(provider, nda) == (True, "")
    assert verdict(provider, task) == (True, "")


def test_eligibility_for_someone_elses_profile_is_not_found(task, provider):
    stranger = ProviderProfileFactory()
    response = client_for(provider).get(
        f"{API}/tasks/{task.pk}/eligibility/", {"provider": stranger.pk}
    )
    assert_error(response, 404)


def test_the_bid_summary_shows_the_range_to_the_poster_and_the_count_to_outsiders(task):
    BidFactory(task=task, amount=60_000_00)
    BidFactory(task=task, amount=75_000_00)

    for_poster = client_for(task_owner(task)).get(f"{API}/tasks/{task.pk}/bid-summary/").json()
    for_outsider = client_for(ProviderProfileFactory().user).get(
        f"{API}/tasks/{task.pk}/bid-summary/"
    )
    for_anonymous = client_for(None).get(f"{API}/tasks/{task.pk}/bid-summary/").json()

    exact = {"count": 2, "low": 60_000_00, "high": 75_000_00, "rounded": False, "currency": "CNY"}
    hidden = {"count": 2, "low": None, "high": None, "rounded": False, "currency": "CNY"}
    assert for_poster == exact
    assert for_outsider.json() == hidden
    assert for_anonymous == hidden


def test_a_competing_bidder_cannot_learn_the_other_bids_amount_from_the_summary(task):
    mine = BidFactory(task=task, amount=60_000_00)
    BidFactory(task=task, amount=7_654_321)

    response = client_for(bid_operator(mine)).get(f"{API}/tasks/{task.pk}/bid-summary/")

    assert b"7654321" not in response.content
    assert response.json()["low"] is None  # two bids: a range would be the rival's amount


def test_with_three_bids_a_bidder_sees_a_rounded_range_that_hides_each_amount(task):
    mine = BidFactory(task=task, amount=80_000_00)
    BidFactory(task=task, amount=7_654_321)
    BidFactory(task=task, amount=83_210_55)

    body = client_for(bid_operator(mine)).get(f"{API}/tasks/{task.pk}/bid-summary/").json()

    assert body == {
        "count": 3,
        "low": 7_600_000,  # ¥76,543.21 rounded down to ¥76,000
        "high": 8_400_000,  # ¥83,210.55 rounded up to ¥84,000
        "rounded": True,
        "currency": "CNY",
    }


# --- revising and deciding ----------------------------------------------------------------------


def test_a_revision_replaces_the_terms_and_keeps_the_history(task, provider):
    client = client_for(provider)
    bid_id = client.post(f"{API}/tasks/{task.pk}/bids/", bid_payload(60_000_00)).json()["id"]

    revised = client.put(f"{API}/bids/{bid_id}/", bid_payload(57_000_00), format="json")

    assert revised.status_code == 200, revised.content
    body = revised.json()
    assert (body["amount"], body["revision"], body["status"]) == (57_000_00, 2, "revised")
    assert [(r["revision"], r["amount"]) for r in body["revisions"]] == [
        (1, 60_000_00),
        (2, 57_000_00),
    ]
    seen_by_poster = client_for(task_owner(task)).get(f"{API}/bids/{bid_id}/").json()
    assert seen_by_poster["amount"] == 57_000_00
    assert len(seen_by_poster["revisions"]) == 2


def test_a_bad_revision_changes_nothing(task, provider):
    client = client_for(provider)
    bid_id = client.post(f"{API}/tasks/{task.pk}/bids/", bid_payload(60_000_00)).json()["id"]
    before = bid_rows()

    response = client.put(f"{API}/bids/{bid_id}/", bid_payload(57_000.5), format="json")

    assert "amount" in assert_error(response, 400)["fields"]
    assert bid_rows() == before
    assert Bid.objects.get(pk=bid_id).amount == 60_000_00


def test_the_poster_shortlists_rejects_with_a_note_and_awards_only_once(task):
    owner = task_owner(task)
    member = UserFactory()
    make_org_member(member, task.organization)
    keep, drop, other = BidFactory(task=task), BidFactory(task=task), BidFactory(task=task)

    assert client_for(member).post(f"{API}/bids/{keep.pk}/shortlist/").json()["status"] == (
        "shortlisted"
    )
    assert_error(client_for(member).post(f"{API}/bids/{drop.pk}/reject/", {}), 403)
    rejected = client_for(owner).post(f"{API}/bids/{drop.pk}/reject/", {"note": "经验不符"})
    assert rejected.json()["status"] == "rejected"
    assert client_for(bid_operator(drop)).get(f"{API}/bids/{drop.pk}/").json()["decision_note"] == (
        "经验不符"
    )

    assert client_for(owner).post(f"{API}/bids/{keep.pk}/award/").status_code == 201
    before = bid_rows()
    second = client_for(owner).post(f"{API}/bids/{other.pk}/award/")
    assert_error(second, 409)
    assert bid_rows() == before


def test_a_poster_plain_member_cannot_award(task):
    member = UserFactory()
    make_org_member(member, task.organization)
    bid = BidFactory(task=task)
    before = bid_rows()

    assert_error(client_for(member).post(f"{API}/bids/{bid.pk}/award/"), 403, code="not_allowed")
    assert bid_rows() == before


# --- no N+1 on list endpoints ---------------------------------------------------------------------


def _firm_or_person(index: int) -> Any:
    """Alternate individual and micro-firm providers: their names come from different rows."""
    return ProviderProfileFactory(firm=index % 2 == 0)


@pytest.mark.parametrize("rows", [2, 10])
def test_the_posters_bid_list_takes_the_same_queries_for_2_or_10_bids(
    rows, task, django_assert_num_queries
):
    for index in range(rows):
        BidFactory(task=task, provider=_firm_or_person(index), amount=50_000_00 + index)
    client = client_for(task_owner(task))

    # my memberships (once), task, count, page, milestones
    with django_assert_num_queries(5):
        response = client.get(f"{API}/tasks/{task.pk}/bids/")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 10])
def test_my_bids_take_the_same_queries_for_2_or_10_bids(rows, django_assert_num_queries):
    owner = UserFactory()
    firm = ProviderProfileFactory(firm=True, organization__owner=owner)
    person = ProviderProfileFactory(user=owner)
    for index in range(rows):
        BidFactory(task=TaskFactory(), provider=firm if index % 2 else person)
    client = client_for(owner)

    # count, page (my provider profiles a subquery of both), milestones
    with django_assert_num_queries(3):
        response = client.get(f"{API}/bids/mine/")

    results = response.json()["results"]
    assert len(results) == rows
    assert {b["provider"]["is_firm"] for b in results} == {True, False}


def test_a_micro_firm_cannot_post_a_task():
    """Micro-firms bid; they cannot post (the service refuses, the API says 403)."""
    owner = UserFactory()
    firm = OrganizationFactory(owner=owner, kind=Organization.Kind.MICROFIRM)
    body = {
        "organization": firm.pk,
        "kind": "consulting",
        "title": "咨询",
        "summary": "咨询",
        "description": "一段足够长的需求描述，超过二十个字符。一段足够长的需求描述。",
        "budget_min": 10_000_00,
        "budget_max": 20_000_00,
        "bid_deadline": (timezone.now() + dt.timedelta(days=7)).isoformat(),
        "delivery_deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "skills": [{"skill": SkillFactory(slug="machine-vision").pk}],
        "milestones": [{"title": "全部", "share_bps": 10000, "due_days": 20}],
    }
    before = Task.objects.count()

    response = client_for(owner).post(f"{API}/tasks/", body, format="json")

    assert_error(response, 403)
    assert Task.objects.count() == before
    assert Milestone.objects.count() == 0
