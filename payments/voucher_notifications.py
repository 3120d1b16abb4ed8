"""Who hears about innovation vouchers: the holder organization's owners and admins."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import MANAGER_ROLES, organization_members
from marketplace.notifications import link, notification, notification_kind, t
from payments.models import Voucher

notification_kind("voucher_issued", gettext_lazy("Innovation vouchers received"))


@notification("voucher_issued")
def _voucher_issued(event: str, voucher_id: int, tag: str) -> None:
    voucher = Voucher.objects.select_related("programme__issuer", "organization").get(pk=voucher_id)
    programme = voucher.programme
    _send(
        organization_members(organization=voucher.organization, roles=MANAGER_ROLES),
        Message(
            "voucher_issued",
            t(
                gettext_noop("Innovation voucher received: %(value)s from %(issuer)s"),
                {"value": voucher.face_value_money, "issuer": programme.issuer.name},
            ),
            t(
                gettext_noop(
                    "Voucher %(code)s of “%(programme)s” is valid until %(date)s. Apply it when "
                    "you fund a contract's escrow; it pays up to %(share)s%% of the funding."
                ),
                {
                    "code": voucher.code,
                    "programme": programme.name,
                    "date": voucher.valid_until.isoformat(),
                    "share": programme.share_percent,
                },
            ),
            link("frontend:org_vouchers", voucher.organization.slug),
        ),
        f"{event}:{voucher.pk}",
    )
