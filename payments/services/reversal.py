"""Taking back money already released: a transfer reversal, then a refund to the poster.

For the dispute decisions of the back office (and escrow_split_execute on a released
milestone). The amount comes back first from what the provider is still owed (a pending
payout), then from the transfer (a Stripe transfer reversal), then from the platform's fee;
it returns to escrow and leaves it at once as a partial refund of the funding payment. Two
balanced entries, every gateway call under a key derived from the decision's reference.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from contracts.models import Milestone
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.money import Money
from marketplace.notifications import schedule
from payments.gateway import gateway
from payments.ledger import ledger_post
from payments.models import GatewayObject, JournalEntry, Posting
from payments.services._common import (
    K,
    escrow_account,
    lines,
    locked_milestone,
    milestone_key,
    platform_account,
    poster_account,
    provider_account,
    refund_sources,
    refund_through,
    require_not_frozen,
)

M = Milestone.Status
Kind = GatewayObject.Kind
Status = GatewayObject.Status
RELEASE_STEPS = ("release", "split-release")
REFERENCE_SHAPE = re.compile(r"^[A-Za-z0-9_.\-]{1,60}$")


def _escrow_moved(milestone: Milestone, references: list[str]) -> int:
    """How much the entries of these references took out of (negative) or put into escrow."""
    total = Posting.objects.filter(
        entry__reference__in=references,
        account__kind=K.CONTRACT_ESCROW,
        account__owner=f"contract:{milestone.contract_id}",
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def _reversed_so_far(milestone: Milestone) -> int:
    prefix = milestone_key(milestone, "reverse:")
    total = Posting.objects.filter(
        entry__reference__startswith=prefix,
        entry__reference__endswith=":back",
        account__kind=K.CONTRACT_ESCROW,
        account__owner=f"contract:{milestone.contract_id}",
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def milestone_release_reverse(
    *, milestone: Milestone, amount: Money, actor: Any, reference: str
) -> Milestone:
    """Refund `amount` of a released milestone to the poster, reversing the provider's
    transfer (partly or wholly) as needed. Idempotent per (milestone, reference); never
    takes back more than was released."""
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise ValidationFailed(_("A reversal needs a positive amount."), code="invalid_amount")
    if not REFERENCE_SHAPE.match(reference or ""):
        raise ValidationFailed(
            _("A reversal needs a reference of letters, digits, dots, dashes or underscores."),
            code="invalid_reference",
        )
    with transaction.atomic():
        contract, milestone, escrow = locked_milestone(milestone.pk)
        key = milestone_key(milestone, f"reverse:{reference}")
        if JournalEntry.objects.filter(reference=f"{key}:refund").exists():
            return milestone
        if milestone.status not in (M.RELEASED, M.SPLIT):
            raise InvalidTransition(
                _("Only money already released to the provider can be taken back."),
                code="not_released",
            )
        if amount.currency != contract.currency:
            raise ValidationFailed(_("A reversal must be in the contract's currency."))
        require_not_frozen(escrow)
        released = -_escrow_moved(milestone, [milestone_key(milestone, s) for s in RELEASE_STEPS])
        left = released - _reversed_so_far(milestone)
        if amount.amount > left:
            raise ValidationFailed(
                _("That is more than the %(left)s released and not yet taken back.")
                % {"left": Money(left, contract.currency).format()},
                code="over_released",
            )
        transfers = list(
            GatewayObject.objects.select_for_update()
            .filter(
                kind=Kind.TRANSFER,
                idempotency_key__in=[milestone_key(milestone, s) for s in RELEASE_STEPS],
            )
            .order_by("id")
        )
        remaining = amount.amount
        from_payable = from_paid_out = 0
        gw = gateway()
        for transfer in transfers:
            if remaining == 0:
                break
            if transfer.status == Status.PENDING:
                # Not paid out yet: the provider is simply owed less.
                part = min(remaining, transfer.amount)
                from_payable += part
                remaining -= part
                if part == transfer.amount:
                    transfer.status = Status.FAILED
                    transfer.failure_message = "taken back before payout"
                    transfer.save(update_fields=["status", "failure_message"])
                else:
                    transfer.amount -= part
                    transfer.save(update_fields=["amount"])
            elif transfer.status == Status.SUCCEEDED:
                reversed_total = int(
                    GatewayObject.objects.filter(
                        kind=Kind.TRANSFER_REVERSAL, milestone=milestone
                    ).aggregate(t=Sum("amount"))["t"]
                    or 0
                )
                part = min(remaining, transfer.amount - reversed_total)
                if part > 0:
                    gw.transfer_reverse(
                        transfer=transfer, amount=Money(part, transfer.currency), key=key
                    )
                    from_paid_out += part
                    remaining -= part
        cur = contract.currency
        from_fee = remaining  # what the provider never got is the platform's fee
        ledger_post(
            reference=f"{key}:back",
            reason="release reversed",
            lines=lines(
                (provider_account(contract, K.PROVIDER_PAYABLE), Money(-from_payable, cur)),
                (provider_account(contract, K.PROVIDER_PAID_OUT), Money(-from_paid_out, cur)),
                (platform_account(contract, K.PLATFORM_FEE_REVENUE), Money(-from_fee, cur)),
                (escrow_account(contract), amount),
            ),
        )
        # Back through the payment that paid it: the contract's own or its task pool's.
        parts = refund_sources(contract, milestone, amount, f"{key}:refund")
        ledger_post(
            reference=f"{key}:refund",
            reason="reversed release refunded",
            lines=lines((escrow_account(contract), -amount), (poster_account(contract), amount)),
        )
        refund_through(gw, parts, milestone)
        audit_record(
            actor=actor,
            action="payments.release_reverse",
            target=milestone,
            data={
                "amount": amount.amount,
                "from_payable": from_payable,
                "from_paid_out": from_paid_out,
                "from_fee": from_fee,
                "reference": reference,
            },
        )
        schedule("milestone_release_reversed", milestone.pk, tag=reference)
        return milestone
