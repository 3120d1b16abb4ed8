"""A provider profile a moderator hides leaves the directory and matching on both backends: the
change event re-indexes it away (the index drops it); shown again, it comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse

from accounts.services import provider_profile_hide, provider_profile_show
from search import services
from search.documents import KINDS, alias_name
from search.query import ProviderQuery
from tasks.apps import MODERATOR_GROUP
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


def _refresh(search_backend: str) -> None:
    if search_backend == "elasticsearch":
        from search.es import es_client

        client = es_client()
        assert client is not None
        for kind in KINDS:
            client.indices.refresh(index=alias_name(kind))


def directory_names() -> list[str]:
    results = services.search_providers(user=AnonymousUser(), query=ProviderQuery())
    assert not results.degraded
    return sorted(hit.doc["name"] for hit in results.hits)


def test_a_hidden_profile_leaves_the_directory_and_matching_through_the_index(
    search_backend: str,
    reindex: Callable[[], None],
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    task = TaskFactory(skills={"machine-vision": 5})
    ProviderProfileFactory(user=UserFactory(name="守规"), skills={"machine-vision": 4})
    hidden = ProviderProfileFactory(user=UserFactory(name="违规"), skills={"machine-vision": 4})
    reindex()
    assert directory_names() == ["守规", "违规"]
    moderator = UserFactory(staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATOR_GROUP))

    with django_capture_on_commit_callbacks(execute=True):
        provider_profile_hide(moderator=moderator, profile=hidden, reason="虚假宣传")
    _refresh(search_backend)
    assert directory_names() == ["守规"]
    hits, _degraded = services.recommended_providers(user=task_owner(task), task=task)
    assert [h.doc["name"] for h in hits] == ["守规"]
    page = html(signed_in(UserFactory()).get(reverse("frontend:provider_directory")))
    assert reverse("frontend:provider_detail", args=[hidden.pk]) not in page

    with django_capture_on_commit_callbacks(execute=True):
        provider_profile_show(moderator=moderator, profile=hidden)
    _refresh(search_backend)
    assert directory_names() == ["守规", "违规"]
