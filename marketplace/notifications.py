"""The notification registry: one place where every app declares the events it tells people about.

An app registers a handler for each of its events (`@notification("bid_placed", ...)`); a service
calls `schedule(event, object_id)` inside its transaction; after commit one Celery task
(`marketplace.tasks.deliver_notification`) looks the handler up and runs it, and the handler
writes each recipient's notification (and email) through accounts.notifying. Handlers must be
safe to run twice: every notification they write carries a dedupe key per event, object and
recipient. Scheduling an event nobody registered fails at once, inside the service, rather than
later in a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

# (event, object id, tag): the tag tells repeated occurrences of one event apart.
Handler = Callable[[str, int, str], None]

_handlers: dict[str, Handler] = {}


def notification(*events: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of `events`."""

    def register(handler: Handler) -> Handler:
        for event in events:
            known = _handlers.get(event)
            if known is not None and known is not handler:
                raise ImproperlyConfigured(
                    f"notification {event!r} is registered twice ({known.__module__}, "
                    f"{handler.__module__})"
                )
            _handlers[event] = handler
        return handler

    return register


def registered_events() -> frozenset[str]:
    return frozenset(_handlers)


def schedule(event: str, object_id: int, *, tag: str = "") -> None:
    """Deliver `event` for `object_id` after the current transaction commits."""
    if event not in _handlers:
        raise ImproperlyConfigured(f"no notification handler is registered for {event!r}")
    transaction.on_commit(partial(_enqueue, event, object_id, tag))


def _enqueue(event: str, object_id: int, tag: str) -> None:
    """Queue the delivery. A broker that cannot be reached (Redis down) is logged, never turned
    into an error of a request whose data is already committed; the notification is lost, as
    a live update would be. Only that is caught: a handler's own error (eager Celery runs it
    here) still surfaces, so tests and the demo see it."""
    from kombu.exceptions import OperationalError

    from marketplace.tasks import deliver_notification

    try:
        deliver_notification.delay(event, object_id, tag)
    except (OperationalError, ConnectionError) as error:
        logger.warning("notification %s for %s not queued: %s", event, object_id, error)


def deliver(event: str, object_id: int, tag: str = "") -> None:
    """Run the handler of `event` now (the Celery task and the sweepers call this)."""
    _handlers[event](event, object_id, tag)


def link(name: str, *args: object) -> str:
    """The path of a page for a notification, or "" when the page is not routed (an API-only
    deployment has no frontend)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
