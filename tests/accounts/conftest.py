"""Fixtures for the accounts tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from marketplace.celery import app as celery_app
from tests.accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def celery_eager() -> Iterator[None]:
    """Run Celery tasks in-process: the app read its config at import, so set it on the app."""
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, the source language; a request may have switched
    the thread's active language in an earlier test."""
    with translation.override("en"):
        yield


@pytest.fixture
def user(db: None):
    return UserFactory()


@pytest.fixture
def other_user(db: None):
    return UserFactory()


@pytest.fixture
def api(user) -> APIClient:
    """An API client signed in as `user`."""
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()
