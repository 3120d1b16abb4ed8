"""Reading people and organizations. Pages, APIs, consumers and other apps ask these; they do
not query accounts' tables themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
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

from accounts.access import memo
from accounts.models import (
    CreditListAppeal,
    CreditListEntry,
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
from marketplace.permissions import user_may_act

MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)
# The kinds of organization that post tasks.
POSTER_KINDS = (Organization.Kind.ENTERPRISE, Organization.Kind.GOVERNMENT)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def memberships_read(*, user: Any) -> list[Membership]:
    """The user's memberships with their organizations, by organization name: one query per
    request (accounts.access), shared by every question asked of them on the way."""
    if not _authenticated(user):
        return []

    def compute() -> list[Membership]:
        memberships = list(memberships_for_user(user=user))
        for membership in memberships:
            membership.user = user  # their own: no second read of the user
        return memberships

    return list(memo(user, "memberships", compute))


def membership_roles(*, user: Any) -> dict[int, str]:
    """Organization id → the user's role there, from memberships_read (once per request)."""
    if not _authenticated(user):
        return {}
    return memo(
        user, "roles", lambda: {m.organization_id: m.role for m in memberships_read(user=user)}
    )


def user_role_in(*, user: Any, organization_id: int | None) -> str | None:
    """The user's role in the organization, or None."""
    return membership_roles(user=user).get(organization_id) if organization_id else None


def membership_get(*, user: Any, organization: Organization) -> Membership | None:
    """The user's membership of the organization, or None (also for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organization=organization).first()


def user_is_member(*, user: Any, organization: Organization) -> bool:
    return user_role_in(user=user, organization_id=organization.pk) is not None


def user_can_manage_organization(*, user: Any, organization: Organization) -> bool:
    """Owners and admins manage an organization: its details, members, tasks' awards."""
    return user_role_in(user=user, organization_id=organization.pk) in MANAGER_ROLES


def organizations_for_user(*, user: Any) -> QuerySet[Organization]:
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).order_by("name")


def organization_ids_for_user(*, user: Any) -> list[int]:
    return list(membership_roles(user=user))


def poster_organizations_for_user(*, user: Any) -> QuerySet[Organization]:
    """Organizations the user may post tasks for (enterprises and government units)."""
    return organizations_for_user(user=user).filter(kind__in=POSTER_KINDS)


def provider_profiles_operated_by(*, user: Any) -> QuerySet[ProviderProfile]:
    """Provider profiles the user may act for: their own, and their micro-firms' (owner/admin)."""
    if not getattr(user, "is_authenticated", False):
        return ProviderProfile.objects.none()
    # The firms they manage as a subquery, not a join: one row per profile, so no DISTINCT.
    managed = Membership.objects.filter(user=user, role__in=MANAGER_ROLES)
    return ProviderProfile.objects.filter(
        Q(user=user) | Q(organization_id__in=managed.values("organization_id"))
    )


def provider_profiles_operated(*, user: Any) -> list[ProviderProfile]:
    """The profiles provider_profiles_operated_by returns, with their person and firm, oldest
    first: read once per request (accounts.access) for every card and check that asks."""
    if not _authenticated(user):
        return []

    def compute() -> list[ProviderProfile]:
        profiles = provider_profiles_operated_by(user=user).select_related("user", "organization")
        return list(profiles.order_by("pk"))

    return list(memo(user, "operated", compute))


def user_may_post(*, user: Any) -> bool:
    """Whether the user belongs to an organization that posts tasks (poster_organizations_for
    _user), decided from the memberships read once per request."""
    return any(m.organization.kind in POSTER_KINDS for m in memberships_read(user=user))


def provider_profile_ids_operated_by(*, user: Any) -> list[int]:
    """Ids of the profiles provider_profiles_operated_by returns, read once per request."""
    return [profile.pk for profile in provider_profiles_operated(user=user)]


def user_can_act_for_provider(*, user: Any, profile: ProviderProfile) -> bool:
    """The rule of provider_profiles_operated_by for one profile in hand: their own, or their
    firm's as its owner or admin. Asked of the user's memberships (read once per request), so
    it costs no statement of its own."""
    if not _authenticated(user):
        return False
    if profile.user_id is not None and profile.user_id == user.pk:
        return True
    return user_role_in(user=user, organization_id=profile.organization_id) in MANAGER_ROLES


def provider_profile_for_user(*, user: Any) -> ProviderProfile | None:
    """The user's own (individual) provider profile, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    profile = ProviderProfile.objects.filter(user=user).first()
    if profile is not None:
        profile.user = user  # their own: no second read of the user for its name
    return profile


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


SKILLS_CACHE_KEY = "taxonomy:skills-grouped:v1"


def skills_grouped() -> list[tuple[SkillCategory, list[Skill]]]:
    """The taxonomy for pickers: categories in order, each with its skills.

    The same for everyone, on every browse and form page: kept in the cache, dropped whenever
    a skill or category is saved or deleted (accounts.apps), so no page shows a stale one."""
    cached = cache.get(SKILLS_CACHE_KEY)
    if cached is not None:
        return cached
    skills = Skill.objects.select_related("category").order_by(
        "category__position", "position", "slug"
    )
    grouped: dict[int, tuple[SkillCategory, list[Skill]]] = {}
    for skill in skills:
        grouped.setdefault(skill.category_id, (skill.category, []))[1].append(skill)
    result = list(grouped.values())
    cache.set(SKILLS_CACHE_KEY, result, 24 * 3600)
    return result


def skills_changed(**kwargs: Any) -> None:
    """A skill or category changed: the cached taxonomy goes (after commit, so a concurrent
    reader cannot put the old one back from before the change)."""
    from django.db import transaction

    cache.delete(SKILLS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SKILLS_CACHE_KEY))


def notifications_for_user(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notifications_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationGroup:
    """Similar notifications shown as one: the newest, and how many there are. Unread ones
    with the same group key (one kind, one page) group; read ones stay one per row."""

    newest: Notification
    ids: list[int]

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def unread(self) -> bool:
        return self.newest.read_at is None

    @property
    def title(self) -> str:
        """ "3 new bids on …" in the active language; the newest's own title for a single one."""
        from marketplace.notifications import render_group_title

        if self.count == 1:
            return self.newest.shown_title
        return render_group_title(
            kind=self.newest.kind,
            count=self.count,
            newest_title=self.newest.params.get("title"),
            fallback=self.newest.shown_title,
        )


def notifications_grouped(notifications: Iterable[Notification]) -> list[NotificationGroup]:
    """Group one page of notifications (newest first): each unread one joins the group of the
    first unread one with its group key; read ones are shown one by one."""
    groups: list[NotificationGroup] = []
    open_groups: dict[str, NotificationGroup] = {}
    for notification in notifications:
        key = notification.group_key
        if notification.read_at is None and key:
            group = open_groups.get(key)
            if group is not None:
                group.ids.append(notification.pk)
                continue
            group = NotificationGroup(notification, [notification.pk])
            open_groups[key] = group
        else:
            group = NotificationGroup(notification, [notification.pk])
        groups.append(group)
    return groups


def notification_get_for_user(*, user: Any, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, recipient_id=user.pk).first()
    if notification is None:
        raise NotFound(_("No such notification."))
    return notification


def notification_email_preferences(*, user: Any) -> list[dict[str, Any]]:
    """Every kind a person can choose to have emailed, with its label and whether it is."""
    from accounts.models import NotificationEmailOptOut
    from marketplace.notifications import notification_kinds

    off = set(
        NotificationEmailOptOut.objects.filter(user_id=user.pk).values_list("kind", flat=True)
    )
    return [
        {"kind": kind.name, "label": str(kind.label), "email": kind.name not in off}
        for kind in notification_kinds()
        if kind.emailable
    ]


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
    """Profiles are public, except a suspended person's, which only they still see, and one a
    moderator hid, which only those who act for it still see (with the reason)."""
    profile = _with_skills(ProviderProfile.objects.filter(pk=profile_id)).first()
    if profile is None:
        raise NotFound(_("Provider not found."))
    if profile.user_id is not None and profile.user is not None:
        hidden = profile.user.suspended_at is not None or not profile.user.is_active
        if hidden and profile.user_id != getattr(user, "pk", None):
            raise NotFound(_("Provider not found."))
    if profile.hidden_at is not None and profile.pk not in provider_profile_ids_operated_by(
        user=user
    ):
        raise NotFound(_("Provider not found."))
    return profile


def provider_profile_answerers(*, profile: ProviderProfile) -> list[Any]:
    """Who answers for a profile: the person, or the micro-firm's owners and admins."""
    if profile.user_id or profile.organization_id is None:
        return [profile.user] if profile.user_id else []
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=profile.organization_id, role__in=MANAGER_ROLES
        ).select_related("user")
    ]


def user_can_hide_profiles(user: Any) -> bool:
    """Staff who may hide and show provider profiles (moderators), not suspended."""
    return (
        user_may_act(user)
        and bool(getattr(user, "is_staff", False))
        and user.has_perm("accounts.hide_providerprofile")
    )


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
        .filter(hidden_at__isnull=True)
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
    return (
        VerificationRequest.objects.filter(submitted_by=user)
        .select_related("organization")
        .prefetch_related("evidence")
    )


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


_PUBLIC_PROVIDERS = (
    Q(user__isnull=True) | Q(user__suspended_at__isnull=True, user__is_active=True)
) & Q(hidden_at__isnull=True)


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
    """Profiles search may show: a suspended or deactivated person's never appears, nor one a
    moderator hid."""
    return ProviderProfile.objects.filter(
        Q(user__isnull=True) | Q(user__suspended_at__isnull=True, user__is_active=True),
        hidden_at__isnull=True,
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


# --- The credit red/black list (诚信红黑榜) ---------------------------------------------------


def _active(now: Any = None) -> Q:
    now = now or timezone.now()
    return Q(lifted_at__isnull=True, starts_at__lte=now, expires_at__gt=now)


def credit_list_active(*, kind: str | None = None) -> QuerySet[CreditListEntry]:
    """Entries that apply now (started, not expired, not lifted), newest first."""
    entries = CreditListEntry.objects.filter(_active()).select_related("user", "organization")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-starts_at", "-id")


def black_list_entry_for(
    *, user: Any = None, organization: Organization | None = None
) -> CreditListEntry | None:
    """The black-list entry that applies now to the person or to the organization (either may
    be given; the first found), or None. Posting and bidding refuse through this."""
    parties = Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        parties |= Q(user_id=user.pk)
    if organization is not None:
        parties |= Q(organization_id=organization.pk)
    return (
        CreditListEntry.objects.filter(_active(), parties, kind=CreditListEntry.Kind.BLACK)
        .order_by("expires_at")
        .last()
    )


def black_list_entry_for_provider(*, profile: ProviderProfile) -> CreditListEntry | None:
    if profile.organization_id:
        return black_list_entry_for(organization=profile.organization)
    return black_list_entry_for(user=profile.user)


def black_list_entry_for_bidder(*, user: Any, provider: ProviderProfile) -> CreditListEntry | None:
    """The black-list entry that bars `user` from acting for `provider` now: the person acting
    (preferred, it is theirs to appeal), or the provider's firm or person; None when neither is
    listed. One statement, from the ids in hand; the party comes with it for the message."""
    parties = Q(pk__in=[])
    if _authenticated(user):
        parties |= Q(user_id=user.pk)
    if provider.organization_id:
        parties |= Q(organization_id=provider.organization_id)
    elif provider.user_id:
        parties |= Q(user_id=provider.user_id)
    acting = user.pk if _authenticated(user) else None
    return (
        CreditListEntry.objects.filter(_active(), parties, kind=CreditListEntry.Kind.BLACK)
        .select_related("user", "organization")
        .order_by(
            Case(
                When(user_id=acting, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            "-expires_at",
        )
        .first()
    )


def black_listed_provider_id_query() -> QuerySet[ProviderProfile, int]:
    """The ids (a flat values_list, not yet run) of the provider profiles whose person or firm
    is black-listed now, for a caller to run alone or beside another id query in one
    statement (matching unions it with who bid)."""
    black = CreditListEntry.objects.filter(_active(), kind=CreditListEntry.Kind.BLACK)
    return ProviderProfile.objects.filter(
        Q(user_id__in=black.filter(user__isnull=False).values("user_id"))
        | Q(organization_id__in=black.filter(organization__isnull=False).values("organization_id"))
    ).values_list("pk", flat=True)


def black_listed_provider_ids() -> set[int]:
    """Provider profiles whose person or firm is black-listed now: search and matching leave
    them out (DESIGN §7). Read from PostgreSQL at query time, so an entry's expiry applies at
    once, without waiting for a re-index."""
    return set(black_listed_provider_id_query())


def black_listed_organization_id_query() -> QuerySet[CreditListEntry, int]:
    """The ids (a flat values_list, not yet run) of the organizations black-listed now."""
    return CreditListEntry.objects.filter(
        _active(), kind=CreditListEntry.Kind.BLACK, organization__isnull=False
    ).values_list("organization_id", flat=True)


def credit_list_entries_of(
    *, user_ids: Any = (), organization_ids: Any = ()
) -> list[CreditListEntry]:
    """The entries that apply now to any of the given people and organizations (the credit
    score reads these)."""
    return list(
        CreditListEntry.objects.filter(_active()).filter(
            Q(user_id__in=list(user_ids)) | Q(organization_id__in=list(organization_ids))
        )
    )


def credit_list_party_users(*, entry: CreditListEntry) -> list[Any]:
    """Who answers for the listed party: the person, or the organization's owners and admins."""
    if entry.user_id:
        return [entry.user]
    assert entry.organization_id is not None
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=entry.organization_id, role__in=MANAGER_ROLES
        ).select_related("user")
    ]


def user_may_appeal_entry(*, user: Any, entry: CreditListEntry) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if entry.user_id:
        return bool(entry.user_id == user.pk)
    assert entry.organization_id is not None
    return Membership.objects.filter(
        user_id=user.pk, organization_id=entry.organization_id, role__in=MANAGER_ROLES
    ).exists()


def credit_list_entries_for_user(*, user: Any) -> QuerySet[CreditListEntry]:
    """Every entry about the user or an organization they manage (current and past), with its
    appeals: the listed party's own page."""
    if not getattr(user, "is_authenticated", False):
        return CreditListEntry.objects.none()
    managed = Membership.objects.filter(user_id=user.pk, role__in=MANAGER_ROLES).values(
        "organization_id"
    )
    return (
        CreditListEntry.objects.filter(Q(user_id=user.pk) | Q(organization_id__in=managed))
        .select_related("user", "organization")
        .prefetch_related(
            Prefetch("appeals", queryset=CreditListAppeal.objects.order_by("-filed_at"))
        )
        .order_by("-starts_at", "-id")
    )


def credit_list_entry_get_for_party(*, user: Any, entry_id: int) -> CreditListEntry:
    """An entry the user may appeal; NotFound otherwise (never says it exists)."""
    entry = credit_list_entries_for_user(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("This entry does not exist or is not about you."))
    return entry
