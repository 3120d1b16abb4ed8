"""The Redis cache, failing open: a Redis outage makes the cache empty, not the site down.

What the cache holds here is only ever an optimisation or a soft limit (DRF request throttles,
allauth's sign-up and reset limits). The sign-in limit, the one that must hold, is counted in
PostgreSQL (accounts.services.signin). So when Redis cannot be reached, a read answers the
default (a miss), a write is dropped (`add` answers True, as a lock granted), and the failure
is logged once a minute, not per call.

One client (one connection pool) per process: Django makes a cache object per thread and,
under ASGI, per request, and its Redis backend pools per cache object, so every request
opened a new connection for the API throttle's two commands. The client is shared here,
keyed by the servers and options; redis-py's pool is thread-safe and resets after a fork.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60.0

_clients: dict[tuple[Any, ...], RedisCacheClient] = {}
_clients_lock = threading.Lock()


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, building redis-py's `Redis` object once per pool.

    Django builds a new one for every cache call, and a `Redis` object's constructor fills
    its table of a few hundred response callbacks: about 0.3-0.7 ms of CPU per call, on every
    throttled API request. The object holds no connection of its own (the pool does) and is
    safe to share between threads."""

    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        self._redis_clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._redis_clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._redis_clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


def shared_client(servers: list[str], options: dict[str, Any]) -> RedisCacheClient:
    """The process's one client for these servers and options."""
    key = (tuple(servers), tuple(sorted((k, repr(v)) for k, v in options.items())))
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = ReusedRedisCacheClient(servers, **options)
    return client


class FailOpenRedisCache(RedisCache):
    _last_logged = 0.0

    @cached_property
    def _cache(self) -> RedisCacheClient:
        return shared_client(self._servers, self._options)  # type: ignore[attr-defined]

    def redis_client(self) -> Any:
        """The pooled redis-py client, for a counter that needs a pipeline (the throttles)."""
        return self._cache.get_client(write=True)

    def _failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - FailOpenRedisCache._last_logged >= LOG_EVERY_SECONDS:
            FailOpenRedisCache._last_logged = now
            logger.warning("cache %s failed, answering as a miss: %s", operation, error)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            # Callers use add() as a lock (allauth's rate limits spin on it): failing open
            # means granting it, or every such caller would wait out its timeout and refuse.
            self._failed("add", error)
            return True

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._failed("get", error)
            return default

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._failed("set", error)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            self._failed("touch", error)
            return False

    def delete(self, key: Any, version: Any = None) -> Any:
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._failed("delete", error)
            return False

    def get_many(self, keys: Any, version: Any = None) -> Any:
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._failed("get_many", error)
            return {}

    def has_key(self, key: Any, version: Any = None) -> Any:
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._failed("has_key", error)
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            # Django's contract for a missing key; callers already handle it.
            self._failed("incr", error)
            raise ValueError(f"Key {key!r} not found (cache unavailable)") from error

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._failed("set_many", error)
            return list(data)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            self._failed("delete_many", error)

    def clear(self) -> Any:
        try:
            return super().clear()
        except RedisError as error:
            self._failed("clear", error)
            return False
