from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MEDIATOR_GROUP = "mediator"
# What a mediator holds: the disputes (to read and decide), the contracts and deliveries they
# are about (contracts.selectors lets contracts.view_contract read any contract).
MEDIATOR_PERMISSIONS = (
    ("disputes", "view_dispute"),
    ("disputes", "decide_dispute"),
    ("disputes", "view_disputeevidence"),
    ("disputes", "view_disputedecision"),
    ("disputes", "view_disputeappeal"),
    ("contracts", "view_contract"),
    ("contracts", "view_milestone"),
    ("contracts", "view_delivery"),
)


def mediator_group_ensure(sender: Any = None, **kwargs: Any) -> None:
    """The "mediator" group with its permissions; idempotent (runs after migrate)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, _created = Group.objects.get_or_create(name=MEDIATOR_GROUP)
    wanted = Q()
    for app_label, codename in MEDIATOR_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        from disputes import backoffice, notifications  # noqa: F401  (they register themselves)

        post_migrate.connect(mediator_group_ensure, sender=self, dispatch_uid="disputes.mediator")
