"""The home page's figures are the same for everyone: cached, and dropped when they change."""

from __future__ import annotations

from typing import Any

import pytest

from frontend.selectors import home_counts
from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db


def test_the_home_counts_come_from_the_cache_until_a_counted_row_changes(
    django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = home_counts()
    with django_assert_num_queries(0):
        assert home_counts() == first
    with django_capture_on_commit_callbacks(execute=True):
        OrganizationFactory(kind="enterprise")
    after_organization = home_counts()
    assert after_organization["counts"]["organizations"] == first["counts"]["organizations"] + 1
    assert after_organization["counts"]["posters"] == first["counts"]["posters"] + 1
    with django_capture_on_commit_callbacks(execute=True):
        profile = ProviderProfileFactory()
    assert home_counts()["counts"]["providers"] == first["counts"]["providers"] + 1
    with django_capture_on_commit_callbacks(execute=True):
        profile.delete()
    assert home_counts()["counts"]["providers"] == first["counts"]["providers"]


def test_the_home_page_shows_the_cached_counts(client: Any) -> None:
    home_counts()
    OrganizationFactory(kind="enterprise")  # drops the entry: the page reads afresh
    response = client.get("/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts == home_counts()["counts"]
