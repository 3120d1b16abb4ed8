"""Elasticsearch only: the alias swap of a rebuild, indexing after commit, drift repair, and
search degraded (not failing) while the cluster is down."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from search import indexing, services
from search.documents import TASKS, alias_name
from search.query import TaskQuery
from tasks import services as task_services
from tasks.models import Task
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

ANON = AnonymousUser()


@pytest.fixture
def es(search_backend: str, es_client: Any) -> Any:
    return es_client


@pytest.fixture(params=["elasticsearch"])
def search_backend(request: pytest.FixtureRequest, settings: Any, db: Any, es_client: Any) -> str:
    from tests.search.conftest import _reset_elasticsearch

    settings.SEARCH_BACKEND = "elasticsearch"
    _reset_elasticsearch(es_client)
    return "elasticsearch"


def test_rebuild_swaps_the_alias_while_queries_keep_answering(
    es: Any, reindex: Callable[[], None]
) -> None:
    for n in range(30):
        TaskFactory(title=f"机器视觉项目 {n}")
    reindex()
    before = set(es.indices.get_alias(name=alias_name(TASKS)).body)
    failures: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def query() -> None:
        while not stop.is_set():
            try:
                totals.append(
                    services.search_tasks(user=ANON, query=TaskQuery(text="机器视觉")).total
                )
            except BaseException as error:
                failures.append(error)

    reader = threading.Thread(target=query)
    reader.start()
    try:
        for _ in range(3):
            report = indexing.rebuild(TASKS)
            assert report.documents == 30
    finally:
        stop.set()
        reader.join()
    after = set(es.indices.get_alias(name=alias_name(TASKS)).body)
    assert not failures
    assert totals
    assert set(totals) == {30}
    assert after.isdisjoint(before)
    assert len(after) == 1
    assert not es.indices.exists(index=sorted(before)[0])


def test_a_published_task_is_indexed_after_commit(
    es: Any, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    task = TaskFactory(title="新发布的机器视觉任务", status=Task.Status.DRAFT, published_at=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task_services.task_submit(actor=task_owner(task), task=task)
        es.indices.refresh(index=alias_name(TASKS))
        # Nothing is indexed inside the transaction.
        assert services.search_tasks(user=ANON, query=TaskQuery(text="机器视觉")).total == 0
    for callback in callbacks:
        callback()
    es.indices.refresh(index=alias_name(TASKS))
    hits = services.search_tasks(user=ANON, query=TaskQuery(text="机器视觉")).hits
    assert [h.id for h in hits] == [task.pk]
    with django_capture_on_commit_callbacks(execute=True):
        task_services.task_cancel(actor=task_owner(task), task=task, reason="不再需要")
    es.indices.refresh(index=alias_name(TASKS))
    assert services.search_tasks(user=ANON, query=TaskQuery(text="机器视觉")).total == 0


def test_drift_repair_rewrites_stale_and_missing_documents_and_deletes_extras(
    es: Any, reindex: Callable[[], None]
) -> None:
    kept, changed, missing = TaskFactory(), TaskFactory(), TaskFactory()
    reindex()
    Task.objects.filter(pk=changed.pk).update(title="改过的标题")
    es.delete(index=alias_name(TASKS), id=str(missing.pk), refresh=True)
    es.index(index=alias_name(TASKS), id="999999", document={"title": "幽灵"}, refresh=True)
    reports = {r.backend: r for r in indexing.repair_drift(TASKS)}
    assert (reports["elasticsearch"].reindexed, reports["elasticsearch"].deleted) == (2, 1)
    assert (reports["database"].reindexed, reports["database"].deleted) == (1, 0)
    es.indices.refresh(index=alias_name(TASKS))
    ids = {h.id for h in services.search_tasks(user=ANON, query=TaskQuery()).hits}
    assert ids == {kept.pk, changed.pk, missing.pk}
    assert es.get(index=alias_name(TASKS), id=str(changed.pk))["_source"]["title"] == "改过的标题"
    again = {r.backend: r for r in indexing.repair_drift(TASKS)}
    assert (again["elasticsearch"].reindexed, again["elasticsearch"].deleted) == (0, 0)


def test_with_elasticsearch_down_posting_goes_on_and_search_says_it_is_degraded(
    es: Any, reindex: Callable[[], None], settings: Any, celery_eager: None, client: Any
) -> None:
    TaskFactory(title="机器视觉：已有任务")
    reindex()
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    draft = TaskFactory(title="停机时发布", status=Task.Status.DRAFT, published_at=None)
    task_services.task_submit(actor=task_owner(draft), task=draft)  # does not fail
    draft.refresh_from_db()
    assert draft.status == Task.Status.OPEN
    results = services.search_tasks(user=ANON, query=TaskQuery(text="机器视觉"))
    assert results.degraded
    assert [h.doc["title"] for h in results.hits] == ["机器视觉：已有任务"]
    page = client.get("/search/?q=机器视觉")
    assert page.status_code == 200
    assert b"data-search-degraded" in page.content
    # When the cluster is back, drift repair catches up with what it missed.
    settings.ELASTICSEARCH_URL = es.transport.node_pool.get().base_url
    indexing.repair_drift(TASKS)
    es.indices.refresh(index=alias_name(TASKS))
    results = services.search_tasks(user=ANON, query=TaskQuery(text="停机时发布"))
    assert not results.degraded
    assert [h.id for h in results.hits] == [draft.pk]
