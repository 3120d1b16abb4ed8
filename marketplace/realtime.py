"""Broadcasting to websocket groups after the transaction that stored the data commits.

A message reaches clients only once it is in PostgreSQL; if Redis is down the write still
succeeds and clients catch up on reconnect.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def group_send_now(group: str, message: dict[str, Any]) -> None:
    """Send to a channel-layer group; a layer outage is logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the channel layer is an enhancement: never fail the request for it
        logger.warning("channel layer unavailable; %s not broadcast", group, exc_info=True)


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Queue a group message to go out when the current transaction commits."""
    transaction.on_commit(partial(group_send_now, group, message))
