"""Reputation blocks of the public provider and organization pages and of the dashboard.

The template tags in frontend/templatetags/reputation.py render these, so the pages that show
them (owned by their own views) need nothing in their context but the subject. The credit
score's factors go only to the person or organization they describe, and to staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, ProviderProfile
from accounts.selectors import (
    MANAGER_ROLES,
    organizations_with_role_for_user,
    provider_profiles_operated_by,
    user_can_act_for_provider,
    user_can_manage_organization,
)
from reputation import selectors as reputation

REVIEWS_SHOWN = 10
POSTER_KINDS = (Organization.Kind.ENTERPRISE, Organization.Kind.GOVERNMENT)


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def provider_reputation(*, user: Any, profile: ProviderProfile) -> dict[str, Any]:
    stats = reputation.provider_stats(profile=profile)
    return {
        "stats": stats,
        "credit": stats.credit,
        "is_subject": user_can_act_for_provider(user=user, profile=profile),
        "show_factors": _is_staff(user),
    }


def provider_reviews(*, profile: ProviderProfile) -> dict[str, Any]:
    """The public reviews posters wrote about the provider, newest first."""
    reviews = reputation.reviews_of_provider(profile=profile).order_by("-created_at")
    return {"reviews": list(reviews[:REVIEWS_SHOWN]), "review_total": reviews.count()}


def organization_reputation(*, user: Any, organization: Organization) -> dict[str, Any]:
    """Poster statistics for enterprises and government units (micro-firms are providers and
    have theirs on their provider page)."""
    if organization.kind not in POSTER_KINDS:
        return {"stats": None}
    stats = reputation.poster_stats(organization=organization)
    return {
        "stats": stats,
        "credit": stats.credit,
        "is_subject": user_can_manage_organization(user=user, organization=organization),
        "show_factors": _is_staff(user),
    }


def organization_reviews(*, organization: Organization) -> dict[str, Any]:
    """The public reviews providers wrote about the organization as a poster."""
    if organization.kind not in POSTER_KINDS:
        return {"poster": False}
    reviews = reputation.reviews_of_organization(organization=organization).order_by("-created_at")
    return {
        "poster": True,
        "reviews": list(reviews[:REVIEWS_SHOWN]),
        "review_total": reviews.count(),
    }


@dataclass(frozen=True)
class CreditEntry:
    """One subject the user answers for: a provider profile or a poster organization."""

    role: str | Promise
    name: str
    url: str
    credit: reputation.CreditScore
    key: str


def my_credit(*, user: Any) -> list[CreditEntry]:
    """The credit of the provider profiles the user acts for and of the poster organizations
    they manage, factors included: the dashboard shows them only to this user."""
    profiles = list(provider_profiles_operated_by(user=user).select_related("user", "organization"))
    stats = reputation.provider_stats_many(profiles=profiles)
    entries = [
        CreditEntry(
            role=_("As a provider"),
            name=profile.display_name,
            url=reverse("frontend:provider_detail", args=[profile.pk]),
            credit=stats[profile.pk].credit,
            key=f"provider-{profile.pk}",
        )
        for profile in profiles
    ]
    for organization in organizations_with_role_for_user(user=user):
        if getattr(organization, "my_role", None) in MANAGER_ROLES and (
            organization.kind in POSTER_KINDS
        ):
            entries.append(
                CreditEntry(
                    role=_("As a poster"),
                    name=organization.name,
                    url=reverse("frontend:org_detail", args=[organization.slug]),
                    credit=reputation.poster_stats(organization=organization).credit,
                    key=f"poster-{organization.pk}",
                )
            )
    return entries
