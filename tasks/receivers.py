"""What tasks does when the apps below it act (they send signals; they cannot import tasks)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.signals import provider_profile_hidden
from tasks.services.reports import reports_close_on_hidden


@receiver(provider_profile_hidden, dispatch_uid="tasks.close_reports_on_hidden_profile")
def close_reports_on_hidden_profile(
    sender: Any, *, profile: Any, moderator: Any, reason: str, **kwargs: Any
) -> None:
    """A profile hidden from anywhere (a report, its admin page, the API) closes its reports."""
    reports_close_on_hidden(moderator=moderator, kind="profile", object_id=profile.pk, note=reason)
