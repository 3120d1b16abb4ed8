from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MODERATOR_GROUP = "moderator"
# What the moderator group holds from tasks and accounts: the task queue and its decisions,
# reports, hiding questions, and suspending accounts (suspend_user, never change_user, which
# would let a moderator edit anyone's account and groups). The verification helper's receiver
# in accounts adds the real-name and red/black-list permissions to the same group.
MODERATOR_PERMISSIONS = {
    "tasks": (
        "moderate_task",
        "view_task",
        "change_task",  # the changelist's actions need it; the rows stay read-only
        "view_taskquestion",
        "handle_report",
        "view_report",
        "change_report",
    ),
    "accounts": ("view_user", "suspend_user", "view_organization", "view_providerprofile"),
    "marketplace": ("view_auditevent",),
}


def moderator_group_ensure(sender: Any = None, **kwargs: Any) -> None:
    """The "moderator" group with its task, report and suspension permissions; idempotent."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, _created = Group.objects.get_or_create(name=MODERATOR_GROUP)
    wanted = Q(pk__in=[])
    for app_label, codenames in MODERATOR_PERMISSIONS.items():
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.add(*Permission.objects.filter(wanted))


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from tasks import (  # noqa: F401  (they register notifications, cards and receivers)
            backoffice,
            notifications,
            receivers,
        )
        from tasks.reports import _register_builtin

        _register_builtin()
        post_migrate.connect(moderator_group_ensure, sender=self, dispatch_uid="tasks.moderator")
