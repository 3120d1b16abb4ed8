from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def user(db: None):
    return UserFactory(name="李明", email="liming@example.com")


@pytest.fixture
def client_for():
    """A test client signed in as the given user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def owner_client(user, client_for) -> Client:
    return client_for(user)


@pytest.fixture
def org(user):
    return OrganizationFactory(name="重庆长江智能装备有限公司", slug="changjiang", owner=user)
