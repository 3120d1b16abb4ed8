"""Who hears about payouts, failed payments, reversals, card disputes and reconciliation.

Registered in the kernel's registry (marketplace.notifications); services schedule them after
commit. Each carries a dedupe key per event, object (and tag) and recipient: safe to repeat.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import provider_profile_members
from contracts.models import Milestone
from marketplace.money import Money
from marketplace.notifications import link, notification, notification_kind, raw, t
from payments.models import CardDispute, ConnectedAccount, GatewayObject, ReconciliationMismatch
from tasks.notifications import poster_recipients

notification_kind("payout_account_active", gettext_lazy("My payout account is active"))
notification_kind("payout_account_restricted", gettext_lazy("My payout account needs attention"))
notification_kind("payout_waiting_setup", gettext_lazy("Payments waiting for my payout account"))
notification_kind(
    "payout_sent",
    gettext_lazy("Payouts sent to me"),
    group=(gettext_noop("%(count)d payout sent"), gettext_noop("%(count)d payouts sent")),
)
notification_kind("payment_failed", gettext_lazy("Escrow payments that failed"))
notification_kind(
    "milestone_release_reversed", gettext_lazy("Payments taken back after a decision")
)
notification_kind("card_dispute_opened", gettext_lazy("Card disputes opened (finance staff)"))
notification_kind("card_dispute_closed", gettext_lazy("Card disputes closed (finance staff)"))
notification_kind(
    "reconciliation_mismatch", gettext_lazy("Reconciliation mismatches (finance staff)")
)


def finance_staff() -> list[Any]:
    """Staff who hold payments.handle_finance (directly, through a group, or superusers)."""
    perm = Permission.objects.filter(
        codename="handle_finance", content_type__app_label="payments"
    ).first()
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    return list(
        users.filter(
            Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm)
        ).distinct()
    )


def _admin(name: str, *args: object) -> str:
    return link(f"admin:payments_{name}", *args)


@notification(
    "payout_waiting_setup", "payout_sent", "payout_account_active", "payout_account_restricted"
)
def _payout_event(event: str, object_id: int, tag: str) -> None:
    url = link("frontend:payouts")
    if event in ("payout_account_active", "payout_account_restricted"):
        account = ConnectedAccount.objects.select_related("provider").get(pk=object_id)
        recipients = provider_profile_members(profile=account.provider)
        if event == "payout_account_active":
            message = Message(
                event,
                t(gettext_noop("Payouts are active")),
                t(
                    gettext_noop(
                        "Your payout account can receive transfers. Money you are owed is sent now."
                    )
                ),
                url,
            )
        else:
            reason = account.disabled_reason
            message = Message(
                event,
                t(gettext_noop("Payouts are paused: your payout account needs attention")),
                t(
                    gettext_noop(
                        "The payment processor needs more information (%(reason)s). Open Payouts."
                    ),
                    {"reason": raw(reason) if reason else t(gettext_noop("requirements due"))},
                ),
                url,
            )
        _send(recipients, message, f"{event}:{object_id}:{tag}")
        return
    row = GatewayObject.objects.select_related("contract__task", "contract__provider").get(
        pk=object_id
    )
    assert row.contract is not None  # transfers are a contract's
    title = row.contract.task.title
    amount = row.money
    if event == "payout_waiting_setup":
        message = Message(
            event,
            t(gettext_noop("Payment waiting for your payout account: %(title)s"), {"title": title}),
            t(
                gettext_noop("%(amount)s is released to you and waits until you set up payouts."),
                {"amount": amount},
            ),
            url,
        )
    else:
        message = Message(
            event,
            t(gettext_noop("Payout sent: %(title)s"), {"title": title}),
            t(
                gettext_noop("%(amount)s was transferred to your payout account."),
                {"amount": amount},
            ),
            url,
        )
    _send(provider_profile_members(profile=row.contract.provider), message, f"{event}:{row.pk}")


@notification("payment_failed")
def _payment_failed(event: str, object_id: int, tag: str) -> None:
    payment = GatewayObject.objects.select_related("contract__task", "task").get(pk=object_id)
    if payment.contract is None:  # a task pool's payment
        assert payment.task is not None
        task, again = payment.task, link("payments:pool_fund", payment.task_id)
    else:
        task, again = payment.contract.task, link("frontend:contract_detail", payment.contract_id)
    amount = payment.money
    _send(
        poster_recipients(task),
        Message(
            event,
            t(gettext_noop("Escrow payment failed: %(title)s"), {"title": task.title}),
            t(
                gettext_noop(
                    "The payment of %(amount)s did not go through. Fund the escrow again."
                ),
                {"amount": amount},
            ),
            again,
        ),
        f"{event}:{payment.pk}",
    )


@notification("milestone_release_reversed")
def _release_reversed(event: str, object_id: int, tag: str) -> None:
    milestone = Milestone.objects.select_related("contract__task", "contract__provider").get(
        pk=object_id
    )
    task = milestone.contract.task
    message = Message(
        event,
        t(
            gettext_noop("Payment taken back after a decision: %(milestone)s of %(title)s"),
            {"milestone": milestone.title, "title": task.title},
        ),
        t(gettext_noop("Part or all of this milestone's payment was refunded to the poster.")),
        link("frontend:contract_detail", milestone.contract_id),
    )
    _send(
        [*poster_recipients(task), *provider_profile_members(profile=milestone.contract.provider)],
        message,
        f"{event}:{milestone.pk}:{tag}",
    )


@notification("card_dispute_opened", "card_dispute_closed")
def _card_dispute(event: str, object_id: int, tag: str) -> None:
    dispute = CardDispute.objects.get(pk=object_id)
    amount = Money(dispute.amount, dispute.currency)
    contract_id = dispute.contract_id
    if event == "card_dispute_opened":
        message = Message(
            event,
            t(gettext_noop("Card dispute opened on contract %(id)s"), {"id": contract_id}),
            t(
                gettext_noop("%(amount)s is disputed by the card holder; the escrow is frozen."),
                {"amount": amount},
            ),
            _admin("carddispute_change", dispute.pk),
        )
    else:
        message = Message(
            event,
            t(
                gettext_noop("Card dispute closed on contract %(id)s: %(outcome)s"),
                {"id": contract_id, "outcome": dispute.get_status_display()},
            ),
            t(gettext_noop("The escrow is unfrozen; a lost dispute is recorded as a chargeback.")),
            _admin("carddispute_change", dispute.pk),
        )
    _send(finance_staff(), message, f"{event}:{dispute.pk}")


@notification("reconciliation_mismatch")
def _mismatch(event: str, object_id: int, tag: str) -> None:
    mismatch = ReconciliationMismatch.objects.get(pk=object_id)
    contract_id = mismatch.contract_id
    subject = mismatch.subject
    _send(
        finance_staff(),
        Message(
            event,
            t(gettext_noop("Reconciliation mismatch on contract %(id)s"), {"id": contract_id}),
            lambda: f"{mismatch.get_code_display()}: {subject}",
            _admin("reconciliationmismatch_change", mismatch.pk),
        ),
        f"{event}:{mismatch.pk}",
    )
