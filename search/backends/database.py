"""The embedded search backend: documents and their jieba words in a table (SearchEntry).

Used without ELASTICSEARCH_URL, and as the copy search falls back to while Elasticsearch is
down. SQL narrows the candidates by words (`contains " word "`, so 机器视觉 matches as a word
and never inside another), phrase or skill; the filters, facets, sorting and the matching score
run in Python over the candidates' documents with the rules of search.query and search.ranking.
That suits the embedded scale (a demo, a small deployment); Elasticsearch is for more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from search import ranking
from search.documents import PROVIDERS, TASKS
from search.models import SearchEntry
from search.query import (
    PROVIDER_DIRECTORY_FIELDS,
    PROVIDER_HIT_FIELDS,
    TASK_HIT_FIELDS,
    Hit,
    ProviderQuery,
    Results,
    TaskQuery,
    Terms,
    hit_doc,
    region_matches,
    text_matches,
    wanted_skills,
)

WORD_FIELDS = {
    TASKS: (
        "title_words",
        "summary_words",
        "description_words",
        "skill_words",
        "organization_words",
    ),
    PROVIDERS: ("name_words", "headline_words", "bio_words", "skill_words"),
}
RAW_FIELDS = {
    TASKS: ("title", "summary", "description", "skill_text", "organization_name"),
    PROVIDERS: ("name", "headline", "bio", "skill_text"),
}
FACET_SIZE = 20


def entry_words(kind: str, doc: dict[str, Any]) -> str:
    words = " ".join(doc.get(f) or "" for f in WORD_FIELDS[kind]).split()
    # Tagged skills and skills the text names: a query finds both, a skill filter tagged ones.
    words += [f"skill:{s}" for s in doc.get("skills", ())]
    words += [f"mention:{s}" for s in doc.get("skills_mentioned", ())]
    return f" {' '.join(words)} "


def entry_text(kind: str, doc: dict[str, Any]) -> str:
    return "\n".join(doc.get(f) or "" for f in RAW_FIELDS[kind]).lower()


def _text_filter(terms: Terms) -> Q:
    q = Q(pk__in=[])
    if terms.words:
        every = Q()
        for word in terms.words:
            every &= Q(words__contains=f" {word} ")
        q |= every
    if terms.phrase:
        q |= Q(text__contains=terms.phrase)
    for slug in terms.skills:
        q |= Q(words__contains=f" skill:{slug} ") | Q(words__contains=f" mention:{slug} ")
    return q


def _any_skill(skills: Iterable[str]) -> Q:
    q = Q(pk__in=[])
    for slug in skills:
        q |= Q(words__contains=f" skill:{slug} ")
    return q


def _relevance(terms: Terms, doc: dict[str, Any], title_field: str, body: str) -> float:
    if not terms:
        return 0.0
    title = f" {doc.get(title_field) or ''} "
    score = sum(3.0 for w in terms.words if f" {w} " in title)
    score += sum(1.0 for w in terms.words if f" {w} " in f" {body} ")
    score += 2.0 * len(set(terms.skills) & set(doc.get("skills", ())))
    return score


def _facets(docs: list[dict[str, Any]], keys: dict[str, Callable[[dict[str, Any]], Any]]):
    facets: dict[str, list[tuple[str, int]]] = {}
    for name, pick in keys.items():
        counter: Counter[str] = Counter()
        for doc in docs:
            value = pick(doc)
            for v in value if isinstance(value, list | tuple) else [value]:
                if v not in ("", None):
                    counter[str(v).lower() if isinstance(v, bool) else str(v)] += 1
        facets[name] = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
    return facets


def _when(value: Any) -> float:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment.timestamp() if moment else 0.0


class DatabaseBackend:
    name = "database"

    # --- writing --------------------------------------------------------------------------

    def index(self, kind: str, docs: Iterable[dict[str, Any]]) -> int:
        count = 0
        with transaction.atomic():
            for doc in docs:
                SearchEntry.objects.update_or_create(
                    kind=kind,
                    object_id=doc["id"],
                    defaults={
                        "words": entry_words(kind, doc),
                        "text": entry_text(kind, doc),
                        "doc": doc,
                        "digest": doc["digest"],
                    },
                )
                count += 1
        return count

    def delete(self, kind: str, ids: Iterable[int]) -> int:
        deleted, _ = SearchEntry.objects.filter(kind=kind, object_id__in=list(ids)).delete()
        return deleted

    def digests(self, kind: str) -> dict[int, str]:
        return dict(SearchEntry.objects.filter(kind=kind).values_list("object_id", "digest"))

    def get(self, kind: str, object_id: int) -> dict[str, Any] | None:
        entry = SearchEntry.objects.filter(kind=kind, object_id=object_id).first()
        return None if entry is None else entry.doc

    # --- searching ------------------------------------------------------------------------

    def search_tasks(self, query: TaskQuery, viewer: Any) -> Results:
        terms = Terms.parse(query.text)
        entries = SearchEntry.objects.filter(kind=TASKS)
        if query.ids:
            entries = entries.filter(object_id__in=list(query.ids))
        if terms:
            entries = entries.filter(_text_filter(terms))
        skills = wanted_skills(query.skills, query.category)
        if skills:
            entries = entries.filter(_any_skill(skills))
        scored = []
        now = timezone.now()
        for entry in entries.only("doc", "words", "text"):
            doc = entry.doc
            if not viewer.may_list(
                visibility=doc["visibility"],
                organization_id=doc["organization_id"],
                invited_provider_ids=doc.get("invited_provider_ids", []),
            ):
                continue
            if terms and not text_matches(terms, words=entry.words, raw=entry.text, doc=doc):
                continue
            if query.kinds and doc["kind"] not in query.kinds:
                continue
            if query.modes and doc.get("mode", "tender") not in query.modes:
                continue
            if query.budget_min is not None and doc["budget_max"] < query.budget_min:
                continue
            if query.budget_max is not None and doc["budget_min"] > query.budget_max:
                continue
            if not region_matches(doc.get("region", ""), query.region):
                continue
            deadline = parse_datetime(doc["bid_deadline"])
            if deadline is None or deadline <= now:
                continue
            if query.deadline_before and timezone.localdate(deadline) > query.deadline_before:
                continue
            if query.verified and not doc.get("organization_verified"):
                continue
            body = " ".join(
                doc.get(f) or "" for f in ("summary_words", "description_words", "skill_words")
            )
            scored.append((_relevance(terms, doc, "title_words", body), doc))
        sorters: dict[str, Callable[[tuple[float, dict[str, Any]]], Any]] = {
            "relevance": lambda sd: (-sd[0], -_when(sd[1]["published_at"]), -sd[1]["id"]),
            "newest": lambda sd: (-_when(sd[1]["published_at"]), -sd[1]["id"]),
            "deadline": lambda sd: (_when(sd[1]["bid_deadline"]), sd[1]["id"]),
            "budget": lambda sd: (-sd[1]["budget_max"], -sd[1]["id"]),
        }
        scored.sort(key=sorters.get(query.sort, sorters["relevance"]))
        docs = [doc for _score, doc in scored]
        facets = _facets(
            docs,
            {
                "kind": lambda d: d["kind"],
                "mode": lambda d: d.get("mode", "tender"),
                "skills": lambda d: d["skills"],
                "categories": lambda d: d["categories"],
                "province": lambda d: d.get("province", ""),
            },
        )
        return self._page(scored, query.page, query.page_size, facets, TASK_HIT_FIELDS)

    def search_providers(self, query: ProviderQuery, *, exclude: Iterable[int] = ()) -> Results:
        terms = Terms.parse(query.text)
        entries = SearchEntry.objects.filter(kind=PROVIDERS)
        excluded = set(exclude)
        if terms:
            entries = entries.filter(_text_filter(terms))
        skills = wanted_skills(query.skills, query.category)
        if skills:
            entries = entries.filter(_any_skill(skills))
        scored = []
        for entry in entries.only("doc", "words", "text"):
            doc = entry.doc
            if doc["id"] in excluded:
                continue
            if terms and not text_matches(terms, words=entry.words, raw=entry.text, doc=doc):
                continue
            if not region_matches(doc.get("region", ""), query.region):
                continue
            if query.verified and not doc.get("verified"):
                continue
            if query.availability and doc["availability"] not in query.availability:
                continue
            body = " ".join(
                doc.get(f) or "" for f in ("headline_words", "bio_words", "skill_words")
            )
            scored.append((_relevance(terms, doc, "name_words", body), doc))
        sorters: dict[str, Callable[[tuple[float, dict[str, Any]]], Any]] = {
            "relevance": lambda sd: (-sd[0], -(sd[1].get("credit") or 0), sd[1]["id"]),
            "rating": lambda sd: (-(sd[1].get("rating") or 0), sd[1]["id"]),
            "credit": lambda sd: (-(sd[1].get("credit") or 0), sd[1]["id"]),
            "newest": lambda sd: (-_when(sd[1]["updated_at"]), -sd[1]["id"]),
        }
        scored.sort(key=sorters.get(query.sort, sorters["relevance"]))
        docs = [doc for _score, doc in scored]
        facets = _facets(
            docs,
            {
                "skills": lambda d: d["skills"],
                "categories": lambda d: d["categories"],
                "availability": lambda d: d["availability"],
                "province": lambda d: d.get("province", ""),
                "verified": lambda d: bool(d.get("verified")),
            },
        )
        return self._page(scored, query.page, query.page_size, facets, PROVIDER_DIRECTORY_FIELDS)

    @staticmethod
    def _page(
        scored: list[tuple[float, dict[str, Any]]],
        page: int,
        size: int,
        facets: dict[str, list[tuple[str, int]]],
        fields: tuple[str, ...],
    ) -> Results:
        start = (page - 1) * size
        hits = [
            Hit(id=doc["id"], doc=hit_doc(doc, fields), score=s)
            for s, doc in scored[start : start + size]
        ]
        return Results(hits=hits, total=len(scored), page=page, page_size=size, facets=facets)

    # --- matching -------------------------------------------------------------------------

    def match_providers(
        self, task: dict[str, Any], *, exclude: Iterable[int], limit: int, now: datetime
    ) -> list[Hit]:
        skills = [sw["skill"] for sw in task.get("skill_weights", [])]
        if not skills:
            return []
        excluded = set(exclude)
        hits = []
        for entry in SearchEntry.objects.filter(kind=PROVIDERS).filter(_any_skill(skills)):
            doc = entry.doc
            if doc["id"] in excluded or doc["availability"] == "unavailable":
                continue
            if doc.get("organization_id") and doc["organization_id"] == task["organization_id"]:
                continue
            explanation = ranking.explain(task=task, provider=doc, now=now)
            if explanation.overlap:
                shown = hit_doc(doc, PROVIDER_HIT_FIELDS)
                hits.append(Hit(doc["id"], shown, explanation.score, explanation))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]

    def match_tasks(
        self,
        provider: dict[str, Any],
        *,
        viewer: Any,
        exclude: Iterable[int],
        limit: int,
        now: datetime,
    ) -> list[Hit]:
        skills = [sl["skill"] for sl in provider.get("skill_levels", [])]
        if not skills:
            return []
        excluded = set(exclude)
        hits = []
        for entry in SearchEntry.objects.filter(kind=TASKS).filter(_any_skill(skills)):
            doc = entry.doc
            if doc["id"] in excluded:
                continue
            deadline = parse_datetime(doc["bid_deadline"])
            if deadline is None or deadline <= now:
                continue
            if not viewer.may_list(
                visibility=doc["visibility"],
                organization_id=doc["organization_id"],
                invited_provider_ids=doc.get("invited_provider_ids", []),
            ):
                continue
            if provider.get("organization_id") and doc["organization_id"] == provider.get(
                "organization_id"
            ):
                continue
            explanation = ranking.explain_task(task=doc, provider=provider, now=now)
            if explanation.overlap:
                shown = hit_doc(doc, TASK_HIT_FIELDS)
                hits.append(Hit(doc["id"], shown, explanation.score, explanation))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]
