"""Shared fixtures. Service fixtures (PostgreSQL, Redis, Elasticsearch, stripe-mock) live in
tests/plugins/servers.py; factories live beside each app's tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

pytest_plugins = ["tests.plugins.servers"]


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _clear_cache() -> None:
    """Delete this run's cache keys only: on Redis the same database also carries the Celery
    broker and the channel layer, which a FLUSHDB would wipe."""
    backend = django_settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        prefix = django_settings.CACHES["default"].get("KEY_PREFIX", "")
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Rate-limit counters and cached values must not leak from one test into the next."""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def celery_eager() -> Iterator[None]:
    """Run Celery tasks inline (on-commit callbacks then deliver notifications and emails).

    With REDIS_URL set the app is not eager; the worker itself is tested in test_celery_worker.
    """
    from marketplace.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# --- The API fuzz run's summary (tests/test_api_fuzz.py), printed at the end of the run -------

_FUZZ_SUMMARY = Path(__file__).resolve().parents[1] / "test-artifacts" / "api-fuzz.txt"
_session_started = time.time()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """On the xdist controller too: the worker that ran the fuzz test wrote the file."""
    if _FUZZ_SUMMARY.exists() and _FUZZ_SUMMARY.stat().st_mtime >= _session_started:
        terminalreporter.section("API fuzz (schemathesis)")
        terminalreporter.write(_FUZZ_SUMMARY.read_text())
