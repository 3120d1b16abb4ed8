"""Shared fixtures. Service fixtures (PostgreSQL, Redis, Elasticsearch, stripe-mock) live in
tests/plugins/servers.py; factories live beside each app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

pytest_plugins = ["tests.plugins.servers"]


@pytest.fixture(autouse=True)
def _isolated_media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Rate-limit counters and cached values must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()
