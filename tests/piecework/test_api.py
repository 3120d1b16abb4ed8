"""The piece-work API: the same operations as the services, with permissions checked against
a second user, and bad input refused with the project's error body and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from payments.selectors import task_pool_state
from piecework.models import Claim, Terms, UnitDelivery
from tests.accounts.factories import SkillFactory
from tests.api_helpers import API, assert_error, client_for, pdf
from tests.piecework.setup import claim_and_deliver, open_piecework, owner_of, poster, worker

pytestmark = pytest.mark.django_db


def _payload(organization_id: int, **over):
    body = {
        "organization": organization_id,
        "kind": "engineering",
        "title": "计件：样品检测",
        "summary": "按件检测送样零件，每件出具检测报告。",
        "description": "## 要求\n每件样品按国标检测并出具报告。",
        "skills": [SkillFactory(slug="testing").pk],
        "unit_name": "一件检测样品",
        "unit_description": "一件样品的尺寸与硬度检测报告。",
        "unit_price": 150_00,
        "units_total": 20,
        "per_provider_cap": 5,
        "review_days": 2,
        "closes_at": (timezone.now() + dt.timedelta(days=10)).isoformat(),
    }
    body.update(over)
    return body


def test_post_submit_and_fund_piecework_through_the_api(django_capture_on_commit_callbacks):
    organization, owner = poster()
    client = client_for(owner)
    created = client.post(f"{API}/piecework/", _payload(organization.pk), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["escrow_total"] == 20 * 150_00
    assert body["status"] == "draft"
    task_id = body["task_id"]
    assert client.get(f"{API}/tasks/{task_id}/").json()["mode"] == "piecework"
    assert client.post(f"{API}/piecework/{task_id}/submit/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        funded = client.post(f"{API}/piecework/{task_id}/fund/")
    assert funded.status_code == 200, funded.content
    assert funded.json()["amount"] == 20 * 150_00
    detail = client_for(None).get(f"{API}/piecework/{task_id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "open"
    assert detail.json()["units"]["left"] == 20


@pytest.mark.parametrize(
    ("over", "field"),
    [({"unit_price": 0}, "unit_price"), ({"per_provider_cap": 21}, "per_provider_cap")],
)
def test_bad_terms_are_a_400_with_the_field_and_write_nothing(over, field):
    organization, owner = poster()
    response = client_for(owner).post(
        f"{API}/piecework/", _payload(organization.pk, **over), format="json"
    )
    error = assert_error(response, 400)
    assert field in error["fields"], error
    assert not Terms.objects.exists()


def test_claim_beyond_the_cap_is_a_409_and_writes_nothing():
    terms = open_piecework()
    client = client_for(worker())
    response = client.post(f"{API}/piecework/{terms.task_id}/claims/", {"units": 5}, format="json")
    assert_error(response, 409, code="over_cap")
    assert not Claim.objects.exists()
    ok = client.post(f"{API}/piecework/{terms.task_id}/claims/", {"units": 2}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["units"] == 2
    detail = client.get(f"{API}/piecework/{terms.task_id}/").json()
    assert detail["units"]["left"] == 8
    assert detail["my_units"] == 2
    assert "deliver" in detail["actions"]


def test_a_non_integer_claim_is_a_400():
    terms = open_piecework()
    response = client_for(worker()).post(
        f"{API}/piecework/{terms.task_id}/claims/", {"units": 1.5}, format="json"
    )
    assert_error(response, 400)
    assert not Claim.objects.exists()


def test_deliver_review_and_second_user_refusals():
    terms = open_piecework()
    provider = worker()
    client = client_for(provider)
    client.post(f"{API}/piecework/{terms.task_id}/claims/", {"units": 2}, format="json")
    delivered = client.post(
        f"{API}/piecework/{terms.task_id}/deliveries/",
        {"note": "第一件样品的检测报告。", "files": [pdf("report.pdf")]},
        format="multipart",
    )
    assert delivered.status_code == 201, delivered.content
    delivery_id = delivered.json()["id"]
    assert len(delivered.json()["files"][0]["sha256"]) == 64
    # A second provider: cannot deliver without a claim, cannot read or decide the unit.
    rival = client_for(worker())
    assert_error(
        rival.post(
            f"{API}/piecework/{terms.task_id}/deliveries/",
            {"note": "冒领", "files": [pdf()]},
            format="multipart",
        ),
        403,
        code="not_claimer",
    )
    assert rival.get(f"{API}/piecework/{terms.task_id}/deliveries/").json()["count"] == 0
    assert_error(rival.post(f"{API}/piecework/deliveries/{delivery_id}/accept/"), 404)
    # The provider itself cannot accept its own unit.
    assert_error(client.post(f"{API}/piecework/deliveries/{delivery_id}/accept/"), 403)
    assert UnitDelivery.objects.get().status == "pending"
    poster_client = client_for(owner_of(terms))
    queue = poster_client.get(f"{API}/piecework/{terms.task_id}/deliveries/").json()
    assert [d["id"] for d in queue["results"]] == [delivery_id]
    accepted = poster_client.post(f"{API}/piecework/deliveries/{delivery_id}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["contract_id"]
    assert_error(poster_client.post(f"{API}/piecework/deliveries/{delivery_id}/accept/"), 409)
    mine = client.get(f"{API}/piecework/deliveries/mine/").json()
    assert [d["status"] for d in mine["results"]] == ["accepted"]
    assert task_pool_state(task_id=terms.task_id).allocated.amount == terms.unit_price


def test_reject_needs_a_reason_and_close_returns_the_rest():
    terms = open_piecework()
    (delivery,) = claim_and_deliver(terms, worker(), 1)
    poster_client = client_for(owner_of(terms))
    url = f"{API}/piecework/deliveries/{delivery.pk}/reject/"
    assert_error(poster_client.post(url, {"reason": ""}, format="json"), 400)
    assert UnitDelivery.objects.get().status == "pending"
    assert_error(
        poster_client.post(f"{API}/piecework/{terms.task_id}/close/"), 409, code="pending_review"
    )
    rejected = poster_client.post(url, {"reason": "报告缺少硬度数据。"}, format="json")
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["reason"] == "报告缺少硬度数据。"
    assert_error(client_for(worker()).post(f"{API}/piecework/{terms.task_id}/close/"), 403)
    closed = poster_client.post(f"{API}/piecework/{terms.task_id}/close/")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert task_pool_state(task_id=terms.task_id).held.amount == 0


def test_a_draft_is_hidden_from_others():
    organization, owner = poster()
    created = client_for(owner).post(f"{API}/piecework/", _payload(organization.pk), format="json")
    task_id = created.json()["task_id"]
    assert_error(client_for(worker()).get(f"{API}/piecework/{task_id}/"), 404)
