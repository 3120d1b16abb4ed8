"""Reading people and organizations. Pages, APIs, consumers and other apps ask these; they do
not query accounts' tables themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import (
    Membership,
    Notification,
    Organization,
    ProviderProfile,
    Skill,
    SkillCategory,
)

MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def membership_get(*, user: Any, organization: Organization) -> Membership | None:
    """The user's membership of the organization, or None (also for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organization=organization).first()


def user_is_member(*, user: Any, organization: Organization) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, organization=organization).exists()


def user_can_manage_organization(*, user: Any, organization: Organization) -> bool:
    """Owners and admins manage an organization: its details, members, tasks' awards."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organization=organization, role__in=MANAGER_ROLES
    ).exists()


def organizations_for_user(*, user: Any) -> QuerySet[Organization]:
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).order_by("name")


def organization_ids_for_user(*, user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))


def poster_organizations_for_user(*, user: Any) -> QuerySet[Organization]:
    """Organizations the user may post tasks for (enterprises and government units)."""
    return organizations_for_user(user=user).filter(
        kind__in=[Organization.Kind.ENTERPRISE, Organization.Kind.GOVERNMENT]
    )


def provider_profiles_operated_by(*, user: Any) -> QuerySet[ProviderProfile]:
    """Provider profiles the user may act for: their own, and their micro-firms' (owner/admin)."""
    if not getattr(user, "is_authenticated", False):
        return ProviderProfile.objects.none()
    return ProviderProfile.objects.filter(
        Q(user=user)
        | Q(
            organization__memberships__user=user,
            organization__memberships__role__in=MANAGER_ROLES,
        )
    ).distinct()


def provider_profile_ids_operated_by(*, user: Any) -> list[int]:
    return list(provider_profiles_operated_by(user=user).values_list("id", flat=True))


def user_can_act_for_provider(*, user: Any, profile: ProviderProfile) -> bool:
    return provider_profiles_operated_by(user=user).filter(pk=profile.pk).exists()


def provider_profile_for_user(*, user: Any) -> ProviderProfile | None:
    """The user's own (individual) provider profile, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ProviderProfile.objects.filter(user=user).first()


def provider_profile_members(*, profile: ProviderProfile) -> list[Any]:
    """The people who act for a provider profile: the individual, or the firm's owners/admins."""
    if profile.user_id:
        return [profile.user]
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=profile.organization_id, role__in=MANAGER_ROLES
        ).select_related("user")
    ]


def organization_members(*, organization: Organization, roles: tuple[str, ...] | None = None) -> list[Any]:
    memberships = Membership.objects.filter(organization=organization).select_related("user")
    if roles:
        memberships = memberships.filter(role__in=roles)
    return [m.user for m in memberships]


def skills_grouped() -> list[tuple[SkillCategory, list[Skill]]]:
    """The taxonomy for pickers: categories in order, each with its skills."""
    skills = Skill.objects.select_related("category").order_by(
        "category__position", "position", "slug"
    )
    grouped: dict[int, tuple[SkillCategory, list[Skill]]] = {}
    for skill in skills:
        grouped.setdefault(skill.category_id, (skill.category, []))[1].append(skill)
    return list(grouped.values())


def notifications_for_user(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notifications_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
