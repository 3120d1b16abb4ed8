"""Checks every service makes on the acting user before anything else."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from marketplace.errors import NotAllowed


def require_active_user(user: Any) -> None:
    """Signed in and not suspended; a suspended account can read but not act."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Sign in first."), code="not_authenticated")
    if getattr(user, "suspended_at", None) is not None:
        raise NotAllowed(
            _("Your account is suspended, so it cannot do this. Contact support."),
            code="suspended",
        )
