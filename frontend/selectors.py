"""Reads only the home page needs: platform-wide counts and showcases.

Everything else the pages read comes from the owning app's selectors (accounts.selectors,
tasks.selectors, bids.selectors), which decide visibility once for pages and APIs alike.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q

from accounts.models import Organization, ProviderProfile, ProviderSkill, Skill, SkillCategory

HOME_COUNTS_CACHE_KEY = "frontend:home-counts:v1"
# A backstop only: every change that moves a count drops the entry (home_counts_changed).
HOME_COUNTS_SECONDS = 3600
# The rows whose saves and deletes change a home-page count (frontend.apps connects them).
HOME_COUNTED = (Organization, ProviderProfile, ProviderSkill, Skill, SkillCategory)


def providers_recent(*, limit: int = 6) -> list[ProviderProfile]:
    """Recently updated providers who are taking work, for the home page."""
    return list(
        ProviderProfile.objects.exclude(availability=ProviderProfile.Availability.UNAVAILABLE)
        .select_related("user", "organization")
        .filter(Q(user__isnull=True) | Q(user__suspended_at__isnull=True))
        .filter(hidden_at__isnull=True)
        .annotate(skill_count=Count("skill_levels"))
        .order_by("-updated_at")[:limit]
    )


def platform_counts() -> dict[str, int]:
    """Real numbers for the home page."""
    return {
        "organizations": Organization.objects.count(),
        "posters": Organization.objects.filter(
            kind__in=[Organization.Kind.ENTERPRISE, Organization.Kind.GOVERNMENT]
        ).count(),
        "providers": ProviderProfile.objects.count(),
        "skills": Skill.objects.count(),
    }


def skill_categories_with_counts() -> list[SkillCategory]:
    """Categories in order with how many skills and providers each has."""
    return list(
        SkillCategory.objects.annotate(
            skill_count=Count("skills", distinct=True),
            provider_count=Count("skills__providers", distinct=True),
        ).order_by("position", "slug")
    )


def home_counts() -> dict[str, Any]:
    """The home page's figures, the same for everyone: the platform counts and each skill
    category with its skill and provider counts. Kept in the cache, dropped whenever a counted
    row changes (bulk writes, which send no signal, wait for the backstop expiry)."""
    cached = cache.get(HOME_COUNTS_CACHE_KEY)
    if cached is not None:
        return dict(cached)
    result = {"counts": platform_counts(), "categories": skill_categories_with_counts()}
    cache.set(HOME_COUNTS_CACHE_KEY, result, HOME_COUNTS_SECONDS)
    return result


def home_counts_changed(**kwargs: Any) -> None:
    """A counted row was saved or deleted: the cached figures go now and again after commit,
    so a concurrent reader cannot put the old figures back before the change is visible."""
    cache.delete(HOME_COUNTS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(HOME_COUNTS_CACHE_KEY))
