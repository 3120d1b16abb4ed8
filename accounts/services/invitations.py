"""Invitations: a manager invites an email address; its verified owner accepts once."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, Membership, Organization
from accounts.services._common import (
    clean_choice,
    integrity_as,
    lock_organization,
    require_manager,
)
from accounts.services.notifications import in_language_of, notify
from marketplace.audit import audit_record
from marketplace.errors import Conflict, FieldErrors, InvalidTransition, NotAllowed, NotFound
from marketplace.permissions import require_active_user


def invitation_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "INVITATION_EXPIRY_DAYS", 14)))


def invitation_accept_url(invitation: Invitation) -> str:
    """The page the frontend serves for accepting an invitation."""
    return f"{settings.SITE_URL.rstrip('/')}/invitations/{invitation.token}/"


def _queue_invitation_email(invitation_id: int) -> None:
    from accounts.tasks import send_invitation_email

    send_invitation_email.delay(invitation_id)


def invitation_create(
    *, actor: Any, organization: Organization, email: str, role: str
) -> Invitation:
    """One pending invitation per organization and email, never to a member; only owners
    invite owners."""
    require_active_user(actor)
    errors = FieldErrors()
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        errors.add("email", _("Enter a valid email address."))
    role = clean_choice(errors, "role", role, Membership.Role.choices)
    errors.raise_if_any()

    with transaction.atomic():
        organization = lock_organization(organization)
        manager = require_manager(actor=actor, organization=organization)
        if role == Membership.Role.OWNER and manager.role != Membership.Role.OWNER:
            raise NotAllowed(_("Only an owner can invite another owner."))
        if Membership.objects.filter(
            organization_id=organization.pk, user__email__iexact=email
        ).exists():
            raise Conflict(
                _("%(email)s is already a member of %(org)s.")
                % {"email": email, "org": organization.name},
                fields={"email": [_("Already a member.")]},
            )
        now = timezone.now()
        unfinished = Invitation.objects.select_for_update().filter(
            organization_id=organization.pk,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        for old in unfinished:
            if old.expires_at > now:
                raise Conflict(
                    _("%(email)s already has a pending invitation to %(org)s.")
                    % {"email": email, "org": organization.name},
                    fields={"email": [_("Already invited.")]},
                )
            # An expired invitation no longer counts: close it so the new one can be pending.
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        with integrity_as(
            lambda: Conflict(
                _("%(email)s already has a pending invitation to %(org)s.")
                % {"email": email, "org": organization.name},
                fields={"email": [_("Already invited.")]},
            )
        ):
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                role=role,
                token=secrets.token_urlsafe(32),
                invited_by=actor,
                expires_at=now + invitation_lifetime(),
            )
        audit_record(
            actor=actor,
            action="invitation.created",
            target=invitation,
            data={"organization_id": organization.pk, "email": email, "role": role},
        )
        transaction.on_commit(partial(_queue_invitation_email, invitation.pk))
    return invitation


def invitation_accept(*, user: Any, token: str) -> Membership:
    """A pending invitation becomes exactly one membership, for the verified owner of its email."""
    require_active_user(user)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("organization")
            .filter(token=token or "")
            .first()
        )
        if invitation is None:
            raise NotFound(_("This invitation link is not valid."))
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id == user.pk:
                existing = Membership.objects.filter(
                    user_id=user.pk, organization_id=invitation.organization_id
                ).first()
                if existing is not None:
                    return existing  # a second click on the same link: nothing more to do
            raise InvalidTransition(
                _("This invitation has already been used."), code="invitation_used"
            )
        if invitation.revoked_at is not None:
            raise InvalidTransition(
                _("This invitation was withdrawn. Ask the organization for a new one."),
                code="invitation_revoked",
            )
        if invitation.expires_at <= timezone.now():
            raise InvalidTransition(
                _("This invitation has expired. Ask the organization for a new one."),
                code="invitation_expired",
            )
        if user.email.lower() != invitation.email.lower():
            raise NotAllowed(
                _(
                    "This invitation was sent to another email address. Sign in with the "
                    "address it was sent to."
                ),
                code="email_mismatch",
            )
        if not EmailAddress.objects.filter(
            user_id=user.pk, email__iexact=invitation.email, verified=True
        ).exists():
            raise NotAllowed(
                _("Please confirm your email address first, then open the invitation again."),
                code="email_unverified",
            )
        if Membership.objects.filter(
            user_id=user.pk, organization_id=invitation.organization_id
        ).exists():
            raise Conflict(
                _("You are already a member of %(org)s.") % {"org": invitation.organization.name}
            )
        with integrity_as(
            lambda: Conflict(
                _("You are already a member of %(org)s.") % {"org": invitation.organization.name}
            )
        ):
            membership = Membership.objects.create(
                user=user, organization=invitation.organization, role=invitation.role
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            action="invitation.accepted",
            target=invitation,
            data={
                "organization_id": invitation.organization_id,
                "role": invitation.role,
                "membership_id": membership.pk,
            },
        )
        inviter = invitation.invited_by
        if inviter is not None and inviter.pk != user.pk:
            with in_language_of(inviter):
                title = _("%(name)s joined %(org)s") % {
                    "name": user.display_name,
                    "org": invitation.organization.name,
                }
            notify(
                recipient=inviter,
                kind="invitation.accepted",
                title=title,
                dedupe_key=f"invitation:{invitation.pk}:accepted",
                email=False,
            )
    return membership


def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    """Only a pending invitation is withdrawn, by the organization's managers (or staff)."""
    require_active_user(actor)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        organization = invitation.organization
        staff_override = actor.is_staff and actor.has_perm("accounts.change_invitation")
        if not staff_override:
            manager = require_manager(actor=actor, organization=organization)
            if invitation.role == Membership.Role.OWNER and manager.role != Membership.Role.OWNER:
                raise NotAllowed(_("Only an owner can withdraw an invitation to become an owner."))
        if invitation.accepted_at is not None:
            raise InvalidTransition(
                _("This invitation has already been accepted."), code="invitation_used"
            )
        if invitation.revoked_at is not None:
            raise InvalidTransition(
                _("This invitation has already been withdrawn."), code="invitation_revoked"
            )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="invitation.revoked",
            target=invitation,
            data={"organization_id": organization.pk, "email": invitation.email},
        )
    return invitation
