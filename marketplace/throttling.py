"""The API's request rate limits: fixed one-minute windows counted in the cache, failing open.

What they protect: the anonymous rate limits what one address can ask of the public API
(browsing, the token endpoint's requests); the user rate limits a runaway client or a leaked
token. Nothing else: the limits on stored data (questions, messages) and on sign-in failures
count rows in PostgreSQL and hold with Redis down. So each request is counted by exactly one
of the two (DRF's stock user throttle also counted anonymous requests, beside the anonymous
one), and in one round trip: INCR and EXPIRE in a pipeline (DRF's stock throttles read and
rewrite a pickled list of every request's time, two round trips and a list up to the rate
long). A fixed window lets a client reach twice the rate across a window's edge, which is
fine for a soft limit.

When Redis is down the API keeps working without them (DESIGN §10).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from rest_framework import throttling

logger = logging.getLogger(__name__)


def window_hit(key: str, *, window: int) -> int:
    """Count one request in the current window of `window` seconds; the count so far."""
    redis_client = getattr(cache, "redis_client", None)
    if redis_client is not None:
        full_key = cache.make_key(key)
        pipe = redis_client().pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, window + 1, nx=True)  # Redis 7
        count, _expiry = pipe.execute()
        return int(count)
    # Embedded defaults (local memory cache): the same window with add and incr.
    if cache.add(key, 1, window + 1):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between the two calls
        cache.set(key, 1, window + 1)
        return 1


class _Window(throttling.SimpleRateThrottle):
    """A fixed-window counter in place of SimpleRateThrottle's request history."""

    num_requests: int
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        window_start = int(time.time()) // self.duration * self.duration
        self._window_end = window_start + self.duration
        try:
            count = window_hit(f"{key}:{window_start}", window=self.duration)
        except Exception:  # the cache is an enhancement here
            logger.warning("cache unavailable; API rate limit not applied", exc_info=True)
            return True
        return count <= self.num_requests

    def wait(self) -> float | None:
        return max(1.0, self._window_end - time.time())


class AnonRateThrottle(_Window, throttling.AnonRateThrottle):
    """Anonymous requests, per client address."""


class UserRateThrottle(_Window, throttling.UserRateThrottle):
    """Signed-in requests, per user; anonymous ones are the anonymous throttle's alone."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
