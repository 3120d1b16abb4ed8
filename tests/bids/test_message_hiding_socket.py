"""A message a moderator hides updates the open rooms at once (a broadcast after commit) and a
reconnecting socket's replay carries the reason in its place, on the real Redis channel layer."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group

from bids.models import NegotiationMessage
from bids.moderation import negotiation_message_hide
from bids.negotiation import services
from tasks.apps import MODERATOR_GROUP
from tests.accounts.factories import UserFactory
from tests.bids.test_negotiation_socket import joined, make_room

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def frame_of(communicator: Any, kind: str) -> dict[str, Any]:
    while True:
        frame = await communicator.receive_json_from(timeout=10)
        if frame["type"] == kind:
            return frame


@database_sync_to_async
def post_and_hide(room: dict[str, Any], *, hide: bool) -> NegotiationMessage:
    message = services.message_post(
        actor=room["bidder"], thread=room["thread"], body="你们这些人都是骗子"
    ).message
    if hide:
        moderator = UserFactory(staff=True)
        moderator.groups.add(Group.objects.get(name=MODERATOR_GROUP))
        negotiation_message_hide(moderator=moderator, message=message, reason="侮辱性言论")
    return message


async def test_hiding_updates_an_open_room_and_the_replay(live_channel_layer: Any) -> None:
    room = await make_room()
    poster = await joined(room["thread"].pk, room["poster"])
    try:
        message = await post_and_hide(room, hide=True)
        live = await frame_of(poster, "hidden")
        assert live["message"]["seq"] == message.seq
        assert live["message"]["hidden"] is True
        assert live["message"]["hidden_reason"] == "侮辱性言论"
        assert live["message"]["body"] == ""
    finally:
        await poster.disconnect()

    bidder = await joined(room["thread"].pk, room["bidder"])
    try:
        await bidder.send_json_to({"type": "sync", "after": 0})
        replay = await frame_of(bidder, "sync")
    finally:
        await bidder.disconnect()
    [replayed] = [m for m in replay["messages"] if m["seq"] == message.seq]
    assert (replayed["hidden"], replayed["body"]) == (True, "")
    assert "骗子" not in str(replay)
