"""Piece-work pages: posting through the mode step, the task page with units left, claiming
and delivering, the poster's review queue, the provider's deliveries, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from piecework.models import Claim, Terms, UnitDelivery
from tests.accounts.factories import SkillFactory
from tests.frontend.contracts_setup import pdf
from tests.piecework.setup import claim_and_deliver, open_piecework, owner_of, poster, worker

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_posting_form_saves_a_draft_and_refuses_a_cap_above_the_total():
    organization, owner = poster()
    client = client_for(owner)
    page = client.get(reverse("frontend:piecework_create"))
    assert page.status_code == 200
    assert b'data-mode="piecework"' in page.content
    skill = SkillFactory(slug="labelling")
    data = {
        "organization": organization.pk,
        "kind": "engineering",
        "title": "计件：图像标注",
        "summary": "按套标注缺陷图像，每套五十张。",
        "description": "## 要求\n按标注规范框出每张图像中的划痕与凹坑，交付 COCO 格式。",
        f"skill_{skill.pk}": "4",
        "visibility": "public",
        "ip_terms": "transfer",
        "unit_name": "一套标注图像",
        "unit_description": "五十张图像的缺陷框。",
        "unit_price": "120",
        "units_total": "10",
        "per_provider_cap": "11",
        "review_days": "3",
        "closes_at": (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
    }
    refused = client.post(reverse("frontend:piecework_create"), data)
    assert refused.status_code == 400
    assert b"cap per provider" in refused.content
    assert not Terms.objects.exists()
    saved = client.post(reverse("frontend:piecework_create"), {**data, "per_provider_cap": "3"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    terms = Terms.objects.get()
    assert terms.unit_price == 120_00
    assert saved["Location"] == reverse("frontend:piecework_detail", args=[terms.task_id])


def test_task_page_shows_units_left_and_claims_in_chinese():
    terms = open_piecework()
    user = worker()
    client = client_for(user, "zh-hans")
    url = reverse("frontend:piecework_detail", args=[terms.task_id])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "剩余" in text
    assert "10 / 10" in text
    over = client.post(
        reverse("frontend:piecework_action", args=[terms.task_id, "claim"]), {"units": "5"}
    )
    assert over.status_code == 400
    assert not Claim.objects.exists()
    ok = client.post(
        reverse("frontend:piecework_action", args=[terms.task_id, "claim"]), {"units": "2"}
    )
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "8 / 10" in page
    assert 'id="delivery-form"' in page
    delivered = client.post(
        reverse("frontend:piecework_action", args=[terms.task_id, "deliver"]),
        {"note": "第一套已完成。", "attachments": [pdf()]},
    )
    assert delivered.status_code == 302
    assert UnitDelivery.objects.filter(claim__terms=terms).count() == 1


def test_review_queue_accepts_and_rejects_and_is_hidden_from_providers(
    django_capture_on_commit_callbacks,
):
    terms = open_piecework()
    user = worker()
    first, second = claim_and_deliver(terms, user, 2)
    url = reverse("frontend:piecework_review", args=[terms.task_id])
    assert client_for(user).get(url).status_code == 404
    assert client_for(worker()).get(url).status_code == 404
    owner = client_for(owner_of(terms))
    page = owner.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("data-accept") == 2
    with django_capture_on_commit_callbacks(execute=True):
        accepted = owner.post(url, {"delivery": first.pk, "decision": "accept"})
    assert accepted.status_code == 302
    refused = owner.post(
        url, {"delivery": second.pk, "decision": "reject", f"d{second.pk}-reason": ""}
    )
    assert refused.status_code == 400
    rejected = owner.post(
        url,
        {"delivery": second.pk, "decision": "reject", f"d{second.pk}-reason": "漏标了凹坑。"},
    )
    assert rejected.status_code == 302
    statuses = dict(UnitDelivery.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "rejected"}
    mine = client_for(user).get(reverse("frontend:piecework_deliveries")).content.decode()
    assert "漏标了凹坑。" in mine
    assert "¥200.00" in mine


def test_dashboard_links_to_the_unit_deliveries():
    user = worker()
    page = client_for(user).get(reverse("frontend:dashboard"))
    assert b"data-unit-deliveries-link" in page.content
