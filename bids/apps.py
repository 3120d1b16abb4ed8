from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MODERATOR_GROUP = "moderator"
# Moderators read reported negotiation messages and hide them (bids.moderation asks for
# tasks.handle_report, which tasks/apps.py gives the same group).
MODERATOR_PERMISSIONS = ("view_negotiationmessage",)


def moderator_group_ensure(sender: Any = None, **kwargs: Any) -> None:
    """The "moderator" group with bids' permissions; idempotent (whichever app runs first)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=MODERATOR_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="bids", codename__in=MODERATOR_PERMISSIONS
        )
    )


class BidsConfig(AppConfig):
    name = "bids"
    verbose_name = _("Bids")

    def ready(self) -> None:
        from bids import notifications, receivers  # noqa: F401  (registers notifications and

        # connects the task signal receivers)
        from bids.reportables import register

        register()  # negotiation messages can be reported
        post_migrate.connect(moderator_group_ensure, sender=self, dispatch_uid="bids.moderator")
