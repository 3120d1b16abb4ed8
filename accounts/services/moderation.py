"""Moderators hide a provider profile (a report upheld) and show it again."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import events, signals
from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_answerers
from accounts.services._common import clean_text, require_staff
from accounts.services.notifications import in_language_of, notify
from marketplace.audit import audit_record
from marketplace.errors import FieldErrors, InvalidTransition

HIDE_PERMISSION = "accounts.hide_providerprofile"
REASON_MAX = 500


def provider_profile_hide(
    *, moderator: Any, profile: ProviderProfile, reason: str
) -> ProviderProfile:
    """A moderator hides a profile with a reason: it leaves the directory, search and matching
    (the change event re-indexes it away), its page answers 404 to others and it cannot bid."""
    require_staff(moderator, HIDE_PERMISSION)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=REASON_MAX, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        profile = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.hidden_at is not None:
            raise InvalidTransition(_("This profile is already hidden."), code="already_hidden")
        profile.hidden_at = timezone.now()
        profile.hidden_by = moderator
        profile.hidden_reason = reason
        profile.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
        audit_record(
            actor=moderator, action="provider.hidden", target=profile, data={"reason": reason}
        )
        events.provider_changed(profile, fields=("hidden",))
        signals.provider_profile_hidden.send(
            sender=ProviderProfile, profile=profile, moderator=moderator, reason=reason
        )
        url = profile.get_absolute_url()
        for user in provider_profile_answerers(profile=profile):
            with in_language_of(user):
                title = str(_("A moderator has hidden your provider profile"))
                body = _(
                    "Reason: %(reason)s. Until it is shown again it is out of the directory and "
                    "search, and it cannot bid. Open your profile to see how to appeal."
                ) % {"reason": reason}
            notify(recipient=user, kind="provider.hidden", title=title, body=body, url=url)
    return profile


def provider_profile_show(*, moderator: Any, profile: ProviderProfile) -> ProviderProfile:
    """A moderator shows a hidden profile again; the reason stays in the audit trail."""
    require_staff(moderator, HIDE_PERMISSION)
    with transaction.atomic():
        profile = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.hidden_at is None:
            raise InvalidTransition(_("This profile is not hidden."), code="not_hidden")
        previous = profile.hidden_reason
        profile.hidden_at = None
        profile.hidden_by = None
        profile.hidden_reason = ""
        profile.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
        audit_record(
            actor=moderator,
            action="provider.shown",
            target=profile,
            data={"previous_reason": previous},
        )
        events.provider_changed(profile, fields=("hidden",))
        url = profile.get_absolute_url()
        for user in provider_profile_answerers(profile=profile):
            with in_language_of(user):
                title = str(_("Your provider profile is shown again"))
            notify(recipient=user, kind="provider.shown", title=title, url=url)
    return profile
