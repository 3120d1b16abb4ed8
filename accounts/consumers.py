"""Live notifications: one websocket per signed-in browser tab, one group per user."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from marketplace.realtime import user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Pushes a user's new notifications. Read-only: clients never send anything that is stored."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Nothing to receive; ignoring input keeps the socket from being used as a write channel.
        return

    async def notification_created(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "notification", "notification": event["notification"]})
