from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

FINANCE_GROUP = "finance"
# What the finance group holds: issue vouchers, read every programme's report, hear of card
# disputes and reconciliation mismatches (handle_finance), and look at the payments records in
# the back office.
FINANCE_PERMISSIONS = (
    "handle_finance",
    "view_reconciliationmismatch",
    "change_reconciliationmismatch",
    "view_carddispute",
    "view_connectedaccount",
    "issue_voucher",
    "view_voucher_report",
    "view_voucherprogramme",
    "add_voucherprogramme",
    "change_voucherprogramme",
    "view_voucher",
    "view_voucherclaim",
    "view_voucherreturn",
)


def finance_group_ensure(sender: Any = None, **kwargs: Any) -> None:
    """The "finance" group with its permissions; idempotent (runs after migrate)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=FINANCE_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label="payments", codename__in=FINANCE_PERMISSIONS
    )
    group.permissions.add(*perms)


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from contracts.signals import milestone_accepted
        from payments import (  # noqa: F401  (they register notifications and dashboard cards)
            backoffice,
            notifications,
            voucher_notifications,
        )
        from payments.receivers import on_milestone_accepted

        milestone_accepted.connect(on_milestone_accepted, dispatch_uid="payments.release")
        post_migrate.connect(finance_group_ensure, sender=self, dispatch_uid="payments.finance")
