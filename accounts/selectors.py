"""Reading people and organizations. Pages, APIs, consumers and other apps ask these; they do
not query accounts' tables themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Invitation,
    Membership,
    Notification,
    Organization,
    PortfolioEntry,
    PortfolioFile,
    ProviderFavourite,
    ProviderProfile,
    ProviderSkill,
    Skill,
    SkillCategory,
    User,
    VerificationRequest,
)
from marketplace.errors import NotAllowed, NotFound

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
    if profile.user_id or profile.organization_id is None:
        return [profile.user]
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=profile.organization_id, role__in=MANAGER_ROLES
        ).select_related("user")
    ]


def organization_members(
    *, organization: Organization, roles: tuple[str, ...] | None = None
) -> list[Any]:
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


# --- Permission-checked fetches for pages and APIs ----------------------------------------------
# `*_get_for_user` raise NotFound when the object does not exist or the user may not know it
# exists, so another user's id looks exactly like a wrong id.


def organizations_with_role_for_user(*, user: Any) -> QuerySet[Organization]:
    """The user's organizations, each annotated with `my_role` (one query)."""
    role = Membership.objects.filter(organization=OuterRef("pk"), user=user).values("role")[:1]
    return organizations_for_user(user=user).annotate(my_role=Subquery(role))


def organization_get_for_user(*, user: Any, organization_id: int) -> Organization:
    """Organizations are public to signed-in users; `my_role` is the user's role or None."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("Organization not found."))
    role = Membership.objects.filter(organization=OuterRef("pk"), user=user).values("role")[:1]
    organization = (
        Organization.objects.annotate(my_role=Subquery(role)).filter(pk=organization_id).first()
    )
    if organization is None:
        raise NotFound(_("Organization not found."))
    return organization


_ROLE_RANK = Case(
    When(role=Membership.Role.OWNER, then=Value(0)),
    When(role=Membership.Role.ADMIN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def organization_memberships(*, organization: Organization) -> QuerySet[Membership]:
    """Memberships with their users, owners first, then admins, then members."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by(_ROLE_RANK, "created_at", "pk")
    )


def memberships_for_user(*, user: Any) -> QuerySet[Membership]:
    """The user's own memberships with their organizations, by organization name."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )


def organization_get_public(*, slug: str) -> Organization:
    """An organization's public page is open to everyone, signed in or not."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise NotFound(_("Organization not found."))
    return organization


def organization_memberships_for_user(
    *, user: Any, organization: Organization
) -> QuerySet[Membership]:
    """The member list, which only members may see."""
    if not user_is_member(user=user, organization=organization):
        raise NotAllowed(
            _("Only members of %(org)s can see its members.") % {"org": organization.name}
        )
    return organization_memberships(organization=organization)


def membership_get_for_user(*, user: Any, membership_id: int) -> Membership:
    """A membership is visible to the members of its organization only."""
    membership = (
        Membership.objects.select_related("user", "organization").filter(pk=membership_id).first()
    )
    if membership is None or not user_is_member(user=user, organization=membership.organization):
        raise NotFound(_("Membership not found."))
    return membership


def invitations_pending_for_organization(
    *, user: Any, organization: Organization
) -> QuerySet[Invitation]:
    """Open, unexpired invitations; only the organization's owners and admins see them."""
    if not user_can_manage_organization(user=user, organization=organization):
        raise NotAllowed(
            _("Only the owners and admins of %(org)s can see its invitations.")
            % {"org": organization.name}
        )
    return (
        Invitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def invitation_get_for_manager(*, user: Any, invitation_id: int) -> Invitation:
    """An invitation is visible to its organization's owners and admins only."""
    invitation = Invitation.objects.select_related("organization").filter(pk=invitation_id).first()
    if invitation is None or not user_can_manage_organization(
        user=user, organization=invitation.organization
    ):
        raise NotFound(_("Invitation not found."))
    return invitation


def invitation_get_by_token(*, token: str) -> Invitation:
    """Whoever holds the emailed token may see the invitation it belongs to."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token=token or "")
        .first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    return invitation


def _with_skills(qs: QuerySet[ProviderProfile]) -> QuerySet[ProviderProfile]:
    return qs.select_related("user", "organization").prefetch_related(
        Prefetch(
            "skill_levels",
            queryset=ProviderSkill.objects.select_related("skill__category").order_by(
                "-level", "skill__category__position", "skill__position"
            ),
        )
    )


def provider_profile_get_public(*, user: Any, profile_id: int) -> ProviderProfile:
    """Profiles are public, except a suspended person's, which only they still see."""
    profile = _with_skills(ProviderProfile.objects.filter(pk=profile_id)).first()
    if profile is None:
        raise NotFound(_("Provider not found."))
    if profile.user_id is not None and profile.user is not None:
        hidden = profile.user.suspended_at is not None or not profile.user.is_active
        if hidden and profile.user_id != getattr(user, "pk", None):
            raise NotFound(_("Provider not found."))
    return profile


def provider_profile_get_for_user(*, user: Any, profile_id: int) -> ProviderProfile:
    """A profile the user may act for (their own or their micro-firm's)."""
    profile = _with_skills(provider_profiles_operated_by(user=user).filter(pk=profile_id)).first()
    if profile is None:
        raise NotFound(_("Provider not found."))
    return profile


def provider_profile_for_organization(*, organization: Organization) -> ProviderProfile | None:
    """A micro-firm's provider profile with its skills, if it has set one up."""
    return _with_skills(ProviderProfile.objects.filter(organization=organization)).first()


def provider_profiles_search(*, query: str, limit: int = 10) -> list[ProviderProfile]:
    """Providers whose number, name, firm or headline matches, for pickers (suspended hidden)."""
    text = query.strip()[:80]
    if not text:
        return []
    match = (
        Q(user__name__icontains=text)
        | Q(organization__name__icontains=text)
        | Q(headline__icontains=text)
    )
    if text.isdigit():
        match |= Q(pk=int(text))
    return list(
        ProviderProfile.objects.select_related("user", "organization")
        .filter(match)
        .filter(Q(user__isnull=True) | Q(user__suspended_at__isnull=True, user__is_active=True))
        .order_by("-updated_at", "pk")[:limit]
    )


def provider_profiles_operated_with_skills(*, user: Any) -> QuerySet[ProviderProfile]:
    """The profiles the user acts for, with skills loaded (a fixed number of queries)."""
    return _with_skills(provider_profiles_operated_by(user=user)).order_by("pk")


def provider_profile_mine(*, user: Any) -> ProviderProfile:
    """The user's individual provider profile with skills, or NotFound."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("You have no provider profile yet."))
    profile = _with_skills(ProviderProfile.objects.filter(user=user)).first()
    if profile is None:
        raise NotFound(_("You have no provider profile yet."))
    return profile


def verification_requests_waiting() -> QuerySet[VerificationRequest]:
    """The reviewers' queue: requests waiting for a decision, oldest first."""
    return VerificationRequest.objects.filter(status=VerificationRequest.Status.PENDING).order_by(
        "submitted_at", "id"
    )


def verification_requests_for_user(*, user: Any) -> QuerySet[VerificationRequest]:
    """The requests the user submitted (for themselves and for their organizations)."""
    if not getattr(user, "is_authenticated", False):
        return VerificationRequest.objects.none()
    return VerificationRequest.objects.filter(submitted_by=user).select_related("organization")


def verification_latest_for_user(*, user: Any) -> VerificationRequest | None:
    """The newest request the user submitted to verify their own real name."""
    return (
        verification_requests_for_user(user=user)
        .filter(subject=VerificationRequest.Subject.PERSON)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def verification_latest_for_organization(
    *, organization: Organization
) -> VerificationRequest | None:
    """The newest request to verify the organization, whoever of its managers submitted it."""
    return (
        VerificationRequest.objects.filter(
            organization=organization, subject=VerificationRequest.Subject.ORGANIZATION
        )
        .order_by("-submitted_at", "-pk")
        .first()
    )


# --- portfolios (案例) ---------------------------------------------------------------------------


def _hidden_provider(profile: ProviderProfile) -> bool:
    """A suspended or deactivated person's profile is hidden from everyone but them."""
    user = profile.user if profile.user_id else None
    return user is not None and (user.suspended_at is not None or not user.is_active)


_PUBLIC_PROVIDERS = Q(user__isnull=True) | Q(user__suspended_at__isnull=True, user__is_active=True)


def portfolio_entries_for_profile(*, profile: ProviderProfile) -> list[PortfolioEntry]:
    """The profile's entries in their order, with skills and files (three queries)."""
    return list(
        PortfolioEntry.objects.filter(profile=profile).prefetch_related(
            Prefetch("skills", queryset=Skill.objects.order_by("category__position", "position")),
            "files",
        )
    )


def portfolio_entry_get_for_user(*, user: Any, entry_id: int) -> PortfolioEntry:
    """An entry of a profile the user acts for; NotFound for anyone else's."""
    entry = (
        PortfolioEntry.objects.select_related("profile", "profile__user", "profile__organization")
        .prefetch_related("skills", "files")
        .filter(pk=entry_id, profile__in=provider_profiles_operated_by(user=user))
        .first()
    )
    if entry is None:
        raise NotFound(_("This portfolio entry does not exist or is not yours."))
    return entry


def portfolio_file_get_public(*, user: Any, file_id: int) -> PortfolioFile:
    """A file of a portfolio entry anyone may see (the profile is public)."""
    item = (
        PortfolioFile.objects.select_related(
            "entry", "entry__profile", "entry__profile__user", "entry__profile__organization"
        )
        .filter(pk=file_id)
        .first()
    )
    if item is None or (
        _hidden_provider(item.entry.profile)
        and item.entry.profile.user_id != getattr(user, "pk", None)
    ):
        raise NotFound(_("This file does not exist."))
    return item


def portfolio_file_get_for_user(*, user: Any, file_id: int) -> PortfolioFile:
    """A file of an entry of a profile the user acts for; NotFound for anyone else's."""
    item = (
        PortfolioFile.objects.select_related("entry")
        .filter(pk=file_id, entry__profile__in=provider_profiles_operated_by(user=user))
        .first()
    )
    if item is None:
        raise NotFound(_("This file does not exist or is not yours."))
    return item


# --- pictures and favourites ----------------------------------------------------------------


def user_picture_get(*, user_id: int) -> Any:
    """The avatar of an active, unsuspended person (an empty field if none), or NotFound."""
    person = User.objects.filter(pk=user_id, is_active=True, suspended_at__isnull=True).first()
    if person is None or not person.avatar:
        raise NotFound(_("No such picture."))
    return person.avatar


def organization_picture_get(*, organization_id: int) -> Any:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not organization.logo:
        raise NotFound(_("No such picture."))
    return organization.logo


def provider_favourites_for_user(*, user: Any) -> QuerySet[ProviderFavourite]:
    """The user's starred providers, newest first; hidden providers are left out."""
    if not getattr(user, "is_authenticated", False):
        return ProviderFavourite.objects.none()
    return (
        ProviderFavourite.objects.filter(user=user)
        .filter(profile__in=ProviderProfile.objects.filter(_PUBLIC_PROVIDERS))
        .select_related("profile", "profile__user", "profile__organization")
    )


def provider_is_favourite(*, user: Any, profile: ProviderProfile) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return ProviderFavourite.objects.filter(user=user, profile=profile).exists()


# --- Search ------------------------------------------------------------------------------------


def provider_profiles_searchable() -> QuerySet[ProviderProfile]:
    """Profiles search may show: a suspended or deactivated person's never appears."""
    return ProviderProfile.objects.filter(
        Q(user__isnull=True) | Q(user__suspended_at__isnull=True, user__is_active=True)
    )


def provider_profiles_for_indexing(*, ids: Any = None) -> QuerySet[ProviderProfile]:
    """Searchable profiles (all, or those of `ids`) with their skills, owner and firm."""
    profiles = provider_profiles_searchable()
    if ids is not None:
        profiles = profiles.filter(pk__in=list(ids))
    return _with_skills(profiles).order_by("pk")


def provider_profile_owner_ids(*, profile_ids: Any) -> dict[int, list[int]]:
    """The users who act for each profile (the person, or the firm's owners and admins)."""
    owners: dict[int, list[int]] = {}
    for pk, user_id, org_id in ProviderProfile.objects.filter(pk__in=list(profile_ids)).values_list(
        "pk", "user_id", "organization_id"
    ):
        if user_id:
            owners[pk] = [user_id]
        else:
            owners[pk] = list(
                Membership.objects.filter(
                    organization_id=org_id, role__in=MANAGER_ROLES
                ).values_list("user_id", flat=True)
            )
    return owners
