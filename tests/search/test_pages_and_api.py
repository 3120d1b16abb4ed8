"""The search pages and API: what they show, bad input, and who may see what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from search.models import SavedSearch
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def search_backend(settings: Any, db: Any) -> str:
    """The pages and the API are the same whichever backend answers: the database one here."""
    from search import text

    settings.SEARCH_BACKEND = "database"
    settings.ELASTICSEARCH_URL = ""
    text.lexicon_reset()
    return "database"


@pytest.fixture
def backend(search_backend: str) -> str:
    return search_backend


def test_search_page_highlights_and_links_facets(
    backend: str, reindex: Callable, client: Any
) -> None:
    task = TaskFactory(title="冲压件机器视觉检测", skills={"machine-vision": 5})
    reindex()
    page = client.get("/search/", {"q": "machine vision"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-task="{task.pk}"' in body
    assert "<mark>机器视觉</mark>" in body
    assert "?q=machine+vision&amp;skills=machine-vision" in body


def test_directory_page_lists_providers(backend: str, reindex: Callable, client: Any) -> None:
    profile = ProviderProfileFactory(user=UserFactory(name="王工"), skills={"machine-vision": 4})
    reindex()
    page = client.get("/providers/", {"skills": "machine-vision"})
    assert page.status_code == 200
    assert f'data-provider="{profile.pk}"' in page.content.decode()


def test_matches_page_is_a_404_to_anyone_but_the_posters_members(
    backend: str, reindex: Callable, client: Any
) -> None:
    task = TaskFactory()
    ProviderProfileFactory(skills={"machine-vision": 4})
    reindex()
    client.force_login(UserFactory())
    assert client.get(f"/tasks/{task.pk}/matches/").status_code == 404
    client.force_login(task_owner(task))
    page = client.get(f"/tasks/{task.pk}/matches/")
    assert page.status_code == 200
    assert b"data-explanation" in page.content


def test_search_api_refuses_bad_input(backend: str, client: Any) -> None:
    response = client.get("/api/v1/search/tasks/", {"budget_min": "x", "kinds": "nonsense"})
    assert response.status_code == 400
    assert "budget_min" in response.json()["error"]["fields"]


def test_search_api_answers_with_facets(backend: str, reindex: Callable, client: Any) -> None:
    TaskFactory(title="机器视觉", skills={"machine-vision": 5})
    reindex()
    data = client.get("/api/v1/search/tasks/", {"q": "机器视觉", "skills": "machine-vision"}).json()
    assert data["count"] == 1
    assert data["degraded"] is False
    assert {"key": "machine-vision", "count": 1} in data["facets"]["skills"]


def test_skill_autocomplete_finds_either_language(backend: str, client: Any) -> None:
    slugs = [
        s["slug"] for s in client.get("/api/v1/search/skills/", {"q": "机器"}).json()["results"]
    ]
    assert "machine-vision" in slugs
    slugs = [
        s["slug"]
        for s in client.get("/api/v1/search/skills/", {"q": "machine v"}).json()["results"]
    ]
    assert slugs == ["machine-vision"]
    assert client.get("/api/v1/search/skills/").status_code == 400


def test_recommended_providers_api_is_for_members_only(
    backend: str, reindex: Callable, client: Any
) -> None:
    task = TaskFactory()
    ProviderProfileFactory(skills={"machine-vision": 4})
    reindex()
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/tasks/{task.pk}/recommended-providers/").status_code == 403
    client.force_login(task_owner(task))
    data = client.get(f"/api/v1/tasks/{task.pk}/recommended-providers/").json()
    assert data["results"][0]["explanation"]["matched_skills"][0]["skill"] == "machine-vision"


def test_saved_searches_belong_to_their_owner(backend: str, client: Any) -> None:
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    created = client.post(
        "/api/v1/me/saved-searches/",
        {"name": "视觉", "query": {"q": "机器视觉"}},
        content_type="application/json",
    )
    assert created.status_code == 201
    again = client.post(
        "/api/v1/me/saved-searches/",
        {"name": "视觉", "query": {"q": "机器视觉"}},
        content_type="application/json",
    )
    assert again.status_code == 409
    empty = client.post(
        "/api/v1/me/saved-searches/", {"name": "空", "query": {}}, content_type="application/json"
    )
    assert empty.status_code == 400
    saved_id = created.json()["id"]
    client.force_login(other)
    assert client.delete(f"/api/v1/me/saved-searches/{saved_id}/").status_code == 404
    assert SavedSearch.objects.filter(pk=saved_id).exists()
    client.force_login(owner)
    assert client.delete(f"/api/v1/me/saved-searches/{saved_id}/").status_code == 204


def test_a_new_matching_task_notifies_saved_searches_and_good_matches(
    backend: str, reindex: Callable, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    from accounts.models import Notification
    from search import services
    from search.query import TaskQuery
    from tasks import services as task_services
    from tasks.models import Task

    provider = ProviderProfileFactory(skills={"machine-vision": 4, "embedded-development": 3})
    watcher = UserFactory()
    services.saved_search_create(user=watcher, name="视觉", query=TaskQuery(text="machine vision"))
    services.saved_search_create(user=watcher, name="专利", query=TaskQuery(text="专利撰写"))
    task = TaskFactory(status=Task.Status.DRAFT, published_at=None)
    reindex()
    for _ in range(2):  # a repeated delivery notifies nobody twice
        with django_capture_on_commit_callbacks(execute=True):
            task_services.task_submit(actor=task_owner(task), task=task) if (
                task.status == Task.Status.DRAFT
            ) else services.task_opened_alerts(task_ids=[task.pk])
        task.refresh_from_db()
    kinds = sorted(Notification.objects.filter(recipient=watcher).values_list("kind", flat=True))
    assert kinds == ["search_saved_match"]
    assert (
        Notification.objects.filter(recipient=provider.user, kind="search_good_match").count() == 1
    )
