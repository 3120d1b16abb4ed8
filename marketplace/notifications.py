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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

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


# (event, object id, tag) triples a caller queues itself (see `deliveries_handed_over`).
Deliveries = list[tuple[str, int, str]]
_handed_over: ContextVar[Deliveries | None] = ContextVar("notifications_handed_over", default=None)


def schedule(event: str, object_id: int, *, tag: str = "") -> None:
    """Deliver `event` for `object_id` after the current transaction commits."""
    if event not in _handlers:
        raise ImproperlyConfigured(f"no notification handler is registered for {event!r}")
    deliveries = _handed_over.get()
    if deliveries is not None:
        transaction.on_commit(partial(deliveries.append, (event, object_id, tag)))
        return
    transaction.on_commit(partial(_enqueue, event, object_id, tag))


@contextmanager
def deliveries_handed_over(deliveries: Deliveries) -> Iterator[Deliveries]:
    """Within the block, deliveries scheduled for after commit are appended to `deliveries`
    when their transaction commits, instead of being queued there; the caller queues them with
    `enqueue_all` when it is ready (the negotiation socket: after the message went out to the
    room, so the broker's publish is not on the way from sender to peer)."""
    token = _handed_over.set(deliveries)
    try:
        yield deliveries
    finally:
        _handed_over.reset(token)


def enqueue_all(deliveries: Deliveries) -> None:
    """Queue handed-over deliveries (each as `schedule` would have after commit)."""
    for event, object_id, tag in deliveries:
        _enqueue(event, object_id, tag)


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


# --- What a notification says: a phrase (message id + arguments), rendered when read ---------
#
# A notification is stored as its kind and the phrases of its title and body: the English
# message id (the gettext catalogue's key) and the arguments, as JSON. Pages, the API and
# emails render them in the reader's language of the moment, so switching the site to English
# shows existing notifications in English. Arguments that read differently per language are
# tagged: an amount ({"$money": [minor units, currency]}) and a moment ({"$datetime": ISO}).
# User-written text (a moderator's note, a question) is a raw phrase and is never translated.


@dataclass(frozen=True)
class Phrase:
    msgid: str
    args: dict[str, Any] = field(default_factory=dict)
    raw: bool = False

    def to_json(self) -> dict[str, Any]:
        if self.raw:
            return {"text": self.msgid}
        return {"msgid": self.msgid, "args": {k: _encode(v) for k, v in self.args.items()}}

    def render(self) -> str:
        return render_phrase(self.to_json())


def t(msgid: str, args: dict[str, Any] | None = None) -> Phrase:
    """A translatable phrase: `t(gettext_noop("New bid on %(title)s"), {"title": task.title})`
    (gettext_noop, so makemessages finds the message id and nothing is translated yet)."""
    return Phrase(msgid, dict(args or {}))


def raw(text: str) -> Phrase:
    """Text a person wrote, shown as it is in every language."""
    return Phrase(str(text), raw=True)


def _encode(value: Any) -> Any:
    from marketplace.money import Money

    if isinstance(value, Phrase):
        return {"$phrase": value.to_json()}
    if isinstance(value, Money):
        return {"$money": [value.amount, value.currency]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$phrase" in value:
            return render_phrase(value["$phrase"])
        if "$money" in value:
            from marketplace.money import Money

            amount, currency = value["$money"]
            return Money(int(amount), str(currency)).format()
        if "$datetime" in value:
            moment = timezone.localtime(datetime.fromisoformat(value["$datetime"]))
            return moment.strftime("%Y-%m-%d %H:%M")
    return value


def render_phrase(stored: Any) -> str:
    """A stored phrase in the active language; "" for none. An argument the message id does
    not use, or a catalogue whose translation lost one, never breaks the page: the untranslated
    message id is rendered instead, and failing that the bare id."""
    if not isinstance(stored, dict):
        return ""
    if "text" in stored:
        return str(stored["text"])
    msgid = str(stored.get("msgid", ""))
    if not msgid:
        return ""
    args = {k: _decode(v) for k, v in (stored.get("args") or {}).items()}
    if not args:
        return gettext(msgid)
    for template in (gettext(msgid), msgid):
        try:
            return template % args
        except (KeyError, TypeError, ValueError):
            continue
    return msgid


# --- Kinds: what a person can choose to receive by email, and how similar ones group -------------


@dataclass(frozen=True)
class NotificationKind:
    name: str
    label: Promise | str  # what the email preference says
    # ngettext forms for a group of unread ones ("%(count)d new bids on %(title)s"), with the
    # newest notification's title arguments; without them a group reads "<newest> (+n more)".
    group: tuple[str, str] | None = None
    # False: never emailed (nothing to choose on the preferences page).
    emailable: bool = True


_kinds: dict[str, NotificationKind] = {}


def notification_kind(
    name: str,
    label: Promise | str,
    *,
    group: tuple[str, str] | None = None,
    emailable: bool = True,
) -> NotificationKind:
    """Declare a notification kind (each app's notifications.py, beside its handlers)."""
    kind = NotificationKind(name, label, group, emailable)
    known = _kinds.get(name)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"notification kind {name!r} is declared twice")
    _kinds[name] = kind
    return kind


def notification_kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.name)


def notification_kind_get(name: str) -> NotificationKind | None:
    return _kinds.get(name)


def render_group_title(*, kind: str, count: int, newest_title: Any, fallback: str) -> str:
    """The title of `count` similar unread notifications, in the active language."""
    declared = _kinds.get(kind)
    if declared is not None and declared.group is not None:
        args = {}
        if isinstance(newest_title, dict):
            args = {k: _decode(v) for k, v in (newest_title.get("args") or {}).items()}
        args["count"] = count
        singular, plural = declared.group
        # Both forms are catalogue entries of their own (gettext_noop), chosen here: a language
        # with other plural rules than English's gets them from its own catalogue's wording.
        try:
            return gettext(singular if count == 1 else plural) % args
        except (KeyError, TypeError, ValueError):
            pass
    return gettext("%(title)s (+%(more)d more)") % {"title": fallback, "more": count - 1}
