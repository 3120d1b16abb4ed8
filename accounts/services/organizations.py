"""Organizations and their memberships: who belongs, with which role."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts import events
from accounts.models import Membership, Organization
from accounts.services._common import (
    UNSET,
    clean_choice,
    clean_region,
    clean_text,
    clean_url,
    lock_organization,
    require_manager,
)
from accounts.services.notifications import in_language_of, notify
from marketplace.audit import audit_record
from marketplace.errors import (
    Conflict,
    FieldErrors,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from marketplace.permissions import require_active_user

SLUG_MAX = 50  # leaves room for a random suffix within the 60-character column


def _slug_candidates(name: str) -> list[str]:
    """An ASCII slug from the name when it has Latin letters, then random fallbacks.

    Chinese names slugify to nothing, so they get `org-<random>`.
    """
    base = slugify(name)[:SLUG_MAX].strip("-")
    candidates = [base] if base else []
    prefix = base or "org"
    candidates += [f"{prefix}-{secrets.token_hex(3)}" for _ in range(5)]
    return candidates


def _clean_organization_fields(
    errors: FieldErrors, *, name: Any, region: Any, description: Any, website: Any
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if name is not UNSET:
        cleaned["name"] = clean_text(errors, "name", name, max_length=120, required=True)
    if region is not UNSET:
        cleaned["region"] = clean_region(errors, "region", region)
    if description is not UNSET:
        cleaned["description"] = clean_text(errors, "description", description, max_length=4000)
    if website is not UNSET:
        cleaned["website"] = clean_url(errors, "website", website)
    return cleaned


def organization_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    region: str = "",
    description: str = "",
    website: str = "",
) -> Organization:
    """Create an organization whose creator is its first owner; its slug is unique ASCII."""
    require_active_user(actor)
    errors = FieldErrors()
    cleaned = _clean_organization_fields(
        errors, name=name, region=region, description=description, website=website
    )
    cleaned["kind"] = clean_choice(errors, "kind", kind, Organization.Kind.choices)
    errors.raise_if_any()

    with transaction.atomic():
        organization: Organization | None = None
        for slug in _slug_candidates(cleaned["name"]):
            if Organization.objects.filter(slug=slug).exists():
                continue
            try:
                with transaction.atomic():
                    organization = Organization.objects.create(
                        slug=slug, created_by=actor, **cleaned
                    )
                break
            except IntegrityError:
                continue  # taken by a concurrent create: try the next candidate
        if organization is None:
            raise Conflict(_("Could not find a free short name; please try again."))
        Membership.objects.create(user=actor, organization=organization, role=Membership.Role.OWNER)
        audit_record(
            actor=actor,
            action="organization.created",
            target=organization,
            data={"name": organization.name, "kind": organization.kind, "slug": organization.slug},
        )
    return organization


def organization_update(
    *,
    actor: Any,
    organization: Organization,
    name: Any = UNSET,
    kind: Any = UNSET,
    region: Any = UNSET,
    description: Any = UNSET,
    website: Any = UNSET,
) -> Organization:
    """Owners and admins change an organization's details; a verified one keeps its kind."""
    require_active_user(actor)
    errors = FieldErrors()
    cleaned = _clean_organization_fields(
        errors, name=name, region=region, description=description, website=website
    )
    if kind is not UNSET:
        cleaned["kind"] = clean_choice(errors, "kind", kind, Organization.Kind.choices)
    errors.raise_if_any()

    with transaction.atomic():
        organization = lock_organization(organization)
        require_manager(actor=actor, organization=organization)
        if "kind" in cleaned and cleaned["kind"] != organization.kind:
            if organization.is_verified:
                raise ValidationFailed(
                    _("A verified organization cannot change its kind."),
                    fields={"kind": [_("A verified organization cannot change its kind.")]},
                )
            if hasattr(organization, "provider_profile"):
                raise ValidationFailed(
                    _("This micro-firm has a provider profile, so it must stay a micro-firm."),
                    fields={"kind": [_("A micro-firm with a provider profile keeps its kind.")]},
                )
        changed = {
            field: value
            for field, value in cleaned.items()
            if getattr(organization, field) != value
        }
        if not changed:
            return organization
        before = {field: getattr(organization, field) for field in changed}
        for field, value in changed.items():
            setattr(organization, field, value)
        organization.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action="organization.updated",
            target=organization,
            data={"before": before, "after": changed},
        )
        events.organization_changed(organization, fields=changed)
    return organization


def _owner_count(organization: Organization) -> int:
    return Membership.objects.filter(
        organization_id=organization.pk, role=Membership.Role.OWNER
    ).count()


def membership_set_role(*, actor: Any, membership: Membership, role: str) -> Membership:
    """Owners and admins change roles; only owners make or unmake owners; one owner always stays."""
    require_active_user(actor)
    errors = FieldErrors()
    role = clean_choice(errors, "role", role, Membership.Role.choices)
    errors.raise_if_any()

    with transaction.atomic():
        organization = lock_organization(membership.organization)
        actor_membership = require_manager(actor=actor, organization=organization)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == role:
            return membership
        touches_owner = Membership.Role.OWNER in (role, membership.role)
        if touches_owner and actor_membership.role != Membership.Role.OWNER:
            raise NotAllowed(
                _("Only an owner can make someone an owner or change an owner's role.")
            )
        if membership.role == Membership.Role.OWNER and _owner_count(organization) <= 1:
            raise InvalidTransition(
                _("%(org)s needs at least one owner: make someone else an owner first.")
                % {"org": organization.name},
                code="last_owner",
            )
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="membership.role_changed",
            target=membership,
            data={"user_id": membership.user_id, "from": previous, "to": role},
        )
        if membership.user_id != actor.pk:
            with in_language_of(membership.user):
                title = _("Your role in %(org)s is now %(role)s") % {
                    "org": organization.name,
                    "role": membership.get_role_display(),
                }
            notify(
                recipient=membership.user,
                kind="membership.role_changed",
                title=title,
                email=False,
            )
    return membership


def membership_remove(*, actor: Any, membership: Membership) -> None:
    """Managers remove members (only owners remove owners); anyone may leave; one owner stays."""
    with transaction.atomic():
        organization = lock_organization(membership.organization)
        target = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if target is None:
            return  # already gone: removing twice is a no-op
        leaving = target.user_id == getattr(actor, "pk", None)
        if leaving:
            if not getattr(actor, "is_authenticated", False):
                raise NotAllowed(_("Please sign in first."))
        else:
            require_active_user(actor)
            actor_membership = require_manager(actor=actor, organization=organization)
            if (
                target.role == Membership.Role.OWNER
                and actor_membership.role != Membership.Role.OWNER
            ):
                raise NotAllowed(_("Only an owner can remove another owner."))
        if target.role == Membership.Role.OWNER and _owner_count(organization) <= 1:
            raise InvalidTransition(
                _("%(org)s needs at least one owner: make someone else an owner first.")
                % {"org": organization.name},
                code="last_owner",
            )
        audit_record(
            actor=actor,
            action="membership.left" if leaving else "membership.removed",
            target=organization,
            data={"user_id": target.user_id, "role": target.role, "membership_id": target.pk},
        )
        target.delete()
        if not leaving:
            with in_language_of(target.user):
                title = _("You are no longer a member of %(org)s") % {"org": organization.name}
            notify(recipient=target.user, kind="membership.removed", title=title, email=False)
