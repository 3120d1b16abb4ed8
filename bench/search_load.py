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
    args = parser.parse_args()
    import django
    from django.conf import settings

    prefix = f"bench-load-{os.getpid()}"
    django.setup()
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix
    settings.SEARCH_BACKEND = "elasticsearch"
    from django.db import transaction
    from django.test import Client

    from search import sources
    from search.backends import elastic
    from search.documents import PROVIDERS, TASKS, alias_name, index_body
    from search.es import es_client

    client = es_client()
    if client is None:
        sys.exit('ELASTICSEARCH_URL is not set: eval "$(scripts/test-servers env)" first')
    rng = random.Random(7)
    clock = time.perf_counter()
    tasks, providers = task_docs(args.tasks, rng), provider_docs(args.providers, rng)
    print(
        f"generated {len(tasks)} tasks and {len(providers)} providers in {time.perf_counter() - clock:.1f}s (jieba words included)"
    )
    try:
        backend = elastic.ElasticBackend()
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
        client.options(request_timeout=600).indices.forcemerge(
            index=f"{prefix}-*", max_num_segments=1
        )

        took: list[int] = []
        original = elastic.ElasticBackend._search

        def recording(self: Any, kind: str, body: dict[str, Any]) -> dict[str, Any]:
            response = original(self, kind, body)
            took.append(int(response.get("took", 0)))
            return response

        elastic.ElasticBackend._search = recording  # type: ignore[method-assign]
        from tests.accounts.factories import ProviderProfileFactory
        from tests.tasks.factories import TaskFactory, task_owner

        with transaction.atomic():
            task = TaskFactory(
                title="机器视觉检测与嵌入式控制",
                skills={"machine-vision": 5, "embedded-development": 3, "plc-programming": 2},
            )
            backend.index(TASKS, list(sources.documents(TASKS, [task.pk])))
            client.indices.refresh(index=alias_name(TASKS))
            provider = ProviderProfileFactory(skills={"machine-vision": 4})
            http = Client(HTTP_HOST="127.0.0.1")
            http.force_login(task_owner(task))
            results = {}
            for label, path, params in (
                ("matching", f"/api/v1/tasks/{task.pk}/recommended-providers/", None),
                ("search", "/api/v1/search/tasks/", "query"),
            ):
                if label == "search":
                    http.force_login(provider.user)
                walls: list[float] = []
                took.clear()
                for i in range(args.requests + 10):
                    query = (
                        {
                            "q": rng.choice(
                                ["机器视觉", "检测 方案", "machine vision", "数据 平台", "PLC"]
                            ),
                            "skills": rng.choice(["machine-vision", "big-data", "pcb-design"]),
                        }
                        if params
                        else None
                    )
                    start = time.perf_counter()
                    response = http.get(path, query)
                    wall = (time.perf_counter() - start) * 1000
                    assert response.status_code == 200, response.content[:300]
                    if i >= 10:  # warm-up
                        walls.append(wall)
                results[label] = (walls, list(took[10:]))
            transaction.set_rollback(True)
        elastic.ElasticBackend._search = original  # type: ignore[method-assign]
        print(
            f"\n{'':<10} {'took p50':>9} {'took p95':>9} {'e2e p50':>9} {'e2e p95':>9} {'p95 ratio':>10}  (ms, {args.requests} requests)"
        )
        for label, (walls, tooks) in results.items():
            t50, t95 = statistics.median(tooks), pct(tooks, 0.95)
            e50, e95 = statistics.median(walls), pct(walls, 0.95)
            print(
                f"{label:<10} {t50:>9.1f} {t95:>9.1f} {e50:>9.1f} {e95:>9.1f} {e95 / max(t95, 1):>9.2f}x"
            )
    finally:
        for name in list(client.indices.get(index=f"{prefix}*").body):
            client.indices.delete(index=name)


if __name__ == "__main__":
    main()
