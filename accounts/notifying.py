"""Sending one event's notification to several people, each in their own language.

Apps describe a message with callables for title and body so the text is rendered under each
recipient's language; `send` calls accounts.services.notify once per recipient with a dedupe key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation


@dataclass(frozen=True)
class Message:
    kind: str
    title: Callable[[], str]
    body: Callable[[], str]
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
        with translation.override(user.language):
            notify(
                recipient=user,
                kind=message.kind,
                title=str(message.title()),
                body=str(message.body()),
                url=message.url,
                dedupe_key=f"{dedupe}:{user.pk}"[:120],
                email=message.email,
            )
