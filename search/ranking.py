"""Matching, both ways: one scoring rule that both backends apply, and its explanation.

A provider's fit for a task is the weighted skill overlap, sum(task weight x provider level)
over the task's skills, multiplied by a quality factor of small lifts: credit, rating,
completion and on-time rate, verification, then the same province and recent activity. The
overlap dominates (a skill missing costs more than any lift gives), so matching ranks by skills
first. Elasticsearch computes the same numbers with weighted nested queries and
`function_score` (search.backends.elastic); the database backend with `score_provider` below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from search import text

MAX_LEVEL = 4
# Provider lifts (per unit of the field), and their Elasticsearch `field_value_factor` twins.
CREDIT_FACTOR = 0.003  # credit 0-100 -> up to +0.30
RATING_FACTOR = 0.04  # rating 1-5 -> up to +0.20
COMPLETION_FACTOR = 0.001  # percent -> up to +0.10
ON_TIME_FACTOR = 0.001  # percent -> up to +0.10
VERIFIED_LIFT = 0.10
SAME_PROVINCE_LIFT = 0.10
RECENT_LIFT = 0.05
PROVIDER_RECENCY_SCALE_DAYS = 90
# Task lifts for the provider's feed.
TASK_VERIFIED_POSTER_LIFT = 0.10
TASK_RECENT_LIFT = 0.30
TASK_RECENCY_SCALE_DAYS = 14
DECAY = 0.5
# A new task is worth a notification when the provider covers this share of its weighted skills.
GOOD_MATCH_COVERAGE = 0.5


def decay(when: str | datetime | None, *, scale_days: float, now: datetime | None = None) -> float:
    """Elasticsearch's `gauss` decay with offset 0: DECAY ** ((distance / scale) ** 2)."""
    if when is None:
        return 0.0
    moment = parse_datetime(when) if isinstance(when, str) else when
    if moment is None:
        return 0.0
    now = now or timezone.now()
    days = abs((now - moment).total_seconds()) / 86400
    return math.exp(math.log(DECAY) * (days / scale_days) ** 2)


@dataclass(frozen=True)
class SkillFit:
    slug: str
    name: str
    weight: int
    level: int  # 0 when the provider lacks the skill


@dataclass
class Explanation:
    """Why a result matched: matched and missing skills, and the signals that lifted it."""

    score: float
    overlap: int
    coverage: float  # overlap / the best possible overlap, 0-1
    matched: list[SkillFit] = field(default_factory=list)
    missing: list[SkillFit] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)

    @property
    def coverage_percent(self) -> int:
        return round(self.coverage * 100)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 3),
            "overlap": self.overlap,
            "coverage": self.coverage_percent,
            "matched_skills": [
                {"skill": f.slug, "name": f.name, "weight": f.weight, "level": f.level}
                for f in self.matched
            ],
            "missing_skills": [
                {"skill": f.slug, "name": f.name, "weight": f.weight} for f in self.missing
            ],
            "signals": list(self.signals),
        }


def _skill_name(slug: str) -> str:
    from django.utils.translation import get_language

    info = text.lexicon().skills.get(slug)
    if info is None:
        return slug
    return info.name_zh if (get_language() or "zh").startswith("zh") else info.name_en


def _fits(weights: dict[str, int], levels: dict[str, int]) -> tuple[list[SkillFit], list[SkillFit]]:
    matched: list[SkillFit] = []
    missing: list[SkillFit] = []
    for slug, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        fit = SkillFit(slug, _skill_name(slug), weight, levels.get(slug, 0))
        (matched if fit.level else missing).append(fit)
    return matched, missing


def provider_lift(provider: dict[str, Any], *, task_province: str, now: datetime) -> float:
    """The quality factor of a provider for a task (1 plus the lifts)."""
    lift = 1.0
    lift += CREDIT_FACTOR * (provider.get("credit") or 0)
    lift += RATING_FACTOR * (provider.get("rating") or 0)
    lift += COMPLETION_FACTOR * (provider.get("completion_rate") or 0)
    lift += ON_TIME_FACTOR * (provider.get("on_time_rate") or 0)
    if provider.get("verified"):
        lift += VERIFIED_LIFT
    if task_province and provider.get("province") == task_province:
        lift += SAME_PROVINCE_LIFT
    lift += RECENT_LIFT * decay(
        provider.get("updated_at"), scale_days=PROVIDER_RECENCY_SCALE_DAYS, now=now
    )
    return lift


def task_lift(task: dict[str, Any], *, provider_province: str, now: datetime) -> float:
    lift = 1.0
    if task.get("organization_verified"):
        lift += TASK_VERIFIED_POSTER_LIFT
    if provider_province and task.get("province") == provider_province:
        lift += SAME_PROVINCE_LIFT
    lift += TASK_RECENT_LIFT * decay(
        task.get("published_at"), scale_days=TASK_RECENCY_SCALE_DAYS, now=now
    )
    return lift


def _weights(task: dict[str, Any]) -> dict[str, int]:
    return {sw["skill"]: int(sw["weight"]) for sw in task.get("skill_weights", [])}


def _levels(provider: dict[str, Any]) -> dict[str, int]:
    return {sl["skill"]: int(sl["level"]) for sl in provider.get("skill_levels", [])}


def explain(
    *, task: dict[str, Any], provider: dict[str, Any], now: datetime | None = None
) -> Explanation:
    """The fit of `provider` for `task` (index documents), explained; the score both backends
    rank providers for a task by."""
    now = now or timezone.now()
    weights, levels = _weights(task), _levels(provider)
    matched, missing = _fits(weights, levels)
    overlap = sum(f.weight * f.level for f in matched)
    best = sum(weights.values()) * MAX_LEVEL
    signals: list[str] = []
    if provider.get("rating") and provider["rating"] >= 4:
        signals.append(
            _("Rated %(rating).1f from %(n)d reviews")
            % {"rating": provider["rating"], "n": provider.get("reviews") or 0}
        )
    if (provider.get("credit") or 0) >= 70:
        signals.append(_("Credit score %(score)d") % {"score": provider["credit"]})
    if (provider.get("completion_rate") or 0) >= 80:
        signals.append(
            _("%(rate)d%% of contracts completed") % {"rate": provider["completion_rate"]}
        )
    if (provider.get("on_time_rate") or 0) >= 80:
        signals.append(_("%(rate)d%% of milestones on time") % {"rate": provider["on_time_rate"]})
    if provider.get("verified"):
        signals.append(_("Verified (实名认证)"))
    if task.get("province") and provider.get("province") == task.get("province"):
        signals.append(_("In the task's region"))
    if decay(provider.get("updated_at"), scale_days=PROVIDER_RECENCY_SCALE_DAYS, now=now) >= 0.5:
        signals.append(_("Recently active"))
    lift = provider_lift(provider, task_province=task.get("province") or "", now=now)
    return Explanation(
        score=overlap * lift,
        overlap=overlap,
        coverage=overlap / best if best else 0.0,
        matched=matched,
        missing=missing,
        signals=signals,
    )


def explain_task(
    *, task: dict[str, Any], provider: dict[str, Any], now: datetime | None = None
) -> Explanation:
    """The fit of `task` for `provider`: the same overlap, with the task's own lifts."""
    now = now or timezone.now()
    weights, levels = _weights(task), _levels(provider)
    matched, missing = _fits(weights, levels)
    overlap = sum(f.weight * f.level for f in matched)
    best = sum(weights.values()) * MAX_LEVEL
    signals: list[str] = []
    if task.get("organization_verified"):
        signals.append(_("Verified poster"))
    if provider.get("province") and task.get("province") == provider.get("province"):
        signals.append(_("In your region"))
    if decay(task.get("published_at"), scale_days=TASK_RECENCY_SCALE_DAYS, now=now) >= 0.5:
        signals.append(_("Posted recently"))
    lift = task_lift(task, provider_province=provider.get("province") or "", now=now)
    return Explanation(
        score=overlap * lift,
        overlap=overlap,
        coverage=overlap / best if best else 0.0,
        matched=matched,
        missing=missing,
        signals=signals,
    )
