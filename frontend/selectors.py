"""Reads only the home page needs: platform-wide counts and showcases.

Everything else the pages read comes from the owning app's selectors (accounts.selectors,
tasks.selectors, bids.selectors), which decide visibility once for pages and APIs alike.
"""

from __future__ import annotations

from django.db.models import Count, Q

from accounts.models import Organization, ProviderProfile, Skill, SkillCategory


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
