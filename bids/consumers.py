"""The negotiation room's websocket: `/ws/negotiations/<thread id>/`.

Thin: it authenticates, asks the capability selector on connect (before accepting) and again
through the services on every action, hands each write to bids.negotiation.services (which
stores it in PostgreSQL in one transaction) and relays the group's events. What the write
queued for after commit (the broadcast to the thread's group, the notifications) is handed
back to this consumer: it sends the broadcast from its own event loop once the service has
committed, then queues the notifications, then acks (a REST post broadcasts from its thread,
after commit as well). Typing and presence are relayed, never stored.

Client → server frames (JSON):
  {"type": "message", "body": "...", "client_id": "<uuid>"}
  {"type": "offer", "amount": fen, "duration_days": n, "milestones": [...], "note": "",
   "client_id": "<uuid>"}
  {"type": "accept" | "decline", "offer": <offer id>, "note": ""}
  {"type": "sync", "after": <last seq seen>}      → {"type": "sync", "messages": [...], "more"}
  {"type": "read", "seq": <seq>}
  {"type": "typing"}
Server → client: "ready" (on connect), "message" (every stored entry, to everyone in the room),
"ack" (to the sender: client_id → seq, also for a resend stored earlier), "error" (code,
message, client_id), "typing", "presence", "closed" (the bid was awarded or declined).

Close codes: 4401 not signed in; 4403 not a side of this negotiation (or no such thread: the
same answer); 4413 a frame larger than FRAME_MAX; 4429 far too many frames (an ill-behaved
client; the message rate limit itself answers with an "error" frame).
"""

from __future__ import annotations

import json
import time
from functools import partial
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from bids.models import NegotiationThread
from bids.negotiation import services
from bids.negotiation.selectors import (
    PAGE_MAX,
    message_payload,
    messages_after,
    offer_get_for_user,
    thread_get_for_user,
    thread_group,
)
from marketplace import notifications, realtime
from marketplace.budgets import Budget
from marketplace.errors import DomainError, NotFound, ValidationFailed
from marketplace.terms import MilestoneTerms

FRAME_MAX = 16 * 1024
# Frames of any kind a socket may send in FRAME_WINDOW seconds before it is closed (4429).
FRAME_BURST = 120
FRAME_WINDOW = 10.0
TYPING_EVERY = 2.0

# One message as the socket's worker thread runs it: the user re-read (suspension), the task,
# bid and thread read under their locks, the capability selector's participant lookups
# (memoised on the socket's user for at most accounts.access.MAX_AGE_SECONDS), the resend and
# rate read, the thread's number, the message and the sender's read marker. No Redis from the
# thread: the broadcast and the notification are handed back to the event loop.
MESSAGE_BUDGET = Budget(queries=10, redis=0)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_LARGE = 4413
CLOSE_FLOOD = 4429


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        message = _("Give a whole number.")
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _milestones(raw: Any) -> list[MilestoneTerms]:
    if not isinstance(raw, list) or len(raw) > 50:
        message = _("Give the milestones as a list.")
        raise ValidationFailed(message, fields={"milestones": [message]})
    terms = []
    for item in raw:
        if not isinstance(item, dict):
            message = _("Give the milestones as a list.")
            raise ValidationFailed(message, fields={"milestones": [message]})
        terms.append(
            MilestoneTerms(
                title=str(item.get("title", ""))[:200],
                amount=_int(item.get("amount"), "amount"),
                due_days=_int(item.get("due_days"), "due_days"),
                description=str(item.get("description", ""))[:2100],
            )
        )
    return terms


class NegotiationConsumer(AsyncJsonWebsocketConsumer):
    thread_id: int = 0
    group: str | None = None
    thread: NegotiationThread

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.thread_id = int(self.scope["url_route"]["kwargs"]["thread_id"])
        ready = await self._ready(user)
        if ready is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = thread_group(self.thread_id)
        self.frames: list[float] = []
        self.last_typing = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(ready)
        await self._ephemeral({"type": "presence", "online": True})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self._ephemeral({"type": "presence", "online": False})
            await self.channel_layer.group_discard(self.group, self.channel_name)

    @database_sync_to_async
    def _ready(self, user: Any) -> dict[str, Any] | None:
        try:
            thread, capabilities = thread_get_for_user(user=user, thread_id=self.thread_id)
        except NotFound:
            return None
        self.side = capabilities.side
        self.thread = thread  # its bid and task ids, for the services' locks
        return {
            "type": "ready",
            "thread": thread.pk,
            "last_seq": thread.last_seq,
            "side": capabilities.side,
            "can_write": capabilities.negotiate,
            "can_accept": capabilities.accept_offer,
        }

    # --- receiving ---

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        text = message.get("text")
        data = message.get("bytes")
        size = len(text.encode()) if text is not None else len(data or b"")
        if size > FRAME_MAX:
            await self.close(code=CLOSE_TOO_LARGE)
            return
        now = time.monotonic()
        self.frames = [t for t in self.frames if now - t < FRAME_WINDOW] + [now]
        if len(self.frames) > FRAME_BURST:
            await self.close(code=CLOSE_FLOOD)
            return
        if text is None:
            await self.send_json(
                {"type": "error", "code": "invalid", "message": _("Send JSON text frames.")}
            )
            return
        try:
            content = json.loads(text)
        except ValueError:
            await self.send_json(
                {"type": "error", "code": "invalid", "message": _("Send JSON text frames.")}
            )
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json(
                {"type": "error", "code": "invalid", "message": _("Send JSON text frames.")}
            )
            return
        kind = content.get("type")
        if kind == "typing":
            now = time.monotonic()
            if now - self.last_typing >= TYPING_EVERY:
                self.last_typing = now
                await self._ephemeral({"type": "typing"})
            return
        client_id = str(content.get("client_id") or "")[:80]
        # What the action's transaction committed for the room and for notifications, handed
        # back here instead of being sent from the worker thread.
        sends: realtime.Sends = []
        deliveries: notifications.Deliveries = []
        reply: dict[str, Any] | None
        try:
            reply = await self._act(kind, content, sends, deliveries)
        except DomainError as exc:
            reply = {"type": "error", "client_id": client_id, **exc.as_dict()}
        finally:
            # After commit, from this event loop: the room first (the peer's copy), then the
            # notifications (the broker's publish is off the way to the peer), then the ack.
            await realtime.group_send_all(self.channel_layer, sends)
            if deliveries:
                await self._enqueue(deliveries)
        if reply is not None:
            await self.send_json(reply)

    @partial(database_sync_to_async, thread_sensitive=False)
    def _enqueue(self, deliveries: notifications.Deliveries) -> None:
        notifications.enqueue_all(deliveries)

    # Not thread-sensitive: the actions of different rooms run side by side in the worker pool,
    # each on a pooled connection of its own, instead of queueing for the one thread every
    # thread-sensitive call shares. One room's writers still take turns on its thread's lock.
    @partial(database_sync_to_async, thread_sensitive=False)
    def _act(
        self,
        kind: Any,
        content: dict[str, Any],
        sends: realtime.Sends,
        deliveries: notifications.Deliveries,
    ) -> dict[str, Any] | None:
        with (
            realtime.sends_handed_over(sends),
            notifications.deliveries_handed_over(deliveries),
        ):
            return self._action(kind, content)

    def _action(self, kind: Any, content: dict[str, Any]) -> dict[str, Any] | None:
        """One action, through the services (each asks the capability selector again, on the
        rows it locks; only the thread's bid and task ids are kept from the connect)."""
        user = self.scope["user"]
        user.refresh_from_db(fields=["is_active", "suspended_at"])
        thread = self.thread
        client_id = str(content.get("client_id") or "")
        if kind == "sync":
            thread, _capabilities = thread_get_for_user(user=user, thread_id=self.thread_id)
            after = content.get("after", 0)
            after = after if isinstance(after, int) and not isinstance(after, bool) else 0
            found = messages_after(thread=thread, after=after, limit=PAGE_MAX + 1)
            return {
                "type": "sync",
                "after": after,
                "messages": [message_payload(m) for m in found[:PAGE_MAX]],
                "more": len(found) > PAGE_MAX,
            }
        if kind == "read":
            thread, _capabilities = thread_get_for_user(user=user, thread_id=self.thread_id)
            seq = services.thread_mark_read(
                actor=user, thread=thread, seq=_int(content.get("seq"), "seq")
            )
            return {"type": "read", "seq": seq}
        if kind == "message":
            posted = services.message_post(
                actor=user, thread=thread, body=str(content.get("body") or ""), client_id=client_id
            )
        elif kind == "offer":
            posted = services.offer_make(
                actor=user,
                thread=thread,
                amount=_int(content.get("amount"), "amount"),
                duration_days=_int(content.get("duration_days"), "duration_days"),
                milestones=_milestones(content.get("milestones")),
                note=str(content.get("note") or ""),
                client_id=client_id,
            )
        elif kind in ("accept", "decline"):
            offer = offer_get_for_user(user=user, offer_id=_int(content.get("offer"), "offer"))
            if offer.thread_id != self.thread_id:
                raise NotFound(_("This offer does not exist or is not visible to you."))
            if kind == "accept":
                posted = services.offer_accept(actor=user, offer=offer)
            else:
                posted = services.offer_decline(
                    actor=user, offer=offer, note=str(content.get("note") or "")
                )
        else:
            raise ValidationFailed(_("Unknown frame type."), code="unknown_type")
        return {
            "type": "ack",
            "client_id": posted.message.client_id,
            "seq": posted.message.seq,
            "id": posted.message.pk,
            "created": posted.created,
            # A resend's original never reaches this socket again through the group.
            "message": None if posted.created else message_payload(posted.message),
        }

    # --- the group ---

    async def _ephemeral(self, event: dict[str, Any]) -> None:
        user = self.scope["user"]
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "negotiation.ephemeral",
                "event": {**event, "side": self.side, "user": user.display_name},
                "from": self.channel_name,
            },
        )

    async def negotiation_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["event"])

    async def negotiation_ephemeral(self, event: dict[str, Any]) -> None:
        if event.get("from") != self.channel_name:
            await self.send_json(event["event"])
