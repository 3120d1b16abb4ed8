# ruff: noqa: E501 (the tables of figures are printed from long format strings)
"""Search under load: bulk indexing, then matching and search latency, as Elasticsearch's `took`
and end to end through the API, in the same run.

1. Generates 100,000 open tasks and 50,000 providers as index documents (jieba words, skills of
   the real taxonomy) and bulk-indexes them into fresh indices under a throw-away prefix, as the
   rebuild command does (no refresh while filling): documents per second of the bulk alone.
2. Creates one poster, one task and one provider in PostgreSQL (inside a transaction rolled back
   at the end) and asks the API, in process through Django's full request stack (middleware,
   session auth, DRF, serializers): GET /api/v1/tasks/{id}/recommended-providers/ (matching over
   the 50,000 providers) and GET /api/v1/search/tasks/ (words and a skill filter over 100,000
   tasks). Each request's own Elasticsearch `took` is recorded beside its wall time.

    eval "$(scripts/test-servers env)"; .venv/bin/python bench/search_load.py

`--keep PREFIX` fills the indices under PREFIX once and keeps them: a rerun with the same PREFIX
skips generating and indexing and measures only the requests (run "before" and "after" checkouts
against the same indices, back to back). `--drop PREFIX` deletes them. `--profile` adds where
the time of a request goes (SQL statements and their time, the Elasticsearch call beside its
`took`, the rest of the stack) and the functions cProfile finds costliest over a further pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

WORDS_ZH = ["检测", "优化", "平台", "系统", "方案", "设计", "研发", "验证", "改造", "算法", "数据"]
KINDS = ["rd_solution", "product_design", "research_problem", "engineering", "consulting"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def task_docs(n: int, rng: random.Random) -> list[dict[str, Any]]:
    from search import text

    lexicon = text.lexicon()
    slugs = list(lexicon.skills)
    now = dt.datetime.now(dt.UTC)
    docs = []
    for i in range(n):
        picked = rng.sample(slugs, 3)
        names = [lexicon.skills[s].name_zh for s in picked]
        title = f"{names[0]}{rng.choice(WORDS_ZH)}项目 {i}"
        summary = f"需要{names[1]}与{names[2]}方面的{rng.choice(WORDS_ZH)}服务。"
        low = rng.randint(1, 50) * 1_000_00
        docs.append(
            {
                "id": 10_000_000 + i,
                "title": title,
                "title_words": text.segmented(title),
                "summary": summary,
                "summary_words": text.segmented(summary),
                "description": "",
                "description_words": "",
                "skill_text": text.skill_names(picked),
                "skill_words": text.segmented(text.skill_names(picked)),
                "organization_name": f"Org {i % 500}",
                "organization_words": f"org {i % 500}",
                "kind": rng.choice(KINDS),
                "status": "open",
                "visibility": "public",
                "skills": picked,
                "skills_mentioned": [],
                "categories": sorted({lexicon.skills[s].category for s in picked}),
                "skill_weights": [
                    {"skill": s, "weight": w} for s, w in zip(picked, (5, 3, 2), strict=True)
                ],
                "budget_min": low,
                "budget_max": low * 2,
                "currency": "CNY",
                "region": "500103",
                "province": "500000",
                "organization_id": 10_000_000 + i % 500,
                "organization_verified": rng.random() < 0.5,
                "invited_provider_ids": [],
                "bid_deadline": (now + dt.timedelta(days=rng.randint(1, 30))).isoformat(),
                "delivery_deadline": (now + dt.timedelta(days=90)).date().isoformat(),
                "published_at": (now - dt.timedelta(days=rng.randint(0, 30))).isoformat(),
                "digest": "",
            }
        )
    return docs


def provider_docs(n: int, rng: random.Random) -> list[dict[str, Any]]:
    from search import text

    lexicon = text.lexicon()
    slugs = list(lexicon.skills)
    docs = []
    for i in range(n):
        picked = rng.sample(slugs, rng.randint(2, 6))
        headline = "、".join(lexicon.skills[s].name_zh for s in picked[:2]) + "工程师"
        docs.append(
            {
                "id": 20_000_000 + i,
                "name": f"服务商{i}",
                "name_words": f"服务商 {i}",
                "headline": headline,
                "headline_words": text.segmented(headline),
                "bio": "",
                "bio_words": "",
                "skill_text": text.skill_names(picked),
                "skill_words": text.segmented(text.skill_names(picked)),
                "skills": picked,
                "skills_mentioned": [],
                "categories": sorted({lexicon.skills[s].category for s in picked}),
                "skill_levels": [{"skill": s, "level": rng.randint(1, 4)} for s in picked],
                "region": "500103",
                "province": "500000",
                "availability": rng.choice(["available", "available", "limited", "unavailable"]),
                "verified": rng.random() < 0.5,
                "is_firm": False,
                "organization_id": None,
                "day_rate": 100000,
                "rating": round(rng.uniform(3, 5), 2),
                "reviews": rng.randint(0, 50),
                "completion_rate": rng.randint(50, 100),
                "on_time_rate": rng.randint(50, 100),
                "credit": rng.randint(40, 98),
                "contracts_completed": rng.randint(0, 40),
                "updated_at": "2026-11-20T00:00:00+00:00",
                "digest": "",
            }
        )
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--providers", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--keep", metavar="PREFIX", help="index under PREFIX once, keep it, reuse it on reruns"
    )
    parser.add_argument("--drop", metavar="PREFIX", help="delete the indices kept under PREFIX")
    parser.add_argument(
        "--profile", action="store_true", help="where a request's time goes (SQL, ES, the rest)"
    )
    args = parser.parse_args()
    import django
    from django.conf import settings

    prefix = args.keep or args.drop or f"bench-load-{os.getpid()}"
    if not prefix.startswith("bench-"):
        sys.exit("a kept PREFIX starts with bench- (it names throw-away indices)")
    django.setup()
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix
    settings.SEARCH_BACKEND = "elasticsearch"
    from search.backends import elastic
    from search.documents import PROVIDERS, TASKS, alias_name
    from search.es import es_client

    client = es_client()
    if client is None:
        sys.exit('ELASTICSEARCH_URL is not set: eval "$(scripts/test-servers env)" first')
    if args.drop:
        drop(client, prefix)
        return
    rng = random.Random(7)
    backend = elastic.ElasticBackend()
    kept = bool(args.keep) and all(
        client.indices.exists_alias(name=alias_name(kind)) for kind in (TASKS, PROVIDERS)
    )
    try:
        if kept:
            counts = {k: client.count(index=alias_name(k))["count"] for k in (TASKS, PROVIDERS)}
            print(f"reusing the indices kept under {prefix}: {counts}")
        else:
            fill(client, backend, prefix, args, rng)
        results, pieces = measure(client, backend, args, rng)
        print(
            f"\n{'':<10} {'took p50':>9} {'took p95':>9} {'e2e p50':>9} {'e2e p95':>9} {'p95 ratio':>10}  (ms, {args.requests} requests)"
        )
        for label, (walls, tooks) in results.items():
            t50, t95 = statistics.median(tooks), pct(tooks, 0.95)
            e50, e95 = statistics.median(walls), pct(walls, 0.95)
            print(
                f"{label:<10} {t50:>9.1f} {t95:>9.1f} {e50:>9.1f} {e95:>9.1f} {e95 / max(t95, 1):>9.2f}x"
            )
        if args.profile:
            print_pieces(pieces)
            profile_pass(client, backend, args, rng)
    finally:
        if not args.keep:
            drop(client, prefix)


def drop(client: Any, prefix: str) -> None:
    for name in list(client.indices.get(index=f"{prefix}-*").body):
        client.indices.delete(index=name)


def fill(client: Any, backend: Any, prefix: str, args: Any, rng: random.Random) -> None:
    from search.documents import PROVIDERS, TASKS, alias_name, index_body

    clock = time.perf_counter()
    tasks, providers = task_docs(args.tasks, rng), provider_docs(args.providers, rng)
    print(
        f"generated {len(tasks)} tasks and {len(providers)} providers in {time.perf_counter() - clock:.1f}s (jieba words included)"
    )
    for kind, docs in ((TASKS, tasks), (PROVIDERS, providers)):
        body = index_body(kind)
        name = f"{alias_name(kind)}-v1"
        client.indices.create(
            index=name,
            settings={**body["settings"], "refresh_interval": "-1"},
            mappings=body["mappings"],
            aliases={alias_name(kind): {}},
        )
        clock = time.perf_counter()
        count = backend.index(kind, docs, index=name)
        client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "1s"}})
        client.indices.refresh(index=name)
        seconds = time.perf_counter() - clock
        print(f"bulk {kind}: {count} docs in {seconds:.1f}s = {count / seconds:,.0f} docs/s")
    del tasks, providers
    client.options(request_timeout=600).indices.forcemerge(index=f"{prefix}-*", max_num_segments=1)


class Pieces:
    """Per request: SQL statements and their time, the Elasticsearch call's wall time."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, float]]] = {}
        self.statements: dict[str, list[str]] = {}
        self.current: dict[str, float] = {}
        self.sql: list[str] = []
        self.start()

    def start(self) -> None:
        self.current = {"sql": 0.0, "sql_ms": 0.0, "es_ms": 0.0, "took": 0.0}
        self.sql = []

    def sql_wrapper(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.current["sql"] += 1
            self.current["sql_ms"] += (time.perf_counter() - start) * 1000
            self.sql.append(sql)

    def finish(self, label: str, wall: float, keep: bool) -> None:
        if keep:
            self.rows.setdefault(label, []).append({**self.current, "wall": wall})
            self.statements[label] = list(self.sql)


SEARCH_WORDS = ["机器视觉", "检测 方案", "machine vision", "数据 平台", "PLC"]
SEARCH_SKILLS = ["machine-vision", "big-data", "pcb-design"]


def requests_of(task_id: int) -> list[tuple[str, str, bool]]:
    return [
        ("matching", f"/api/v1/tasks/{task_id}/recommended-providers/", False),
        ("search", "/api/v1/search/tasks/", True),
    ]


def setting_up(client: Any, backend: Any) -> Any:
    from search import sources
    from search.documents import TASKS, alias_name
    from tests.accounts.factories import ProviderProfileFactory
    from tests.tasks.factories import TaskFactory

    task = TaskFactory(
        title="机器视觉检测与嵌入式控制",
        skills={"machine-vision": 5, "embedded-development": 3, "plc-programming": 2},
    )
    backend.index(TASKS, list(sources.documents(TASKS, [task.pk])))
    client.indices.refresh(index=alias_name(TASKS))
    provider = ProviderProfileFactory(skills={"machine-vision": 4})
    return task, provider


def measure(client: Any, backend: Any, args: Any, rng: random.Random) -> tuple[Any, Pieces]:
    from django.db import connection, transaction
    from django.test import Client

    from search.backends import elastic
    from tests.tasks.factories import task_owner

    took: list[int] = []
    pieces = Pieces()
    original = elastic.ElasticBackend._search

    def recording(self: Any, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        start = time.perf_counter()
        response = original(self, kind, body)
        pieces.current["es_ms"] += (time.perf_counter() - start) * 1000
        pieces.current["took"] += int(response.get("took", 0))
        took.append(int(response.get("took", 0)))
        return response

    elastic.ElasticBackend._search = recording  # type: ignore[method-assign]
    results = {}
    try:
        with transaction.atomic(), connection.execute_wrapper(pieces.sql_wrapper):
            task, provider = setting_up(client, backend)
            http = Client(HTTP_HOST="127.0.0.1")
            for label, path, params in requests_of(task.pk):
                http.force_login(provider.user if params else task_owner(task))
                walls: list[float] = []
                took.clear()
                for i in range(args.requests + 10):
                    query = (
                        {"q": rng.choice(SEARCH_WORDS), "skills": rng.choice(SEARCH_SKILLS)}
                        if params
                        else None
                    )
                    pieces.start()
                    start = time.perf_counter()
                    response = http.get(path, query)
                    wall = (time.perf_counter() - start) * 1000
                    assert response.status_code == 200, response.content[:300]
                    pieces.finish(label, wall, keep=i >= 10)
                    if i >= 10:  # warm-up
                        walls.append(wall)
                results[label] = (walls, list(took[10:]))
            transaction.set_rollback(True)
    finally:
        elastic.ElasticBackend._search = original  # type: ignore[method-assign]
    return results, pieces


def print_pieces(pieces: Pieces) -> None:
    print(
        f"\n{'medians':<10} {'e2e':>7} {'ES call':>8} {'took':>6} {'ES-took':>8} {'SQL n':>6} {'SQL ms':>7} {'rest':>7}  (ms; rest = e2e - ES call - SQL)"
    )
    for label, rows in pieces.rows.items():

        def med(key: str, rows: list[dict[str, float]] = rows) -> float:
            return statistics.median(r[key] for r in rows)

        rest = statistics.median(r["wall"] - r["es_ms"] - r["sql_ms"] for r in rows)
        http = statistics.median(r["es_ms"] - r["took"] for r in rows)
        print(
            f"{label:<10} {med('wall'):>7.1f} {med('es_ms'):>8.1f} {med('took'):>6.1f} {http:>8.1f} {med('sql'):>6.0f} {med('sql_ms'):>7.1f} {rest:>7.1f}"
        )
    for label, statements in pieces.statements.items():
        print(f"\nthe SQL of one {label} request:")
        for sql in statements:
            print(f"  {sql[:150]}")


def profile_pass(client: Any, backend: Any, args: Any, rng: random.Random) -> None:
    import cProfile
    import pstats

    from django.db import transaction
    from django.test import Client

    from tests.tasks.factories import task_owner

    with transaction.atomic():
        task, provider = setting_up(client, backend)
        http = Client(HTTP_HOST="127.0.0.1")
        for label, path, params in requests_of(task.pk):
            http.force_login(provider.user if params else task_owner(task))
            for _ in range(5):
                http.get(path, {"q": "机器视觉", "skills": "machine-vision"} if params else None)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(min(args.requests, 100)):
                query = (
                    {"q": rng.choice(SEARCH_WORDS), "skills": rng.choice(SEARCH_SKILLS)}
                    if params
                    else None
                )
                http.get(path, query)
            profiler.disable()
            print(f"\ncProfile of {label}, by own time:")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
            print(f"\ncProfile of {label}, the project's code by cumulative time:")
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(
                r"/(search|tasks|accounts|bids|marketplace|frontend)/[a-z_/]+\.py", 25
            )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
