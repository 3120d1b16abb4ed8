from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Moderators and mediators both decide objections (the dispute machinery's deciders): their
# groups (tasks' "moderator", disputes' "mediator") read contests and objections.
DECIDER_PERMISSIONS = ("view_contest", "view_objection", "decide_objection")


def deciders_permissions_ensure(sender: Any = None, **kwargs: Any) -> None:
    """Give the moderator and mediator groups the objection permissions; idempotent."""
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.filter(
        content_type__app_label="contests", codename__in=DECIDER_PERMISSIONS
    )
    for name in ("moderator", "mediator"):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


class ContestsConfig(AppConfig):
    """Contest mode (悬赏 / 揭榜挂帅): a prize funded up front, registrations, sealed
    submissions, scorecards, publicity with objections, and the winners' prize contracts."""

    name = "contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        from contests import (  # noqa: F401  (they register notifications, cards, receivers)
            backoffice,
            notifications,
            receivers,
        )

        post_migrate.connect(
            deciders_permissions_ensure, sender=self, dispatch_uid="contests.deciders"
        )
