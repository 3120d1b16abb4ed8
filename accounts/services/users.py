"""A user's own profile, and staff actions on user accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import events
from accounts.models import User
from accounts.services._common import (
    clean_choice,
    clean_text,
    require_staff,
)
from accounts.services.notifications import in_language_of, notify
from marketplace.audit import audit_record
from marketplace.errors import FieldErrors, InvalidTransition, NotAllowed
from marketplace.permissions import require_active_user

# Moderators hold suspend_user without change_user (which would let them edit any account);
# staff who may change accounts may suspend them too.
SUSPEND_PERMISSIONS = ("accounts.suspend_user", "accounts.change_user")


def _require_suspender(actor: Any) -> None:
    perm = next((p for p in SUSPEND_PERMISSIONS if actor.has_perm(p)), SUSPEND_PERMISSIONS[0])
    require_staff(actor, perm)


def user_profile_update(*, user: Any, name: str, language: str, role: str | None = None) -> User:
    """A user changes their own display name, language and role (nobody else's); a role of
    None keeps the current one."""
    require_active_user(user)
    errors = FieldErrors()
    name = clean_text(errors, "name", name, max_length=80, required=True)
    language = clean_choice(errors, "language", language, settings.LANGUAGES)
    if role is not None:
        role = clean_choice(errors, "role", role, User.Role.choices)
    errors.raise_if_any()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        wanted = [("name", name), ("language", language)]
        if role is not None:
            wanted.append(("role", role))
        changed = {k: v for k, v in wanted if getattr(user, k) != v}
        for field, value in changed.items():
            setattr(user, field, value)
        if changed:
            user.save(update_fields=list(changed))
            audit_record(actor=user, action="user.profile_update", target=user,
                         data={"fields": sorted(changed)})  # fmt: skip
            events.user_changed(user, fields=changed)
    return user


def user_suspend(*, actor: Any, user: User, reason: str) -> User:
    """Staff suspend an active account with a reason; nobody suspends themselves."""
    _require_suspender(actor)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=2000, required=True)
    errors.raise_if_any()
    if user.pk == actor.pk:
        raise NotAllowed(_("You cannot suspend your own account."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_superuser and not actor.is_superuser:
            raise NotAllowed(_("Only a superuser can suspend a superuser."))
        if user.suspended_at is not None:
            raise InvalidTransition(_("This account is already suspended."), code="suspended")
        user.suspended_at = timezone.now()
        user.suspension_reason = reason
        user.save(update_fields=["suspended_at", "suspension_reason"])
        audit_record(actor=actor, action="user.suspended", target=user, data={"reason": reason})
        events.user_changed(user, fields=("suspended",))
        with in_language_of(user):
            title = str(_("Your account has been suspended"))
            body = _("Reason: %(reason)s") % {"reason": reason}
        notify(recipient=user, kind="account.suspended", title=title, body=body)
    return user


def user_unsuspend(*, actor: Any, user: User) -> User:
    """Staff lift a suspension; the reason is kept in the audit trail only."""
    _require_suspender(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.suspended_at is None:
            raise InvalidTransition(_("This account is not suspended."), code="not_suspended")
        previous_reason = user.suspension_reason
        user.suspended_at = None
        user.suspension_reason = ""
        user.save(update_fields=["suspended_at", "suspension_reason"])
        audit_record(
            actor=actor,
            action="user.unsuspended",
            target=user,
            data={"previous_reason": previous_reason},
        )
        events.user_changed(user, fields=("suspended",))
        with in_language_of(user):
            title = str(_("Your account is active again"))
        notify(recipient=user, kind="account.unsuspended", title=title)
    return user


def api_token_issue(*, user: Any) -> str:
    """The user's API token (one per user, created on first use); suspended users get none."""
    from rest_framework.authtoken.models import Token

    require_active_user(user)
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit_record(actor=user, action="user.api_token_issue", target=user)
    return token.key


def api_token_revoke(*, user: Any) -> bool:
    """Delete the user's API token; the next issue gives a new key. Returns whether one existed."""
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="user.api_token_revoke", target=user)
    return bool(deleted)
