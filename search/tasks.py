"""Celery tasks of search: thin wrappers around search.indexing, each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from search import indexing, services
from search.backends import SearchUnavailable
from search.documents import PROVIDERS, TASKS


@shared_task(
    name="search.index_changed",
    autoretry_for=(SearchUnavailable,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=12,
)
def index_changed(kind: str, ids: list[int], fields: list[str] | None = None) -> dict[str, int]:
    """Safe twice, late or out of order: it writes the objects' current documents from
    PostgreSQL. While Elasticsearch is down it retries; drift repair catches up after that."""
    if kind == "organization":
        from tasks.selectors import task_ids_searchable

        return indexing.index_objects(TASKS, task_ids_searchable(organization_ids=ids))
    if kind == "task":
        report = indexing.index_objects(TASKS, ids)
        if "status" in (fields or ()):
            services.task_opened_alerts(task_ids=ids)
        return report
    if kind == "provider":
        return indexing.index_objects(PROVIDERS, ids)
    raise ValueError(f"unknown change kind {kind!r}")


@shared_task(name="search.repair_drift")
def repair_drift() -> list[dict[str, object]]:
    """Safe at any time: it compares digests and rewrites only what differs from PostgreSQL."""
    return [vars(report) for report in indexing.repair_all()]
