"""Index documents built from PostgreSQL, the source of truth (one builder per index).

Both backends store exactly these documents: Elasticsearch indexes them, the database backend
keeps them with their words (search.models.SearchEntry). A document's `digest` fingerprints
its content, so drift repair can tell a stale copy from a current one without comparing fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from accounts.models import ProviderProfile, ProviderSkill
from accounts.selectors import provider_profiles_for_indexing, provider_profiles_searchable
from reputation.selectors import provider_stats_many
from search import text
from search.documents import PROVIDERS, TASKS
from tasks.models import Task, TaskSkill
from tasks.selectors import TASK_SEARCHABLE, tasks_for_indexing

BATCH = 500


def _province(region: str) -> str:
    return f"{region[:2]}0000" if region else ""


def _words(*parts: str) -> str:
    return text.segmented(" ".join(p for p in parts if p))


def _finish(doc: dict[str, Any]) -> dict[str, Any]:
    payload = json.dumps(doc, sort_keys=True, default=str, ensure_ascii=False)
    doc["digest"] = hashlib.sha256(payload.encode()).hexdigest()[:32]
    return doc


def task_document(task: Task) -> dict[str, Any]:
    """The index document of an open task. Text behind an NDA or an invitation stays out."""
    lexicon = text.lexicon()
    weights = [(ts.skill.slug, ts.weight) for ts in task.skill_weights.all()]
    skills = [slug for slug, _weight in weights]
    private = task.nda_required or task.visibility == Task.Visibility.INVITED
    description = "" if private else task.description
    skill_text = text.skill_names(skills)
    return _finish(
        {
            "id": task.pk,
            "title": task.title,
            "title_words": _words(task.title),
            "summary": task.summary,
            "summary_words": _words(task.summary),
            "description": description,
            "description_words": _words(description),
            "skill_text": skill_text,
            "skill_words": _words(skill_text),
            "organization_name": task.organization.name,
            "organization_words": _words(task.organization.name),
            "kind": task.kind,
            "mode": task.mode,
            "status": task.status,
            "visibility": task.visibility,
            "skills": skills,
            "skills_mentioned": sorted(
                set(text.skills_in(f"{task.title} {task.summary} {description}")) - set(skills)
            ),
            "categories": sorted(
                {lexicon.skills[s].category for s in skills if s in lexicon.skills}
            ),
            "skill_weights": [{"skill": s, "weight": w} for s, w in weights],
            "budget_min": task.budget_min,
            "budget_max": task.budget_max,
            "currency": task.currency,
            "region": task.region,
            "province": _province(task.region),
            "organization_id": task.organization_id,
            "organization_verified": task.organization.is_verified,
            "invited_provider_ids": sorted(i.provider_id for i in task.invitations.all()),
            "bid_deadline": task.bid_deadline.isoformat(),
            "delivery_deadline": task.delivery_deadline.isoformat(),
            "published_at": task.published_at.isoformat() if task.published_at else None,
        }
    )


def task_match_profile(*, task_id: int) -> dict[str, Any] | None:
    """What matching reads of a searchable task, in one query: its weighted skills (best
    first, as in its document), its organization and its province. None when the task is not
    searchable or names no skill (there is nothing to match then).

    Matching used to build the task's whole document per request (jieba over its texts, the
    skills its words name, its invitations: three queries and the segmenting); the ranking
    reads none of that.
    """
    rows = list(
        TaskSkill.objects.filter(task_id=task_id, task__status__in=TASK_SEARCHABLE)
        .order_by("-weight", "skill__position")
        .values_list("task__organization_id", "task__region", "skill__slug", "weight")
    )
    if not rows:
        return None
    organization_id, region = rows[0][0], rows[0][1]
    return {
        "id": task_id,
        "organization_id": organization_id,
        "province": _province(region),
        "skill_weights": [{"skill": slug, "weight": weight} for _o, _r, slug, weight in rows],
    }


def provider_match_profile(*, profile_id: int) -> dict[str, Any] | None:
    """What the "for you" feed reads of a searchable provider profile, in one query: its skill
    levels, its firm and its province (not its statistics, texts and words). None when the
    profile is not searchable or has no skill."""
    rows = list(
        ProviderSkill.objects.filter(
            profile_id=profile_id, profile__in=provider_profiles_searchable()
        )
        .order_by("-level", "skill__category__position", "skill__position")
        .values_list("profile__organization_id", "profile__region", "skill__slug", "level")
    )
    if not rows:
        return None
    organization_id, region = rows[0][0], rows[0][1]
    return {
        "id": profile_id,
        "organization_id": organization_id,
        "province": _province(region),
        "skill_levels": [{"skill": slug, "level": level} for _o, _r, slug, level in rows],
    }


def provider_document(profile: ProviderProfile, stats: Any) -> dict[str, Any]:
    lexicon = text.lexicon()
    levels = [(sl.skill.slug, sl.level) for sl in profile.skill_levels.all()]
    skills = [slug for slug, _level in levels]
    skill_text = text.skill_names(skills)
    average = stats.average_rating
    return _finish(
        {
            "id": profile.pk,
            "name": profile.display_name,
            "name_words": _words(profile.display_name),
            "headline": profile.headline,
            "headline_words": _words(profile.headline),
            "bio": profile.bio,
            "bio_words": _words(profile.bio),
            "skill_text": skill_text,
            "skill_words": _words(skill_text),
            "skills": skills,
            "skills_mentioned": sorted(
                set(text.skills_in(f"{profile.headline} {profile.bio}")) - set(skills)
            ),
            "categories": sorted(
                {lexicon.skills[s].category for s in skills if s in lexicon.skills}
            ),
            "skill_levels": [{"skill": s, "level": lv} for s, lv in levels],
            "region": profile.region,
            "province": _province(profile.region),
            "availability": profile.availability,
            "verified": bool(stats.verified),
            "is_firm": profile.is_firm,
            "organization_id": profile.organization_id,
            "day_rate": profile.day_rate,
            "rating": None if average is None else round(float(average), 2),
            "reviews": stats.reviews,
            "completion_rate": stats.completion_rate,
            "on_time_rate": stats.on_time_rate,
            "credit": stats.credit.score,
            "contracts_completed": stats.contracts_completed,
            "updated_at": profile.updated_at.isoformat(),
        }
    )


def _batched(ids: Iterable[int] | None) -> Iterator[list[int] | None]:
    if ids is None:
        yield None
        return
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def documents(kind: str, ids: Iterable[int] | None = None) -> Iterator[dict[str, Any]]:
    """The current documents of `kind` (all searchable objects, or those of `ids` that are)."""
    for batch in _batched(ids):
        if kind == TASKS:
            for task in tasks_for_indexing(ids=batch).iterator(chunk_size=BATCH):
                yield task_document(task)
        elif kind == PROVIDERS:
            profiles = provider_profiles_for_indexing(ids=batch)
            # Statistics are read a page at a time, in a fixed number of queries per page.
            chunk: list[ProviderProfile] = []
            for profile in profiles.iterator(chunk_size=BATCH):
                chunk.append(profile)
                if len(chunk) == BATCH:
                    yield from _provider_chunk(chunk)
                    chunk = []
            if chunk:
                yield from _provider_chunk(chunk)
        else:
            raise ValueError(kind)


def _provider_chunk(profiles: list[ProviderProfile]) -> Iterator[dict[str, Any]]:
    stats = provider_stats_many(profiles=profiles)
    for profile in profiles:
        yield provider_document(profile, stats[profile.pk])
