"""The kinds of notification accounts' own services send (organizations, invitations, staff
actions on an account). They are written with accounts.services.notify directly."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from marketplace.notifications import notification_kind

notification_kind("invitation.accepted", gettext_lazy("Invitations to my organizations accepted"))
notification_kind("membership.role_changed", gettext_lazy("My role in an organization changed"))
notification_kind(
    "membership.removed", gettext_lazy("Removed from an organization"), emailable=False
)
notification_kind("account.suspended", gettext_lazy("My account suspended"))
notification_kind("account.unsuspended", gettext_lazy("My account restored"))
notification_kind("provider.hidden", gettext_lazy("My provider profile hidden by a moderator"))
notification_kind("provider.shown", gettext_lazy("My provider profile shown again"))
