"""Resource-shaped reads the API lacked: one milestone, one delivery, the region codes, and a
task's description as sanitised HTML beside the raw Markdown."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.regions import CHONGQING, REGION_CODES
from tests.accounts.factories import UserFactory
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    fund,
    milestone,
    poster_owner,
    provider_user,
)
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_one_milestone_and_one_delivery_for_both_sides_and_nobody_else() -> None:
    contract = fund(awarded_contract())
    delivery = deliver(contract, 1)
    first = milestone(contract, 1)
    for user in (poster_owner(contract), provider_user(contract)):
        got = as_user(user).get(f"{API}/milestones/{first.pk}/")
        assert got.status_code == 200, got.content
        assert got.json()["id"] == first.pk
        assert [d["id"] for d in got.json()["deliveries"]] == [delivery.pk]
        one = as_user(user).get(f"{API}/deliveries/{delivery.pk}/")
        assert one.status_code == 200
        assert one.json()["files"][0]["name"] == "report.pdf"
    # The poster may accept it; the provider may not.
    poster_actions = as_user(poster_owner(contract)).get(f"{API}/milestones/{first.pk}/")
    assert "accept" in poster_actions.json()["my_actions"]

    stranger = as_user(UserFactory())
    assert stranger.get(f"{API}/milestones/{first.pk}/").status_code == 404
    assert stranger.get(f"{API}/deliveries/{delivery.pk}/").status_code == 404
    assert APIClient().get(f"{API}/deliveries/{delivery.pk}/").status_code == 401


def test_the_region_codes_are_listed_publicly_in_both_languages() -> None:
    response = APIClient().get(f"{API}/regions/", {"page_size": 100}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(REGION_CODES)
    first = body["results"][0]
    assert first["code"] == CHONGQING[0][0]
    assert first["name"] == first["name_en"] == CHONGQING[0][2]
    assert first["name_zh"] == CHONGQING[0][1]
    assert first["group"] == "chongqing"
    assert {r["group"] for r in body["results"]} == {"chongqing", "province"}


def test_a_task_description_comes_with_sanitised_html() -> None:
    task = TaskFactory(
        description='## 目标\n\n**识别率** ≥ 99%<script>alert("x")</script>'
        "\n\n[link](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    body = APIClient().get(f"{API}/tasks/{task.pk}/").json()
    assert "<script>" in body["description"]  # the raw Markdown is returned as written
    html = body["description_html"]
    assert "<h2>目标</h2>" in html
    assert "<strong>识别率</strong>" in html
    for dangerous in ("<script", "javascript:", "onerror", "<img"):
        assert dangerous not in html
