"""Who a user is to organizations and provider profiles, read once per request.

Every page and API call asks the same few questions many times: is this user a member of the
poster organization, may they manage it, which provider profiles do they act for. Each used to
be a query; a bid asked "which profiles" three times. The answers are now read once and kept
on the user object, which lives for one request (a socket's user lives longer: hence the
short age limit as well).

A change to any membership or provider profile in this process bumps a generation number, so
a service that changes them and then asks again (in the same request or test) reads afresh.
The number only ever invalidates; nothing is shared between requests through it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Seconds an answer may be reused; a request is over well before, a websocket is not.
MAX_AGE_SECONDS = 2.0
ATTRIBUTE = "_access_memo"

_generations = itertools.count(1)
_generation = 0


def access_changed(**kwargs: Any) -> None:
    """A membership or provider profile was saved or deleted: forget every memo."""
    global _generation
    _generation = next(_generations)


def memo(user: Any, name: str, compute: Callable[[], T]) -> T:
    """`compute()` once per request (and generation) for this user."""
    cache: dict[str, tuple[int, float, Any]] | None = getattr(user, ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, ATTRIBUTE, cache)
    now = time.monotonic()
    hit = cache.get(name)
    if hit is not None and hit[0] == _generation and now - hit[1] < MAX_AGE_SECONDS:
        return hit[2]
    value = compute()
    cache[name] = (_generation, now, value)
    return value


def forget(user: Any) -> None:
    if getattr(user, ATTRIBUTE, None) is not None:
        setattr(user, ATTRIBUTE, None)
