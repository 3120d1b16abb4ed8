"""Reads the pages need that accounts.selectors does not offer yet.

Each is a candidate to move into accounts/selectors.py (the owner of these tables); the pages
call them only through this module so the move is a one-line import change.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    ProviderProfile,
    ProviderSkill,
    Skill,
    SkillCategory,
    VerificationRequest,
)


def organization_get_by_slug(*, slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def memberships_for_user(*, user: Any) -> QuerySet[Membership]:
    """The user's memberships with their organizations, for 'my organizations' lists."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def organization_memberships(*, organization: Organization) -> QuerySet[Membership]:
    """Members with their roles, owners first."""
    role_order = {Membership.Role.OWNER: 0, Membership.Role.ADMIN: 1, Membership.Role.MEMBER: 2}
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .annotate(
            role_rank=Case(
                *[When(role=role, then=Value(rank)) for role, rank in role_order.items()],
                output_field=IntegerField(),
            )
        )
        .order_by("role_rank", "created_at")
    )


def organization_membership_get(
    *, organization: Organization, membership_id: int
) -> Membership | None:
    return (
        Membership.objects.filter(organization=organization, pk=membership_id)
        .select_related("user")
        .first()
    )


def organization_pending_invitations(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def organization_invitation_get(
    *, organization: Organization, invitation_id: int
) -> Invitation | None:
    return Invitation.objects.filter(organization=organization, pk=invitation_id).first()


def invitation_get_by_token(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.filter(token=token).select_related("organization", "invited_by").first()
    )


def provider_profile_get(*, profile_id: int) -> ProviderProfile | None:
    """A provider profile for its public page, with its owner loaded."""
    return (
        ProviderProfile.objects.filter(pk=profile_id).select_related("user", "organization").first()
    )


def provider_profile_for_organization(*, organization: Organization) -> ProviderProfile | None:
    return ProviderProfile.objects.filter(organization=organization).first()


def provider_skill_levels(*, profile: ProviderProfile) -> list[ProviderSkill]:
    """The profile's skills, strongest first, with skill and category loaded."""
    return list(
        ProviderSkill.objects.filter(profile=profile)
        .select_related("skill", "skill__category")
        .order_by("-level", "skill__category__position", "skill__position")
    )


def providers_recent(*, limit: int = 6) -> list[ProviderProfile]:
    """Recently updated providers who are taking work, for the home page."""
    return list(
        ProviderProfile.objects.exclude(availability=ProviderProfile.Availability.UNAVAILABLE)
        .select_related("user", "organization")
        .filter(Q(user__isnull=True) | Q(user__suspended_at__isnull=True))
        .annotate(skill_count=Count("skill_levels"))
        .order_by("-updated_at")[:limit]
    )


def verification_latest_for_user(*, user: Any) -> VerificationRequest | None:
    return (
        VerificationRequest.objects.filter(
            submitted_by=user, subject=VerificationRequest.Subject.PERSON
        )
        .order_by("-submitted_at")
        .first()
    )


def verification_latest_for_organization(
    *, organization: Organization
) -> VerificationRequest | None:
    return (
        VerificationRequest.objects.filter(
            organization=organization, subject=VerificationRequest.Subject.ORGANIZATION
        )
        .order_by("-submitted_at")
        .first()
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
