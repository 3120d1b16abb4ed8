"""Moving held money out of escrow: release to the provider, refund to the poster, a split."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Contract, Milestone
from contracts.selectors import contract_capabilities
from contracts.services import milestone_mark_released, milestone_settle
from contracts.states import MILESTONE, MILESTONE_HELD
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, NotAllowed, ValidationFailed
from marketplace.money import Money
from payments.gateway import Gateway, connected_account_for, gateway
from payments.ledger import account_balance, ledger_post
from payments.receipts import receipt_record
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
from payments.services.payouts import payout_record_pending, transfer_execute
from payments.services.reversal import milestone_release_reverse
from payments.services.vouchers import (
    voucher_claim_create,
    voucher_refund_return,
    voucher_share_of,
    voucher_split_parts,
)

M = Milestone.Status


_locked_milestone = locked_milestone


def _require_held(contract: Contract, amount: Money) -> None:
    held = account_balance(escrow_account(contract))
    if amount > held:
        raise ValidationFailed(
            _("That is more than the %(held)s held in escrow.") % {"held": held.format()},
            code="over_escrow",
        )


def _pay_provider(
    gw: Gateway,
    contract: Contract,
    milestone: Milestone,
    amount: Money,
    step: str,
    voucher_part: Money | None = None,
) -> str:
    """escrow → provider payable + platform fee, then the transfer; returns its id. The
    voucher's part of what is released becomes a claim on its programme.

    A provider whose payout account is not active yet is owed the money: it stays in their
    payable as a pending payout (a pending transfer row under the same key), paid by
    payouts_pending_execute when account.updated activates the account."""
    fee = amount.basis_points(settings.MARKETPLACE["PLATFORM_FEE_BASIS_POINTS"])
    net = amount - fee
    key = milestone_key(milestone, step)
    entry = ledger_post(
        reference=key,
        reason=f"milestone {step}",
        lines=lines(
            (escrow_account(contract), -amount),
            (provider_account(contract, K.PROVIDER_PAYABLE), net),
            (platform_account(contract, K.PLATFORM_FEE_REVENUE), fee),
        ),
    )
    if fee.amount:
        receipt_record(
            entry=entry, kind="platform_fee", contract=contract, amount=fee, milestone=milestone
        )
    if voucher_part:
        voucher_claim_create(contract=contract, milestone=milestone, amount=voucher_part, key=key)
    if not net.amount:
        return ""
    destination = connected_account_for(provider=contract.provider)
    if destination is None:
        payout_record_pending(gw=gw, contract=contract, milestone=milestone, net=net, key=key)
        return ""
    return transfer_execute(
        gw=gw, contract=contract, milestone=milestone, net=net, destination=destination, key=key
    ).external_id


def _refund_poster(
    gw: Gateway,
    contract: Contract,
    milestone: Milestone,
    amount: Money,
    step: str,
    voucher_part: Money | None = None,
) -> None:
    """escrow → poster funding, and the partial refund of the payment that funded it; the
    voucher's part goes back to the voucher (or, expired, to its programme)."""
    voucher_part = voucher_part or Money.zero(amount.currency)
    card = amount - voucher_part
    key = milestone_key(milestone, step)
    # The card part goes back through the payment that paid it: the contract's own, or the
    # task pool's payment a prize or unit contract was funded from.
    parts = refund_sources(contract, milestone, card, key) if card.amount else []
    if voucher_part:
        voucher_refund_return(contract=contract, milestone=milestone, amount=voucher_part, key=key)
    if not card.amount:
        return
    ledger_post(
        reference=key,
        reason=f"milestone {step}",
        lines=lines((escrow_account(contract), -card), (poster_account(contract), card)),
    )
    refund_through(gw, parts, milestone)


def milestone_release(*, milestone_id: int) -> Milestone:
    """Pay an accepted milestone to the provider, less the platform fee, exactly once.

    Safe to run concurrently, twice or late: under the contract's lock a released milestone
    is returned as it is, and every entry and transfer carries the milestone's release key."""
    with transaction.atomic():
        contract, milestone, escrow = _locked_milestone(milestone_id)
        if milestone.status == M.RELEASED:
            return milestone
        if milestone.status != M.ACCEPTED:
            raise InvalidTransition(_("Only an accepted milestone can be paid out."))
        require_not_frozen(escrow)
        amount = milestone.amount_money
        _require_held(contract, amount)
        transfer_id = _pay_provider(
            gateway(), contract, milestone, amount, "release", voucher_share_of(milestone)
        )
        return milestone_mark_released(
            milestone=milestone, reference=transfer_id or "pending-payout"
        )


def milestone_refund(*, actor: Any, milestone: Milestone) -> Milestone:
    """Return a funded milestone's escrow to the poster before any work was delivered."""
    with transaction.atomic():
        contract, milestone, escrow = _locked_milestone(milestone.pk)
        if not contract_capabilities(user=actor, contract=contract).decides:
            raise NotAllowed(_("Only the poster organization's owners and admins can refund."))
        if milestone.status == M.REFUNDED:
            return milestone
        if milestone.status != M.FUNDED:
            raise InvalidTransition(
                _("Only a funded milestone without a delivery can be refunded.")
            )
        require_not_frozen(escrow)
        amount = milestone.amount_money
        _require_held(contract, amount)
        _refund_poster(
            gateway(), contract, milestone, amount, "refund", voucher_share_of(milestone)
        )
        audit_record(actor=actor, action="payments.refund", target=milestone)
        return milestone_settle(
            milestone=milestone,
            outcome="refunded",
            actor=actor,
            reference=milestone_key(milestone, "refund"),
        )


def escrow_split_execute(
    *, milestone: Milestone, refund: Money, release: Money, actor: Any, reference: str
) -> Milestone:
    """Execute a decided split of a disputed milestone: refund X to the poster and release Y
    to the provider (less the fee), X + Y being exactly what the milestone holds. Atomic and
    idempotent: a milestone already split is returned as it is."""
    for part in (refund, release):
        if not isinstance(part, Money) or part.amount < 0:
            raise ValidationFailed(_("A split's amounts cannot be negative."), code="negative")
    with transaction.atomic():
        contract, milestone, escrow = _locked_milestone(milestone.pk)
        if milestone.status == M.SPLIT:
            return milestone
        if milestone.status == M.RELEASED:
            # The money already left escrow: the refund part comes back from the provider's
            # transfer (and the platform's fee) by a reversal, then goes to the poster.
            if refund + release != milestone.amount_money:
                raise ValidationFailed(
                    _("The refund and the release must add up to the %(held)s paid.")
                    % {"held": milestone.amount_money.format()},
                    code="split_mismatch",
                )
            if refund.amount:
                milestone_release_reverse(
                    milestone=milestone, amount=refund, actor=actor, reference=reference
                )
            return milestone
        if milestone.status not in MILESTONE_HELD or not MILESTONE.can(milestone.status, "split"):
            raise InvalidTransition(_("Only a disputed milestone's escrow can be split."))
        held = milestone.amount_money
        if refund.currency != held.currency or release.currency != held.currency:
            raise ValidationFailed(_("A split must be in the contract's currency."))
        if refund + release != held:
            raise ValidationFailed(
                _("The refund and the release must add up to the %(held)s held.")
                % {"held": held.format()},
                code="split_mismatch",
            )
        require_not_frozen(escrow)
        _require_held(contract, held)
        gw = gateway()
        voucher_refund, voucher_release = voucher_split_parts(milestone, refund, release)
        if refund.amount:
            _refund_poster(gw, contract, milestone, refund, "split-refund", voucher_refund)
        if release.amount:
            _pay_provider(gw, contract, milestone, release, "split-release", voucher_release)
        audit_record(
            actor=actor,
            action="payments.split",
            target=milestone,
            data={"refund": refund.amount, "release": release.amount, "reference": reference},
        )
        return milestone_settle(
            milestone=milestone, outcome="split", actor=actor, reference=reference
        )
