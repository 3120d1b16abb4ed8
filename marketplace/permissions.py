"""Checks every service makes on the acting user before anything else."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from marketplace.errors import NotAllowed


def user_may_act(user: Any) -> bool:
    """Signed in, active and not suspended: the precondition of every change a user makes."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(getattr(user, "is_active", False))
        and getattr(user, "suspended_at", None) is None
    )


def require_active_user(user: Any) -> None:
    """Refuse, saying why, unless `user_may_act`; a suspended account can read but not act."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Please sign in first."), code="not_authenticated")
    if not user_may_act(user):
        raise NotAllowed(
            _("Your account is suspended, so you cannot do this. Please contact support."),
            code="suspended",
        )
