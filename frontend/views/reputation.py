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
    entries = []
    for subject in reputation.credit_subjects_for_user(user=user):
        if subject.side == "provider":
            assert subject.profile is not None
            role, url = (
                _("As a provider"),
                reverse("frontend:provider_detail", args=[subject.object_id]),
            )
        else:
            assert subject.organization is not None
            role = _("As a poster")
            url = reverse("frontend:org_detail", args=[subject.organization.slug])
        entries.append(
            CreditEntry(
                role=role,
                name=subject.name,
                url=url,
                credit=subject.credit,
                key=f"{subject.side}-{subject.object_id}",
            )
        )
    return entries
