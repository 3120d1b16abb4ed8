"""The ASGI application the negotiation benchmark serves: the product's own (every page and
socket of marketplace.asgi) plus a bare Channels echo consumer on the same channel layer, the
floor the negotiation consumer is measured against in the same run and process.

The echo consumer does what the negotiation socket does minus the product: accept, join a
group per room, and relay each frame to the group (the sender included) through the channel
layer. No authentication, no database, no storing.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path

from marketplace.asgi import application as product


class EchoConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = f"bench-echo.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.channel_layer.group_send(self.group, {"type": "relay", "text": text_data})

    async def relay(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


_echo = URLRouter([path("ws/bench-echo/<int:room>/", EchoConsumer.as_asgi())])


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The echo socket on its path; everything else (pages, the API and the product's sockets
    behind their origin check and session auth) exactly as marketplace.asgi serves it."""
    if scope["type"] == "websocket" and scope["path"].startswith("/ws/bench-echo/"):
        await _echo(scope, receive, send)
    else:
        await product(scope, receive, send)
