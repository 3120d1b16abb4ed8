"""The negotiation over REST: everything the socket does, each endpoint checked with a second
user who is no side of the negotiation."""

from __future__ import annotations

from typing import Any

import pytest

from bids.models import NegotiationMessage, Offer
from tests.accounts.factories import UserFactory
from tests.api_helpers import API, assert_error, client_for, pdf
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(db: None) -> dict[str, Any]:
    bid = BidFactory(amount=60_000_00)
    bidder = bid_operator(bid)
    opened = client_for(bidder).post(f"{API}/bids/{bid.pk}/thread/")
    assert opened.status_code == 201, opened.content
    return {
        "bid": bid,
        "poster": task_owner(bid.task),
        "bidder": bidder,
        "rival": bid_operator(BidFactory(task=bid.task)),
        "thread": opened.json()["id"],
    }


def offer_body(amount: int) -> dict[str, Any]:
    first = amount // 2
    return {
        "amount": amount,
        "duration_days": 45,
        "milestones": [
            {"title": "方案", "amount": first, "due_days": 15},
            {"title": "交付", "amount": amount - first, "due_days": 45},
        ],
        "client_id": f"offer-{amount}",
    }


def test_the_thread_is_opened_once_and_read_by_both_sides(room: dict[str, Any]) -> None:
    again = client_for(room["poster"]).post(f"{API}/bids/{room['bid'].pk}/thread/")
    detail = client_for(room["poster"]).get(f"{API}/threads/{room['thread']}/")

    assert again.status_code == 200
    assert again.json()["id"] == room["thread"]
    assert detail.json()["side"] == "poster"
    assert detail.json()["terms"]["amount"] == 60_000_00
    assert detail.json()["websocket"] == f"/ws/negotiations/{room['thread']}/"


def test_a_second_user_gets_404_everywhere_and_writes_nothing(room: dict[str, Any]) -> None:
    thread = room["thread"]
    posted = client_for(room["bidder"]).post(
        f"{API}/threads/{thread}/offers/", offer_body(58_000_00), format="json"
    )
    offer_id = posted.json()["message"]["offer"]["id"]
    message_id = posted.json()["message"]["id"]
    for outsider in (room["rival"], UserFactory()):
        client = client_for(outsider)
        for response in (
            client.post(f"{API}/bids/{room['bid'].pk}/thread/"),
            client.get(f"{API}/bids/{room['bid'].pk}/thread/"),
            client.get(f"{API}/threads/{thread}/"),
            client.get(f"{API}/threads/{thread}/messages/"),
            client.post(f"{API}/threads/{thread}/messages/", {"body": "偷看"}, format="json"),
            client.post(f"{API}/threads/{thread}/offers/", offer_body(1_000_00), format="json"),
            client.post(f"{API}/threads/{thread}/read/", {"seq": 1}, format="json"),
            client.post(f"{API}/offers/{offer_id}/accept/"),
            client.post(f"{API}/offers/{offer_id}/decline/", {}, format="json"),
            client.get(f"{API}/negotiation-files/{message_id}/"),
        ):
            assert_error(response, 404)
        assert client.get(f"{API}/threads/").json()["count"] == 0
    assert_error(client_for(None).get(f"{API}/threads/{thread}/"), 401)
    assert NegotiationMessage.objects.count() == 1
    assert Offer.objects.get().status == Offer.Status.OPEN


def test_messages_posted_over_rest_are_numbered_and_resends_return_the_first(
    room: dict[str, Any],
) -> None:
    url = f"{API}/threads/{room['thread']}/messages/"
    first = client_for(room["bidder"]).post(url, {"body": "您好", "client_id": "k1"}, format="json")
    again = client_for(room["bidder"]).post(url, {"body": "您好", "client_id": "k1"}, format="json")
    reply = client_for(room["poster"]).post(url, {"body": "请讲"}, format="json")

    assert (first.status_code, again.status_code, reply.status_code) == (201, 200, 201)
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    page = client_for(room["poster"]).get(url, {"after": 1}).json()
    assert [(m["seq"], m["body"]) for m in page["messages"]] == [(2, "请讲")]
    assert page["last_seq"] == 2


def test_bad_input_is_a_clear_400(room: dict[str, Any]) -> None:
    url = f"{API}/threads/{room['thread']}/"
    client = client_for(room["bidder"])
    assert_error(client.post(url + "messages/", {"body": ""}, format="json"), 400)
    assert_error(client.post(url + "messages/", {"body": "长" * 4001}, format="json"), 400)
    bad = offer_body(50_000_00)
    bad["milestones"][0]["amount"] = "一万"
    assert_error(client.post(url + "offers/", bad, format="json"), 400)
    assert_error(client.post(url + "read/", {"seq": -1}, format="json"), 400)
    assert not NegotiationMessage.objects.exists()


def test_offer_accept_over_rest_and_a_stale_one_is_409(room: dict[str, Any]) -> None:
    url = f"{API}/threads/{room['thread']}/offers/"
    old = client_for(room["poster"]).post(url, offer_body(50_000_00), format="json").json()
    new = client_for(room["poster"]).post(url, offer_body(52_000_00), format="json").json()

    stale = client_for(room["bidder"]).post(f"{API}/offers/{old['message']['offer']['id']}/accept/")
    assert_error(stale, 409, code="stale_offer")
    own = client_for(room["poster"]).post(f"{API}/offers/{new['message']['offer']['id']}/accept/")
    assert_error(own, 403)
    accepted = client_for(room["bidder"]).post(
        f"{API}/offers/{new['message']['offer']['id']}/accept/"
    )
    assert accepted.status_code == 201, accepted.content
    terms = client_for(room["poster"]).get(f"{API}/threads/{room['thread']}/").json()["terms"]
    assert terms["amount"] == 52_000_00
    assert terms["agreed_offer"] == new["message"]["offer"]["id"]


def test_files_are_checked_like_every_upload_and_served_to_both_sides_only(
    room: dict[str, Any],
) -> None:
    url = f"{API}/threads/{room['thread']}/files/"
    client = client_for(room["bidder"])
    disguised = pdf(name="方案.pdf", content=b"MZ\x90\x00 not a pdf at all")
    assert_error(client.post(url, {"file": disguised}, format="multipart"), 400)
    posted = client.post(
        url, {"file": pdf(name="方案.pdf"), "body": "技术方案"}, format="multipart"
    )
    assert posted.status_code == 201, posted.content
    file_url = posted.json()["message"]["file"]["url"]

    download = client_for(room["poster"]).get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert_error(client_for(room["rival"]).get(file_url), 404)


def test_the_inbox_lists_threads_with_per_user_unread_counts(room: dict[str, Any]) -> None:
    url = f"{API}/threads/{room['thread']}/messages/"
    for n in range(2):
        client_for(room["bidder"]).post(url, {"body": f"第{n}条"}, format="json")

    inbox = client_for(room["poster"]).get(f"{API}/threads/").json()
    assert inbox["count"] == 1
    assert inbox["results"][0]["unread"] == 2
    client_for(room["poster"]).post(
        f"{API}/threads/{room['thread']}/read/", {"seq": 2}, format="json"
    )
    assert client_for(room["poster"]).get(f"{API}/threads/").json()["results"][0]["unread"] == 0
    assert client_for(room["bidder"]).get(f"{API}/threads/").json()["results"][0]["unread"] == 0
