"""The API's rate limits, failing open when their cache is down.

They count in the cache (Redis when REDIS_URL is set). When Redis is down the API keeps
working without them rather than failing every request (DESIGN §10: with Redis down, pages
and the API work). The limits that protect stored data (messages, questions) count rows in
PostgreSQL instead, so they hold either way.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework import throttling

logger = logging.getLogger(__name__)


class _FailOpen(throttling.SimpleRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))
        except Exception:  # the cache is an enhancement here
            logger.warning("cache unavailable; API rate limit not applied", exc_info=True)
            return True


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass
