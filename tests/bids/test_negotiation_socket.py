"""The negotiation socket through the whole ASGI stack (origin check, session auth, routing) on
the real Redis channel layer and PostgreSQL: who is refused, a message reaching the other side,
a resent message stored once, replay after a reconnect, offers accepted into the bid and the
contract, a stale offer refused, and a Redis outage that loses nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from bids.models import Bid, NegotiationMessage
from bids.negotiation import services
from contracts.services import contract_award
from marketplace.asgi import application
from tests.accounts.factories import UserFactory
from tests.api_helpers import API, client_for
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import task_owner

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = b"http://127.0.0.1"


@database_sync_to_async
def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def connect(
    thread_id: int, user: Any | None, *, origin: bytes = ORIGIN
) -> tuple[WebsocketCommunicator, bool, Any]:
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if user is not None:
        headers.append((b"cookie", (await session_cookie(user)).encode()))
    communicator = WebsocketCommunicator(
        application, f"/ws/negotiations/{thread_id}/", headers=headers
    )
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def joined(thread_id: int, user: Any) -> WebsocketCommunicator:
    communicator, connected, code = await connect(thread_id, user)
    assert connected, code
    ready = await communicator.receive_json_from(timeout=10)
    assert ready["type"] == "ready"
    return communicator


async def next_of(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next frame of this type (presence and typing frames in between are skipped)."""
    while True:
        frame = await communicator.receive_json_from(timeout=10)
        if frame["type"] == kind:
            return frame
        assert frame["type"] in ("presence", "typing", "message", "ack"), frame


async def message_from(communicator: WebsocketCommunicator, side: str) -> dict[str, Any]:
    """The next stored message the other `side` wrote (everyone gets their own back too)."""
    while True:
        frame = await next_of(communicator, "message")
        if frame["message"]["side"] == side:
            return frame["message"]


@database_sync_to_async
def make_room() -> dict[str, Any]:
    bid = BidFactory(amount=60_000_00)
    poster, bidder = task_owner(bid.task), bid_operator(bid)
    thread, _created = services.thread_open(actor=bidder, bid=bid)
    rival = bid_operator(BidFactory(task=bid.task))
    return {"bid": bid, "poster": poster, "bidder": bidder, "thread": thread, "rival": rival}


def offer_frame(amount: int, days: int = 50) -> dict[str, Any]:
    first = amount * 4 // 10
    return {
        "type": "offer",
        "client_id": uuid.uuid4().hex,
        "amount": amount,
        "duration_days": days,
        "milestones": [
            {"title": "方案设计", "amount": first, "due_days": 20},
            {"title": "实施与验证", "amount": amount - first, "due_days": days},
        ],
        "note": "按新的范围报价",
    }


async def test_a_foreign_origin_an_anonymous_user_and_a_non_participant_are_refused(
    live_channel_layer: Any,
) -> None:
    room = await make_room()
    thread_id = room["thread"].pk

    _foreign, connected, _code = await connect(
        thread_id, room["bidder"], origin=b"http://evil.example"
    )
    assert not connected
    _anonymous, connected, code = await connect(thread_id, None)
    assert (connected, code) == (False, 4401)
    for outsider in (room["rival"], await database_sync_to_async(UserFactory)()):
        _socket, connected, code = await connect(thread_id, outsider)
        assert (connected, code) == (False, 4403)
    _socket, connected, code = await connect(thread_id + 10_000, room["bidder"])
    assert (connected, code) == (False, 4403)  # a wrong id looks the same as a foreign one


async def test_a_message_reaches_the_other_side_after_it_is_stored(
    live_channel_layer: Any,
) -> None:
    room = await make_room()
    poster = await joined(room["thread"].pk, room["poster"])
    bidder = await joined(room["thread"].pk, room["bidder"])
    try:
        await bidder.send_json_to({"type": "message", "body": "您好，关于节拍", "client_id": "m1"})
        ack = await next_of(bidder, "ack")
        received = await next_of(poster, "message")
    finally:
        await poster.disconnect()
        await bidder.disconnect()

    assert ack["seq"] == 1
    assert ack["created"] is True
    assert received["message"]["body"] == "您好，关于节拍"
    assert received["message"]["seq"] == 1
    assert received["message"]["side"] == "provider"
    stored = await database_sync_to_async(NegotiationMessage.objects.get)(client_id="m1")
    assert stored.seq == 1


async def test_a_duplicate_client_message_id_is_stored_once(live_channel_layer: Any) -> None:
    room = await make_room()
    poster = await joined(room["thread"].pk, room["poster"])
    bidder = await joined(room["thread"].pk, room["bidder"])
    try:
        for _attempt in range(2):
            await bidder.send_json_to({"type": "message", "body": "只发一次", "client_id": "dup"})
        first, second = await next_of(bidder, "ack"), await next_of(bidder, "ack")
        await bidder.send_json_to({"type": "message", "body": "下一条", "client_id": "next"})
        seen = [(await next_of(poster, "message"))["message"]["body"] for _n in range(2)]
    finally:
        await poster.disconnect()
        await bidder.disconnect()

    assert (first["created"], second["created"]) == (True, False)
    assert first["seq"] == second["seq"] == 1
    assert seen == ["只发一次", "下一条"]  # the poster saw the duplicate zero times
    count = await database_sync_to_async(
        NegotiationMessage.objects.filter(thread=room["thread"]).count
    )()
    assert count == 2


async def test_replay_after_a_reconnect_returns_exactly_the_missed_messages_in_order(
    live_channel_layer: Any,
) -> None:
    room = await make_room()
    bidder = await joined(room["thread"].pk, room["bidder"])
    poster = await joined(room["thread"].pk, room["poster"])
    await bidder.send_json_to({"type": "message", "body": "第一条", "client_id": "r1"})
    seen = (await next_of(poster, "message"))["message"]["seq"]
    await poster.disconnect()  # the poster's connection drops
    for n in range(2, 5):
        await bidder.send_json_to({"type": "message", "body": f"第{n}条", "client_id": f"r{n}"})
        await next_of(bidder, "ack")

    poster = await joined(room["thread"].pk, room["poster"])
    try:
        await poster.send_json_to({"type": "sync", "after": seen})
        replay = await next_of(poster, "sync")
    finally:
        await poster.disconnect()
        await bidder.disconnect()

    assert seen == 1
    assert [(m["seq"], m["body"]) for m in replay["messages"]] == [
        (2, "第2条"),
        (3, "第3条"),
        (4, "第4条"),
    ]
    assert replay["more"] is False


async def test_an_accepted_offer_changes_the_bids_terms_and_the_contracts(
    live_channel_layer: Any,
) -> None:
    room = await make_room()
    poster = await joined(room["thread"].pk, room["poster"])
    bidder = await joined(room["thread"].pk, room["bidder"])
    try:
        await poster.send_json_to(offer_frame(50_000_00))
        offer = (await message_from(bidder, "poster"))["offer"]
        await bidder.send_json_to(offer_frame(56_000_00, 55))  # a counter-offer
        counter = (await message_from(poster, "provider"))["offer"]
        await poster.send_json_to({"type": "accept", "offer": counter["id"]})
        accepted = {"message": await message_from(bidder, "poster")}
    finally:
        await poster.disconnect()
        await bidder.disconnect()

    assert offer["amount"] == 50_000_00
    assert accepted["message"]["kind"] == "accepted"
    assert accepted["message"]["offer"]["status"] == "accepted"
    bid = await database_sync_to_async(Bid.objects.get)(pk=room["bid"].pk)
    assert (bid.amount, bid.duration_days, bid.agreed_offer_id) == (56_000_00, 55, counter["id"])
    contract = await database_sync_to_async(contract_award)(actor=room["poster"], bid=bid)
    assert contract.amount == 56_000_00
    assert contract.accepted_offer_id == counter["id"]


async def test_accepting_a_stale_offer_fails_clearly(live_channel_layer: Any) -> None:
    room = await make_room()
    poster = await joined(room["thread"].pk, room["poster"])
    bidder = await joined(room["thread"].pk, room["bidder"])
    try:
        await bidder.send_json_to(offer_frame(58_000_00))
        old = (await message_from(poster, "provider"))["offer"]
        await bidder.send_json_to(offer_frame(57_000_00))
        await message_from(poster, "provider")
        await poster.send_json_to({"type": "accept", "offer": old["id"]})
        error = await next_of(poster, "error")
    finally:
        await poster.disconnect()
        await bidder.disconnect()

    assert error["code"] == "stale_offer"
    assert "latest" in error["message"] or "最新" in error["message"]
    bid = await database_sync_to_async(Bid.objects.get)(pk=room["bid"].pk)
    assert bid.amount == 60_000_00


async def test_after_the_award_the_socket_says_closed_and_refuses_writes(
    live_channel_layer: Any, celery_eager: None
) -> None:
    room = await make_room()
    bidder = await joined(room["thread"].pk, room["bidder"])
    try:
        await database_sync_to_async(contract_award)(actor=room["poster"], bid=room["bid"])
        closed = await next_of(bidder, "closed")
        await bidder.send_json_to({"type": "message", "body": "还能说话吗", "client_id": "late"})
        error = await next_of(bidder, "error")
    finally:
        await bidder.disconnect()

    assert closed == {"type": "closed"}
    assert error["code"] == "thread_closed"


async def test_an_oversized_frame_closes_the_socket_with_4413(live_channel_layer: Any) -> None:
    room = await make_room()
    bidder = await joined(room["thread"].pk, room["bidder"])
    await bidder.send_to(text_data='{"type": "message", "body": "' + "长" * 8000 + '"}')
    output = await bidder.receive_output(timeout=10)
    while output["type"] != "websocket.close":
        output = await bidder.receive_output(timeout=10)
    assert output["code"] == 4413


def _dead_redis(settings: Any) -> None:
    """Point every use of Redis (cache, channel layer) at a port where nothing listens."""
    dead = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [dead]}}
    }


async def test_with_redis_down_the_api_still_stores_and_sockets_catch_up_later(
    live_channel_layer: Any, settings: Any, celery_eager: None
) -> None:
    room = await make_room()
    bidder = await joined(room["thread"].pk, room["bidder"])
    await bidder.send_json_to({"type": "message", "body": "断线前", "client_id": "before"})
    seen = (await next_of(bidder, "ack"))["seq"]
    await bidder.disconnect()

    live = dict(settings.CHANNEL_LAYERS)
    live_caches = dict(settings.CACHES)
    _dead_redis(settings)
    response = await database_sync_to_async(
        lambda: client_for(room["poster"]).post(
            f"{API}/threads/{room['thread'].pk}/messages/",
            {"body": "Redis 停了也能发", "client_id": "during"},
            format="json",
        )
    )()
    assert response.status_code == 201, response.content
    settings.CHANNEL_LAYERS = live  # Redis is back
    settings.CACHES = live_caches

    bidder = await joined(room["thread"].pk, room["bidder"])
    try:
        await bidder.send_json_to({"type": "sync", "after": seen})
        replay = await next_of(bidder, "sync")
    finally:
        await bidder.disconnect()
    assert [m["body"] for m in replay["messages"]] == ["Redis 停了也能发"]
