"""Sending one event's notification to several people.

Apps describe a message by its kind and the phrases of its title and body
(`marketplace.notifications.t` and `raw`): they are stored as message ids and arguments and
rendered in the reader's language whenever the notification is shown. Callables returning text
are still accepted (rendered once, in each recipient's language at sending, and stored as
text). `send` calls accounts.services.notify once per recipient with a dedupe key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from marketplace.notifications import Phrase


@dataclass(frozen=True)
class Message:
    kind: str
    title: Phrase | Callable[[], str]
    body: Phrase | Callable[[], str] | None
    url: str
    email: bool = True


def send(recipients: Iterable[Any], message: Message, dedupe: str) -> None:
    """Notify each distinct active recipient once per `dedupe` key (safe to repeat)."""
    from accounts.services import notify

    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        params: dict[str, Any] = {}
        with translation.override(user.language):
            if isinstance(message.title, Phrase):
                params["title"] = message.title.to_json()
                title = ""
            else:
                title = str(message.title())
            if isinstance(message.body, Phrase):
                params["body"] = message.body.to_json()
                body = ""
            else:
                body = str(message.body()) if message.body is not None else ""
            notify(
                recipient=user,
                kind=message.kind,
                title=title,
                body=body,
                url=message.url,
                dedupe_key=f"{dedupe}:{user.pk}"[:120],
                email=message.email,
                params=params,
            )
