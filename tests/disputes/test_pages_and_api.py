"""The dispute pages, the API and the mediators' back office, with a second user for each."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from disputes.models import Dispute, DisputeDecision
from marketplace.money import Money
from payments.apps import FINANCE_GROUP
from payments.models import JournalEntry
from tests.api_helpers import assert_error, client_for
from tests.disputes.setup import (
    REASONS,
    RESPONSE,
    STATEMENT,
    funded_contract,
    mediator,
    open_dispute,
    small_amounts,
)
from tests.factories import UserFactory
from tests.frontend.contracts_setup import (
    deliver,
    english,
    milestone,
    pdf,
    poster_owner,
    provider_user,
)
from tests.page_helpers import html, signed_in
from tests.payments.helpers import escrow

pytestmark = pytest.mark.django_db


# --- pages ----------------------------------------------------------------------------------------


def test_the_provider_opens_a_dispute_from_the_contract_page():
    contract = funded_contract()
    deliver(contract, 1)
    m = milestone(contract, 1)
    client = english(provider_user(contract))
    page = html(client.get(f"/contracts/{contract.pk}/"))
    open_url = f"/contracts/{contract.pk}/milestones/{m.pk}/dispute/"
    assert open_url in page
    form = client.get(open_url)
    assert form.status_code == 200
    assert "What is wrong" in html(form)
    bad = client.post(open_url, {"reason": "quality", "statement": "短"})
    assert bad.status_code == 400
    assert not Dispute.objects.exists()
    done = client.post(open_url, {"reason": "not_reviewed", "statement": STATEMENT})
    dispute = Dispute.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/disputes/{dispute.pk}/"
    page = html(client.get(f"/disputes/{dispute.pk}/"))
    assert STATEMENT in page
    assert "SHA-256" in page
    assert "Add evidence" in page
    contract_page = html(client.get(f"/contracts/{contract.pk}/"))
    assert f"/disputes/{dispute.pk}/" in contract_page
    assert open_url not in contract_page


def test_outsiders_get_a_404_on_every_dispute_page():
    contract = funded_contract()
    d = open_dispute(contract)
    m = milestone(contract, 1)
    outsider = signed_in(UserFactory())
    for url in (
        f"/disputes/{d.pk}/",
        f"/contracts/{contract.pk}/milestones/{m.pk}/dispute/",
    ):
        assert outsider.get(url).status_code == 404
    for url, data in (
        (f"/disputes/{d.pk}/respond/", {"response": RESPONSE}),
        (f"/disputes/{d.pk}/appeal/", {"reason": RESPONSE}),
        (f"/disputes/{d.pk}/evidence/", {"file": pdf()}),
    ):
        assert outsider.post(url, data).status_code == 404
    d.refresh_from_db()
    assert d.responded_at is None
    assert not d.evidence.exists()


def test_the_poster_responds_and_both_add_evidence_on_the_page():
    contract = funded_contract()
    d = open_dispute(contract)
    poster = english(poster_owner(contract))
    assert "Respond to the dispute" in html(poster.get(f"/disputes/{d.pk}/"))
    assert poster.post(f"/disputes/{d.pk}/respond/", {"response": "短"}).status_code == 400
    assert poster.post(f"/disputes/{d.pk}/respond/", {"response": RESPONSE}).status_code == 302
    response = poster.post(f"/disputes/{d.pk}/evidence/", {"file": pdf("记录.pdf"), "note": "记录"})
    assert response.status_code == 302
    evidence = d.evidence.get()
    page = html(english(provider_user(contract)).get(f"/disputes/{d.pk}/"))
    assert RESPONSE in page
    assert evidence.sha256 in page
    download = english(provider_user(contract)).get(f"/disputes/files/{evidence.pk}/")
    assert download.status_code == 200
    assert signed_in(UserFactory()).get(f"/disputes/files/{evidence.pk}/").status_code == 404


def test_a_party_appeals_a_large_decision_on_the_page():
    contract = funded_contract()
    d = open_dispute(contract)
    poster = english(poster_owner(contract))
    poster.post(f"/disputes/{d.pk}/respond/", {"response": RESPONSE})
    from disputes.services import dispute_decide

    dispute_decide(actor=mediator(), dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    page = html(poster.get(f"/disputes/{d.pk}/"))
    assert "Appeal the decision" in page
    assert "¥20,000.00" in page
    assert poster.post(f"/disputes/{d.pk}/appeal/", {"reason": RESPONSE}).status_code == 302
    d.refresh_from_db()
    assert d.status == Dispute.Status.APPEALED
    assert "Appeal the decision" not in html(poster.get(f"/disputes/{d.pk}/"))


def test_the_pages_render_in_chinese():
    contract = funded_contract()
    d = open_dispute(contract)
    page = html(signed_in(provider_user(contract), language="zh-hans").get(f"/disputes/{d.pk}/"))
    assert "证据" in page


# --- API ------------------------------------------------------------------------------------------


def test_the_api_opens_reads_and_answers_a_dispute():
    contract = funded_contract()
    m = milestone(contract, 1)
    provider = client_for(provider_user(contract))
    bad = provider.post(
        f"/api/v1/milestones/{m.pk}/disputes/",
        {"reason": "x", "statement": STATEMENT},
        format="json",
    )
    assert_error(bad, 400)
    assert not Dispute.objects.exists()
    outsider = client_for(UserFactory())
    assert_error(
        outsider.post(
            f"/api/v1/milestones/{m.pk}/disputes/",
            {"reason": "quality", "statement": STATEMENT},
            format="json",
        ),
        404,
    )
    created = provider.post(
        f"/api/v1/milestones/{m.pk}/disputes/",
        {"reason": "not_reviewed", "statement": STATEMENT},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "opened"
    assert body["held_amount"] == 20_000_00
    assert [item["kind"] for item in body["timeline"]][-1] == "statement"
    assert body["my_actions"] == ["add_evidence"]
    dispute_id = body["id"]
    assert_error(outsider.get(f"/api/v1/disputes/{dispute_id}/"), 404)
    poster = client_for(poster_owner(contract))
    assert poster.get(f"/api/v1/disputes/{dispute_id}/").json()["my_actions"] == [
        "respond",
        "add_evidence",
    ]
    assert_error(
        provider.post(f"/api/v1/disputes/{dispute_id}/response/", {"response": RESPONSE}), 403
    )
    answered = poster.post(f"/api/v1/disputes/{dispute_id}/response/", {"response": RESPONSE})
    assert answered.status_code == 200
    assert answered.json()["status"] == "evidence"
    uploaded = poster.post(
        f"/api/v1/disputes/{dispute_id}/evidence/",
        {"file": pdf(), "note": "记录"},
        format="multipart",
    )
    assert uploaded.status_code == 201
    assert any(item["kind"] == "evidence" for item in uploaded.json()["timeline"])
    assert_error(poster.post(f"/api/v1/disputes/{dispute_id}/appeal/", {"reason": RESPONSE}), 409)
    listed = provider.get("/api/v1/disputes/").json()
    assert [d["id"] for d in listed["results"]] == [dispute_id]
    assert outsider.get("/api/v1/disputes/").json()["results"] == []


# --- back office ----------------------------------------------------------------------------------


def _staff(*groups: str) -> Any:
    user = UserFactory(is_staff=True)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def test_only_mediators_reach_the_dispute_queue_and_pages():
    contract = funded_contract()
    d = open_dispute(contract)
    urls = [
        "/admin/disputes/dispute/",
        f"/admin/disputes/dispute/{d.pk}/change/",
    ]
    non_staff = signed_in(UserFactory())
    for url in urls:
        response = non_staff.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    for wrong in (_staff(), _staff(FINANCE_GROUP)):
        client = signed_in(wrong)
        for url in urls:
            assert client.get(url).status_code == 403
        assert (
            client.post(
                f"/admin/disputes/dispute/{d.pk}/decide/",
                {"refund": "0", "release": "20000", "reasons": REASONS},
            ).status_code
            == 403
        )
    mediator_client = signed_in(mediator(), language="en")
    for url in urls:
        assert mediator_client.get(url).status_code == 200
    assert not DisputeDecision.objects.exists()


def test_the_queue_shows_waiting_disputes_oldest_first(settings):
    small_amounts(settings)
    older, newer, done = funded_contract(), funded_contract(), funded_contract()
    first = open_dispute(older)
    second = open_dispute(newer)
    executed = open_dispute(done)
    from disputes.services import dispute_decide, dispute_respond

    dispute_respond(actor=poster_owner(done), dispute=executed, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=executed, refund=0, release=20_000_00, reasons=REASONS)
    response = signed_in(mediator(), language="en").get("/admin/disputes/dispute/")
    shown = [obj.pk for obj in response.context["cl"].result_list]
    assert shown == [first.pk, second.pk]


def test_a_mediator_decides_on_the_admin_page_and_bad_amounts_write_nothing(settings):
    small_amounts(settings)
    contract = funded_contract()
    d = open_dispute(contract)
    from disputes.services import dispute_respond

    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    client = signed_in(mediator(), language="en")
    page = html(client.get(f"/admin/disputes/dispute/{d.pk}/change/"))
    assert "Evidence timeline" in page
    assert "Record the decision" in page
    assert STATEMENT in page
    entries = JournalEntry.objects.count()
    bad = client.post(
        f"/admin/disputes/dispute/{d.pk}/decide/",
        {"refund": "8000", "release": "13000", "reasons": REASONS},
    )
    assert bad.status_code == 400
    assert "must add up" in html(bad)
    assert JournalEntry.objects.count() == entries
    assert not DisputeDecision.objects.exists()
    good = client.post(
        f"/admin/disputes/dispute/{d.pk}/decide/",
        {"refund": "8000", "release": "12000", "reasons": REASONS},
    )
    assert good.status_code == 302
    d.refresh_from_db()
    assert d.status == Dispute.Status.EXECUTED
    assert escrow(contract) == Money(30_000_00)


def test_the_dashboard_shows_mediators_open_disputes_and_appeals():
    contract = funded_contract()
    open_dispute(contract)
    response = signed_in(mediator(), language="en").get("/admin/")
    cards = {str(card.title): card for card in response.context["dashboard_cards"]}
    assert cards["Disputes open"].value == 1
    assert cards["Disputes open"].oldest is not None
    assert cards["Appeals waiting"].value == 0
    others = signed_in(_staff(FINANCE_GROUP), language="en").get("/admin/")
    assert "Disputes open" not in {str(c.title) for c in others.context["dashboard_cards"]}
