"""Keeping the indices equal to PostgreSQL: index after commit, rebuild, repair drift.

- `index_objects(kind, ids)` re-reads the objects from PostgreSQL and writes their current
  documents (bulk), deleting those no longer searchable. It is idempotent: running it twice,
  late, or out of order writes the current state again. The database backend's copy is always
  written; Elasticsearch's when it is configured (and if it is down, the Celery task retries and
  drift repair catches up later).
- `rebuild(kind)` fills a new versioned index with bulk requests, then moves the alias to it in
  one atomic `_aliases` call (queries never see a missing or half-filled index), re-indexes what
  changed while it ran, and deletes the old versions.
- `repair_drift(kind)` compares every document's digest with the one PostgreSQL gives now.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from search import sources
from search.backends import SearchUnavailable, backend
from search.backends.database import DatabaseBackend
from search.documents import KINDS, PROVIDERS, TASKS, alias_name, index_body

logger = logging.getLogger(__name__)


def _elastic() -> Any:
    if not settings.ELASTICSEARCH_URL:
        return None
    from search.backends.elastic import ElasticBackend

    return ElasticBackend()


def ensure_index(kind: str) -> str:
    """The alias of `kind`, creating a first versioned index behind it if there is none."""
    from search.es import es_client

    client = es_client()
    alias = alias_name(kind)
    if client is None:
        return alias
    if client.indices.exists_alias(name=alias):
        return alias
    name = f"{alias}-v{time.time_ns()}"
    body = index_body(kind)
    client.indices.create(
        index=name, settings=body["settings"], mappings=body["mappings"], aliases={alias: {}}
    )
    return alias


def index_objects(kind: str, ids: Iterable[int]) -> dict[str, int]:
    """Write the current documents of these objects; remove the ones no longer searchable."""
    ids = sorted(set(ids))
    docs = list(sources.documents(kind, ids))
    gone = sorted(set(ids) - {d["id"] for d in docs})
    database = DatabaseBackend()
    database.index(kind, docs)
    database.delete(kind, gone)
    elastic = _elastic()
    if elastic is not None:
        ensure_index(kind)
        elastic.index(kind, docs)
        if gone:
            elastic.delete(kind, gone)
    return {"indexed": len(docs), "deleted": len(gone)}


@dataclass
class RebuildReport:
    kind: str
    index: str
    documents: int
    seconds: float
    caught_up: int
    removed_indices: list[str]

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def rebuild(kind: str, *, keep_old: bool = False) -> RebuildReport:
    """Rebuild `kind` from PostgreSQL into a new index version and swap the alias to it."""
    from search.es import es_client

    started = timezone.now()
    clock = time.perf_counter()
    client = es_client()
    database = DatabaseBackend()
    if client is None:
        docs = list(sources.documents(kind))
        database.index(kind, docs)
        database.delete(kind, set(database.digests(kind)) - {d["id"] for d in docs})
        return RebuildReport(kind, "database", len(docs), time.perf_counter() - clock, 0, [])
    alias = alias_name(kind)
    name = f"{alias}-v{time.time_ns()}"
    body = index_body(kind)
    # No refreshes and no replicas while filling; the defaults come back before the swap.
    body["settings"] = {**body["settings"], "refresh_interval": "-1"}
    client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    from search.backends.elastic import ElasticBackend

    count = ElasticBackend().index(kind, sources.documents(kind), index=name)
    client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "1s"}})
    client.indices.refresh(index=name)
    old = (
        list(client.indices.get_alias(name=alias, ignore_unavailable=True).body)
        if (client.indices.exists_alias(name=alias))
        else []
    )
    actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": alias}} for o in old]
    actions.append({"add": {"index": name, "alias": alias}})
    client.indices.update_aliases(actions=actions)
    seconds = time.perf_counter() - clock
    # What changed while the new index filled went to the old one: write it again.
    caught_up = catch_up(kind, since=started)
    if not keep_old:
        for index in old:
            client.indices.delete(index=index, ignore_unavailable=True)
    return RebuildReport(kind, name, count, seconds, caught_up, [] if keep_old else old)


def catch_up(kind: str, *, since: Any) -> int:
    """Re-index the objects of `kind` changed since `since` (after a rebuild's swap)."""
    if kind == TASKS:
        from tasks.selectors import tasks_for_indexing

        ids = list(tasks_for_indexing().filter(updated_at__gte=since).values_list("pk", flat=True))
    else:
        from accounts.selectors import provider_profiles_for_indexing

        ids = list(
            provider_profiles_for_indexing()
            .filter(updated_at__gte=since)
            .values_list("pk", flat=True)
        )
    if ids:
        index_objects(kind, ids)
    return len(ids)


@dataclass
class DriftReport:
    kind: str
    backend: str
    checked: int
    reindexed: int
    deleted: int


def repair_drift(kind: str) -> list[DriftReport]:
    """Make each backend's copy of `kind` equal to PostgreSQL: write what is missing or stale,
    delete what should not be there. Safe to run at any time, twice, or concurrently."""
    current = {d["id"]: d for d in sources.documents(kind)}
    reports = []
    targets: list[Any] = [DatabaseBackend()]
    elastic = _elastic()
    if elastic is not None:
        ensure_index(kind)
        targets.append(elastic)
    for target in targets:
        stored = target.digests(kind)
        stale = [d for i, d in current.items() if stored.get(i) != d["digest"]]
        extra = sorted(set(stored) - set(current))
        if stale:
            target.index(kind, stale)
        if extra:
            target.delete(kind, extra)
        reports.append(DriftReport(kind, target.name, len(current), len(stale), len(extra)))
    return reports


def repair_all() -> list[DriftReport]:
    reports: list[DriftReport] = []
    for kind in KINDS:
        try:
            reports.extend(repair_drift(kind))
        except SearchUnavailable as error:
            logger.warning("search drift repair of %s: Elasticsearch unavailable (%s)", kind, error)
    return reports


__all__ = ["PROVIDERS", "TASKS", "backend", "index_objects", "rebuild", "repair_drift"]
