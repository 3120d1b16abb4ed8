"""Broadcasting to websocket groups after the transaction that stored the data commits.

A message reaches clients only once it is in PostgreSQL; if Redis is down the write still
succeeds and clients catch up on reconnect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


# Seconds a send from outside the server may take before it is given up (and logged).
SEND_TIMEOUT_SECONDS = 10.0

_sender: tuple[int, asyncio.AbstractEventLoop] | None = None
_sender_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's one event loop for sends from sync code outside the ASGI server."""
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid():  # new, or inherited through a fork
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="channel-layer", daemon=True).start()
            _sender = (os.getpid(), loop)
        return _sender[1]


def _under_server() -> bool:
    """Called from a sync view under the ASGI server: its event loop is the caller's."""
    return getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid() and (
        getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None
    )


def _run(send: Callable[..., Awaitable[Any]], *args: Any) -> None:
    """Run a channel-layer call from sync code on one event loop per process.

    channels_redis pools connections per event loop. Under the server that is the server's
    loop. Elsewhere (Celery workers, management commands) async_to_sync would make a new loop,
    so a new Redis connection, for every send; those sends go to one long-lived loop instead.
    The in-memory layer (no Redis) keeps async_to_sync: its queues belong to the caller's loop.
    """
    from channels_redis.core import RedisChannelLayer

    layer = getattr(send, "__self__", None)
    if _under_server() or not isinstance(layer, RedisChannelLayer):
        async_to_sync(send)(*args)
        return
    future: Any = asyncio.run_coroutine_threadsafe(send(*args), _sender_loop())  # type: ignore[arg-type]
    future.result(timeout=SEND_TIMEOUT_SECONDS)


def group_send_now(group: str, message: dict[str, Any]) -> None:
    """Send to a channel-layer group; a layer outage is logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        _run(layer.group_send, group, message)
    except Exception:  # the channel layer is an enhancement: never fail the request for it
        logger.warning("channel layer unavailable; %s not broadcast", group, exc_info=True)


# (group, message) pairs an async caller sends itself (see `sends_handed_over`).
Sends = list[tuple[str, dict[str, Any]]]
_handed_over: ContextVar[Sends | None] = ContextVar("realtime_handed_over", default=None)


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Queue a group message to go out when the current transaction commits (to the caller's
    list instead, inside `sends_handed_over`)."""
    sends = _handed_over.get()
    if sends is not None:
        transaction.on_commit(partial(sends.append, (group, message)))
        return
    transaction.on_commit(partial(group_send_now, group, message))


@contextmanager
def sends_handed_over(sends: Sends) -> Iterator[Sends]:
    """Within the block (sync code an async consumer runs in a worker thread), group messages
    queued for after commit are appended to `sends` when their transaction commits, instead of
    being sent from this thread. The consumer then sends them on its own event loop with
    `group_send_all`: still only what committed, and no hop back from the thread to the loop
    (async_to_sync) per message. A rolled-back transaction appends nothing."""
    token = _handed_over.set(sends)
    try:
        yield sends
    finally:
        _handed_over.reset(token)


async def group_send_all(layer: Any, sends: Sends) -> None:
    """Send handed-over group messages from async code; a layer outage is logged, never
    raised (the data is committed, and clients catch up on reconnect)."""
    for group, message in sends:
        try:
            await layer.group_send(group, message)
        except Exception:
            logger.warning("channel layer unavailable; %s not broadcast", group, exc_info=True)
