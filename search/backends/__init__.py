"""Two search backends behind one interface: Elasticsearch, and the embedded database backend.

`backend()` is Elasticsearch when ELASTICSEARCH_URL is set (SEARCH_BACKEND may force either),
the database otherwise. Both store the same documents (search.sources) and answer the same
queries (search.query) with the same rules; the behaviour tests run on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings

from search.query import Hit, ProviderQuery, Results, TaskQuery


class SearchUnavailable(Exception):
    """The backend did not answer (Elasticsearch down or timing out)."""


class Backend(Protocol):
    name: str

    def index(self, kind: str, docs: Iterable[dict[str, Any]]) -> int: ...

    def delete(self, kind: str, ids: Iterable[int]) -> int: ...

    def digests(self, kind: str) -> dict[int, str]: ...

    def search_tasks(self, query: TaskQuery, viewer: Any) -> Results: ...

    def search_providers(self, query: ProviderQuery, *, exclude: Iterable[int] = ()) -> Results: ...

    def match_providers(
        self, task: dict[str, Any], *, exclude: Iterable[int], limit: int, now: datetime
    ) -> list[Hit]: ...

    def match_tasks(
        self,
        provider: dict[str, Any],
        *,
        viewer: Any,
        exclude: Iterable[int],
        limit: int,
        now: datetime,
    ) -> list[Hit]: ...

    def get(self, kind: str, object_id: int) -> dict[str, Any] | None: ...


def backend_name() -> str:
    forced = getattr(settings, "SEARCH_BACKEND", "")
    if forced:
        return str(forced)
    return "elasticsearch" if settings.ELASTICSEARCH_URL else "database"


def backend(name: str | None = None) -> Backend:
    name = name or backend_name()
    if name == "elasticsearch":
        from search.backends.elastic import ElasticBackend

        return ElasticBackend()
    from search.backends.database import DatabaseBackend

    return DatabaseBackend()
