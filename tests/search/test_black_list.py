"""Search and matching leave out the credit black list (DESIGN §7), on both backends; an
entry's expiry applies at once, without a re-index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts import services as account_services
from accounts.models import CreditListEntry
from search import services
from search.query import ProviderQuery
from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory, UserFactory
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


def black_list(**party: Any) -> CreditListEntry:
    now = timezone.now()
    return account_services.credit_list_add(
        actor=UserFactory(staff=True, perms=["accounts.add_creditlistentry"]),
        kind="black", reason="r", evidence="e", **party,
        starts_at=now - dt.timedelta(hours=1), expires_at=now + dt.timedelta(days=30),
    )  # fmt: skip


def directory_names() -> list[str]:
    results = services.search_providers(user=AnonymousUser(), query=ProviderQuery())
    assert not results.degraded
    return sorted(hit.doc["name"] for hit in results.hits)


def test_the_directory_and_matching_leave_out_the_black_listed(reindex: Callable) -> None:
    task = TaskFactory(skills={"machine-vision": 5})
    ProviderProfileFactory(user=UserFactory(name="守信"), skills={"machine-vision": 4})
    banned = ProviderProfileFactory(user=UserFactory(name="失信"), skills={"machine-vision": 4})
    entry = black_list(user=banned.user)
    reindex()
    assert directory_names() == ["守信"]
    hits, _degraded = services.recommended_providers(user=task_owner(task), task=task)
    assert [h.doc["name"] for h in hits] == ["守信"]
    # The entry expires: back in the directory and in matching at once.
    CreditListEntry.objects.filter(pk=entry.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=9),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    assert directory_names() == ["失信", "守信"]
    hits, _degraded = services.recommended_providers(user=task_owner(task), task=task)
    assert sorted(h.doc["name"] for h in hits) == ["失信", "守信"]


def test_the_for_you_feed_leaves_out_tasks_of_black_listed_organizations(
    reindex: Callable,
) -> None:
    provider = ProviderProfileFactory(skills={"machine-vision": 4})
    banned = OrganizationFactory()
    TaskFactory(title="守信任务", skills={"machine-vision": 5})
    TaskFactory(title="失信任务", organization=banned, skills={"machine-vision": 5})
    black_list(organization=banned)
    reindex()
    hits, _degraded = services.tasks_for_provider(user=provider.user, profile=provider)
    assert [h.doc["title"] for h in hits] == ["守信任务"]
