# ruff: noqa: E501 (the tables of figures are printed from long format strings)
"""Matching quality: precision@10 and nDCG@10 of skill matching against a plain BM25 text query.

A labelled set is generated with a fixed seed: tasks need 2-3 skills of one category with
weights; providers have known skills, levels and records, so which providers are relevant to a
task is known by construction (grade 2: every required skill at level 3 or more; grade 1: the
task's heaviest skill at level 2 or more and at least half the weighted skills). Noise makes the
text misleading, as real profiles are: synonyms and abbreviations (视觉检测, CV, BMS), the other
language (an English profile for a Chinese task), near-miss skills of the same category, and
strong providers (high credit and ratings) of the wrong field whose text repeats the task's words.

Both rankers see the same providers index (Elasticsearch, under a throw-away prefix):
- matching: search's ElasticBackend.match_providers (weighted nested skills, function_score,
  rescore), exactly what the product runs;
- baseline: BM25, a `multi_match` of the task's title and summary over the providers' text
  fields (standard and jieba-word fields), the best a text-only search can do here.

    eval "$(scripts/test-servers env)"; .venv/bin/python bench/search_quality.py --tasks 200
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

SLICES = ("same-language", "other-language", "synonyms", "near-miss", "strong-wrong-field")


def _django(prefix: str) -> None:
    import django
    from django.conf import settings

    django.setup()
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix


def provider_doc(
    pid: int,
    levels: dict[str, int],
    text_skills: list[str],
    *,
    english: bool,
    strong: bool,
    rng: random.Random,
    extra: str = "",
) -> dict[str, Any]:
    from search import text

    skills = text.lexicon().skills
    names = [(skills[s].name_en if english else skills[s].name_zh) for s in text_skills]
    headline = (" and ".join(names) + " engineer") if english else ("、".join(names) + "工程师")
    bio = (
        extra
        + " "
        + ("Projects for Chongqing manufacturers." if english else "服务重庆制造企业多年。")
    ).strip()
    credit = rng.randint(85, 98) if strong else rng.randint(45, 80)
    rating = round(rng.uniform(4.6, 5.0) if strong else rng.uniform(3.4, 4.6), 2)
    return {
        "id": pid,
        "name": f"P{pid}",
        "name_words": f"p{pid}",
        "headline": headline,
        "headline_words": text.segmented(headline),
        "bio": bio,
        "bio_words": text.segmented(bio),
        "skill_text": text.skill_names(list(levels)),
        "skill_words": text.segmented(text.skill_names(list(levels))),
        "skills": list(levels),
        "skills_mentioned": [],
        "categories": sorted({skills[s].category for s in levels}),
        "skill_levels": [{"skill": s, "level": lv} for s, lv in levels.items()],
        "region": "500103",
        "province": "500000",
        "availability": "available",
        "verified": strong or rng.random() < 0.4,
        "is_firm": False,
        "organization_id": None,
        "day_rate": 100000,
        "rating": rating,
        "reviews": rng.randint(0, 30),
        "completion_rate": rng.randint(80, 100) if strong else rng.randint(50, 95),
        "on_time_rate": rng.randint(80, 100) if strong else rng.randint(50, 95),
        "credit": credit,
        "contracts_completed": rng.randint(0, 40),
        "updated_at": "2026-11-20T00:00:00+00:00",
        "digest": "",
    }


def build(
    n_tasks: int, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, dict[int, int]], dict[int, str]]:
    from search import text
    from search.text import EXTRA_ALIASES

    rng = random.Random(seed)
    lexicon = text.lexicon()
    categories = [c for c, members in lexicon.categories.items() if len(members) >= 5]
    providers: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    relevance: dict[int, dict[int, int]] = {}
    slice_of: dict[int, str] = {}
    pid = 0
    for t in range(n_tasks):
        slice_name = SLICES[t % len(SLICES)]
        category = rng.choice(categories)
        members = lexicon.categories[category]
        required = rng.sample(members, rng.choice([2, 3]))
        weights = dict(
            zip(
                required, sorted(rng.sample([5, 4, 3, 2], len(required)), reverse=True), strict=True
            )
        )
        heavy = required[0]
        near = [s for s in members if s not in required]
        info = [lexicon.skills[s] for s in required]
        title = "、".join(i.name_zh for i in info) + "项目"
        summary = f"需要{info[0].name_zh}方面的服务商，兼顾{info[-1].name_zh}。"
        if slice_name == "synonyms":
            alias = [a for a in EXTRA_ALIASES.get(heavy, ()) if a.isascii() or True]
            title = (alias[0] if alias else info[0].name_zh) + "项目：" + info[-1].name_zh
        tid = 100000 + t
        tasks.append(
            {
                "id": tid,
                "title": title,
                "summary": summary,
                "organization_id": 1,
                "province": "500000",
                "skill_weights": [{"skill": s, "weight": w} for s, w in weights.items()],
            }
        )
        # Relevant providers: every required skill at 3-4 (grade 2), or the heavy skill and half.
        for _ in range(rng.randint(4, 8)):
            pid += 1
            levels = {s: rng.randint(3, 4) for s in required}
            english = slice_name == "other-language" or rng.random() < 0.2
            text_skills = [heavy] if slice_name != "synonyms" else []
            extra = ""
            if slice_name == "synonyms":
                extra = " ".join(EXTRA_ALIASES.get(heavy, ())[:1]) or lexicon.skills[heavy].name_en
            providers.append(
                provider_doc(
                    pid, levels, text_skills, english=english, strong=False, rng=rng, extra=extra
                )
            )
        for _ in range(rng.randint(3, 6)):
            pid += 1
            levels = {heavy: rng.randint(2, 4)}
            for s in required[1:]:
                if rng.random() < 0.3:
                    levels[s] = rng.randint(1, 2)
            english = slice_name == "other-language"
            providers.append(
                provider_doc(pid, levels, [heavy], english=english, strong=False, rng=rng)
            )
        # Near-miss: same category, other skills; their text names the task's words.
        for _ in range(rng.randint(6, 12) if slice_name == "near-miss" else rng.randint(2, 4)):
            pid += 1
            picks = rng.sample(near, min(len(near), 2)) or [rng.choice(members)]
            levels = dict.fromkeys(picks, 4)
            providers.append(
                provider_doc(
                    pid,
                    levels,
                    picks,
                    english=False,
                    strong=False,
                    rng=rng,
                    extra=f"了解{info[0].name_zh}相关项目",
                )
            )
        # Strong providers of the wrong field whose bio repeats the task's title.
        for _ in range(
            rng.randint(6, 12) if slice_name == "strong-wrong-field" else rng.randint(1, 3)
        ):
            pid += 1
            other = rng.choice([c for c in categories if c != category])
            picks = rng.sample(lexicon.categories[other], 2)
            providers.append(
                provider_doc(
                    pid,
                    dict.fromkeys(picks, 4),
                    picks,
                    english=False,
                    strong=True,
                    rng=rng,
                    extra=f"{title} {summary}",
                )
            )
        slice_of[tid] = slice_name
    # Grades come from the known skills, over every provider (another task's relevant providers
    # may fit this task too): the rule, not the generator's intent, is the label.
    for task in tasks:
        weights = {sw["skill"]: sw["weight"] for sw in task["skill_weights"]}
        heavy = max(weights, key=lambda s: (weights[s], s))
        grades = {}
        for provider in providers:
            levels = {sl["skill"]: sl["level"] for sl in provider["skill_levels"]}
            if all(levels.get(s, 0) >= 3 for s in weights):
                grades[provider["id"]] = 2
            elif levels.get(heavy, 0) >= 2 and sum(
                w * levels.get(s, 0) for s, w in weights.items()
            ) >= sum(weights.values()):
                grades[provider["id"]] = 1
        relevance[task["id"]] = grades
    return tasks, providers, relevance, slice_of


def precision_at(ranked: list[int], grades: dict[int, int], k: int = 10) -> float:
    return sum(1 for i in ranked[:k] if grades.get(i, 0) > 0) / k


def ndcg_at(ranked: list[int], grades: dict[int, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(i, 0) - 1) / math.log2(r + 2) for r, i in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    prefix = f"bench-quality-{os.getpid()}"
    _django(prefix)
    from django.utils import timezone

    from search import indexing
    from search.backends.elastic import ElasticBackend
    from search.documents import PROVIDERS, alias_name
    from search.es import es_client

    client = es_client()
    if client is None:
        sys.exit('ELASTICSEARCH_URL is not set: eval "$(scripts/test-servers env)" first')
    tasks, providers, relevance, slice_of = build(args.tasks, args.seed)
    print(f"{len(tasks)} tasks, {len(providers)} providers, seed {args.seed}")
    indexing.ensure_index(PROVIDERS)
    backend = ElasticBackend()
    try:
        backend.index(PROVIDERS, providers)
        client.indices.refresh(index=alias_name(PROVIDERS))
        scores: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        now = timezone.now()
        for task in tasks:
            grades = relevance[task["id"]]
            matched = [h.id for h in backend.match_providers(task, exclude=[], limit=10, now=now)]
            from search import text

            query = f"{task['title']} {task['summary']}"
            bm25 = client.search(
                index=alias_name(PROVIDERS),
                size=10,
                query={
                    "multi_match": {
                        "query": f"{query} {text.segmented(query)}",
                        "fields": [
                            "name",
                            "headline",
                            "bio",
                            "skill_text",
                            "headline_words",
                            "bio_words",
                            "skill_words",
                        ],
                    }
                },
            )
            baseline = [int(h["_id"]) for h in bm25["hits"]["hits"]]
            for name, ranked in (("matching", matched), ("bm25", baseline)):
                pair = (precision_at(ranked, grades), ndcg_at(ranked, grades))
                scores[(slice_of[task["id"]], name)].append(pair)
                scores[("all", name)].append(pair)
        print(
            f"\n{'slice':<20} {'P@10 match':>10} {'P@10 BM25':>10} {'nDCG match':>11} {'nDCG BM25':>10}"
        )
        for slice_name in (*SLICES, "all"):
            m, b = scores[(slice_name, "matching")], scores[(slice_name, "bm25")]
            mp, bp = sum(p for p, _ in m) / len(m), sum(p for p, _ in b) / len(b)
            mn, bn = sum(n for _, n in m) / len(m), sum(n for _, n in b) / len(b)
            print(f"{slice_name:<20} {mp:>10.3f} {bp:>10.3f} {mn:>11.3f} {bn:>10.3f}")
    finally:
        for name in list(client.indices.get(index=f"{prefix}*").body):
            client.indices.delete(index=name)
    print(f"\ndone in {time.process_time():.0f}s CPU")


if __name__ == "__main__":
    main()
