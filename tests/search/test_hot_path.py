"""The hot search paths within their budgets of SQL statements and Redis commands, on both
backends, and what their hits carry: only the fields they show (HIT_FIELDS), the same on both.

Requests go through the real stack, as in tests/test_hot_path_budgets.py: token authentication
for the API, a signed-in session for the pages, Redis for the throttles, PostgreSQL, and the
backend under test (Elasticsearch, or the database one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from frontend.views.search import BUDGETS as PAGES
from search.api.views import BUDGETS as API_BUDGETS
from search.api.views import PROVIDER_FIELDS, TASK_FIELDS
from search.query import PROVIDER_DIRECTORY_FIELDS, PROVIDER_HIT_FIELDS, TASK_HIT_FIELDS
from tests.accounts.factories import ProviderProfileFactory
from tests.tasks.factories import TaskFactory, task_owner
from tests.test_hot_path_budgets import RedisCommands, redis_commands, warm_broker, within

pytestmark = pytest.mark.django_db
__all__ = ["RedisCommands", "redis_commands", "warm_broker", "within"]  # the fixtures, shared


def api_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def market(reindex: Callable[[], None]) -> dict[str, Any]:
    """A task with weighted skills, providers who fit it (one with a long bio), a bid."""
    task = TaskFactory(
        title="机器视觉检测与嵌入式控制",
        description="产线上的冲压件缺陷检测。" * 40,
        skills={"machine-vision": 5, "embedded-development": 3, "plc-programming": 2},
    )
    others = [TaskFactory(title=f"机器视觉项目{n}", skills={"machine-vision": 4}) for n in range(3)]
    providers = [
        ProviderProfileFactory(skills={"machine-vision": 4, "plc-programming": 2}),
        ProviderProfileFactory(skills={"embedded-development": 3}, bio="十年嵌入式经验。" * 60),
        ProviderProfileFactory(skills={"machine-vision": 2}),
    ]
    from tests.bids.factories import BidFactory

    BidFactory(task=others[0], provider=providers[0])
    reindex()
    return {"task": task, "providers": providers, "owner": task_owner(task)}


def test_the_hit_fields_cover_what_the_api_shows() -> None:
    """The API's hit fields are a part of what a hit carries (a missing one would be null)."""
    assert set(TASK_FIELDS) <= set(TASK_HIT_FIELDS)
    assert set(PROVIDER_FIELDS) <= set(PROVIDER_HIT_FIELDS) <= set(PROVIDER_DIRECTORY_FIELDS)
    assert "bio" not in PROVIDER_HIT_FIELDS  # matching shows no bio
    for heavy in ("title_words", "description", "description_words", "skill_text", "digest"):
        assert heavy not in TASK_HIT_FIELDS


def test_hits_carry_only_their_fields_on_both_backends(
    search_backend: str, market: dict[str, Any]
) -> None:
    """Search, the directory and matching both ways return the same trimmed documents,
    whichever backend answers (Elasticsearch filters `_source`, the database trims)."""
    from search import services
    from search.query import ProviderQuery, TaskQuery

    owner, provider = market["owner"], market["providers"][0]
    tasks = services.search_tasks(user=provider.user, query=TaskQuery(text="机器视觉"))
    assert tasks.hits
    for hit in tasks.hits:
        assert set(hit.doc) == set(TASK_HIT_FIELDS), hit.doc.keys()
    directory = services.search_providers(
        user=owner, query=ProviderQuery(skills=("embedded-development",))
    )
    assert [set(h.doc) for h in directory.hits] == [set(PROVIDER_DIRECTORY_FIELDS)]
    assert directory.hits[0].doc["bio"].startswith("十年嵌入式经验")
    matched, degraded = services.recommended_providers(user=owner, task=market["task"])
    assert not degraded
    assert len(matched) == 3
    for hit in matched:
        assert set(hit.doc) == set(PROVIDER_HIT_FIELDS)
        assert hit.explanation is not None
        assert hit.explanation.matched
    feed, _degraded = services.tasks_for_provider(user=provider.user, profile=provider)
    assert feed
    for hit in feed:
        assert set(hit.doc) == set(TASK_HIT_FIELDS)


def test_the_task_match_profile_is_one_query(
    search_backend: str, market: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """Matching reads the task's weighted skills, organization and province in one query,
    not its whole search document (its texts segmented, its invitations)."""
    from search import sources

    task = market["task"]
    with django_assert_num_queries(1):
        profile = sources.task_match_profile(task_id=task.pk)
    assert profile == {
        "id": task.pk,
        "organization_id": task.organization_id,
        "province": f"{task.region[:2]}0000" if task.region else "",
        "skill_weights": [
            {"skill": "machine-vision", "weight": 5},
            {"skill": "embedded-development", "weight": 3},
            {"skill": "plc-programming", "weight": 2},
        ],
    }
    # What the ranking reads of it is what it reads of the whole document.
    (document,) = sources.documents("tasks", [task.pk])
    assert {k: document[k] for k in profile} == profile
    task.status = "closed"
    task.save(update_fields=["status"])
    assert sources.task_match_profile(task_id=task.pk) is None


def test_the_provider_match_profile_is_one_query(
    search_backend: str, market: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """The "for you" feed reads the profile's skill levels, firm and province in one query,
    not its statistics (a query per signal) and its segmented texts."""
    from search import sources

    provider = market["providers"][0]
    with django_assert_num_queries(1):
        profile = sources.provider_match_profile(profile_id=provider.pk)
    assert profile is not None
    assert [sl["skill"] for sl in profile["skill_levels"]] == ["machine-vision", "plc-programming"]
    (document,) = sources.documents("providers", [provider.pk])
    assert {k: document[k] for k in profile} == profile
    provider.hidden_at = provider.updated_at
    provider.save(update_fields=["hidden_at"])
    assert sources.provider_match_profile(profile_id=provider.pk) is None


@pytest.mark.parametrize("name", ["search", "matching"])
def test_the_search_api_stays_within_budget(
    search_backend: str, market: dict[str, Any], within: Any, name: str
) -> None:
    owner, provider = market["owner"], market["providers"][0]
    words = {"q": "机器视觉", "skills": "machine-vision"}
    user, path, params = {
        "search": (provider.user, "/api/v1/search/tasks/", words),
        "matching": (owner, f"/api/v1/tasks/{market['task'].pk}/recommended-providers/", None),
    }[name]
    client = api_client(user)
    assert client.get(path, params).status_code == 200  # the taxonomy, the first connection
    with within(API_BUDGETS[name]):
        response = client.get(path, params)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["results"]


@pytest.mark.parametrize("name", ["search", "directory", "matches"])
def test_the_search_pages_stay_within_budget(
    search_backend: str, market: dict[str, Any], within: Any, name: str
) -> None:
    owner, provider = market["owner"], market["providers"][0]
    user, path = {
        "search": (provider.user, "/search/?q=机器视觉&skills=machine-vision"),
        "directory": (owner, "/providers/?skills=machine-vision"),
        "matches": (owner, f"/tasks/{market['task'].pk}/matches/"),
    }[name]
    client = Client()
    client.force_login(user)
    assert client.get(path).status_code == 200
    with within(PAGES[name]):
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    assert (
        b"data-provider=" in response.content
        or b"data-task=" in response.content
        or (b"data-match=" in response.content)
    )


def test_searches_share_one_pooled_connection_to_elasticsearch(
    search_backend: str, market: dict[str, Any]
) -> None:
    """Through WSGI and ASGI (a sync view in asgiref's thread), every search reuses the
    process's client and its keep-alive connection: none opens a new one."""
    if search_backend != "elasticsearch":
        return  # the database backend opens no connection of its own
    from search.es import es_client

    client = es_client()
    assert client is not None
    (node,) = client.transport.node_pool.all()
    path, params = "/api/v1/search/tasks/", {"q": "机器视觉"}
    http = api_client(market["providers"][0].user)
    assert http.get(path, params).status_code == 200
    opened = node.pool.num_connections
    for _ in range(3):
        assert http.get(path, params).status_code == 200
    asgi = AsyncClient()
    for _ in range(3):
        assert async_to_sync(asgi.get)(path, params).status_code == 200
    assert es_client() is client
    assert node.pool.num_connections == opened, "a search opened a new connection"
