"""Helpers for tests of the notification websocket.

A test that something does *not* reach a socket must not depend on how long it waits: a
window that closes before a late frame arrives lets a leak pass. Instead it sends the same
socket a marker notification after the event and reads every frame up to the marker. The
channel layer hands one channel its messages in the order they were sent, and by the time a
service returns, its on-commit broadcasts (Celery runs eagerly in these tests) have been sent:
whatever the event sent this socket is among the frames before the marker.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from accounts.consumers import NotificationConsumer
from accounts.services import notify


async def listen(user: Any) -> WebsocketCommunicator:
    """A notification socket connected as `user` (the consumer alone, without the ASGI stack)."""
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@database_sync_to_async
def _send_marker(user: Any) -> str:
    title = f"marker {uuid.uuid4().hex}"
    with transaction.atomic():
        notify(recipient=user, kind="test.marker", title=title, email=False)
    return title


async def frames_before_marker(
    communicator: WebsocketCommunicator, user: Any, timeout: float = 10
) -> list[str]:
    """Every frame `user`'s socket received before a marker sent now, as raw JSON text.

    Fails (times out) if the marker itself never arrives, so an empty list is a real "nothing".
    """
    marker = await _send_marker(user)
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("notification", {}).get("title") == marker:
            return frames
        frames.append(json.dumps(frame, ensure_ascii=False))
