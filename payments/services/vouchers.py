"""Innovation vouchers (创新券): programmes, issuing, spending into an escrow, claims, returns.

The ledger carries the money (DESIGN §6):
- a programme's budget: voucher_budget (the issuer's commitment, −B) → voucher_programme (+B);
- issuing: voucher_programme → voucher (each voucher's own account, its face value);
- spending: voucher → contract_escrow, posted with the card part's success (reserved before);
- release: the escrow entry of the release, then voucher_claims (+) against voucher_advanced
  (−): the platform paid the provider and claims the voucher's share from the programme;
- refund: contract_escrow → voucher, or → voucher_programme once the voucher has expired;
- expiry: an expired voucher's unspent value → voucher_programme.
So programme + vouchers (reserved included) + voucher money held in escrows + claims = budget.

Lock order: contract, milestones, task, escrow (payments.services._common.lock), then the
voucher, then the programme row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from contracts.models import Contract, Milestone
from marketplace.audit import audit_record
from marketplace.errors import Conflict, FieldErrors, NotAllowed, NotFound, ValidationFailed
from marketplace.money import Money
from marketplace.notifications import schedule
from payments.ledger import account_balance, ledger_account, ledger_post
from payments.models import (
    GatewayObject,
    LedgerAccount,
    Voucher,
    VoucherClaim,
    VoucherProgramme,
    VoucherReturn,
    VoucherShare,
    VoucherSpend,
)
from payments.services._common import escrow_account
from payments.voucher_selectors import user_is_finance, voucher_is_expired
from tasks.models import Task

K = LedgerAccount.Kind
MAX_ISSUE = 100
logger = logging.getLogger(__name__)


# --- accounts --------------------------------------------------------------------------------
def programme_account(
    programme: VoucherProgramme, kind: str = K.VOUCHER_PROGRAMME
) -> LedgerAccount:
    return ledger_account(kind=kind, owner=f"programme:{programme.pk}", currency=programme.currency)


def voucher_account(voucher: Voucher) -> LedgerAccount:
    return ledger_account(kind=K.VOUCHER, owner=f"voucher:{voucher.pk}", currency=voucher.currency)


def voucher_reserved(voucher: Voucher) -> Money:
    total = VoucherSpend.objects.filter(
        voucher=voucher, status=VoucherSpend.Status.RESERVED
    ).aggregate(total=Sum("amount"))["total"]
    return Money(int(total or 0), voucher.currency)


def voucher_remaining(voucher: Voucher) -> Money:
    """What the voucher can still pay: its account's balance less pending reservations."""
    return account_balance(voucher_account(voucher)) - voucher_reserved(voucher)


# --- who may --------------------------------------------------------------------------------
def _require_finance(actor: Any) -> None:
    if not user_is_finance(actor):
        raise NotAllowed(_("Only finance staff can create programmes and issue vouchers."))


# --- programmes and issuing ------------------------------------------------------------------
def voucher_programme_validate(
    *,
    issuer: Organization | None,
    name: str,
    budget: Money,
    face_value: Money,
    valid_from: dt.date,
    valid_until: dt.date,
    eligible_kinds: Sequence[str],
    max_share_bps: int,
) -> None:
    """Refuse a programme's terms, field by field (the admin's form shows these)."""
    errors = FieldErrors()
    if issuer is None or issuer.kind != Organization.Kind.GOVERNMENT:
        errors.add("issuer", _("A voucher programme is issued by a government unit."))
    if not name.strip():
        errors.add("name", _("Give the programme a name."))
    if budget.amount <= 0:
        errors.add("budget", _("The budget must be more than zero."))
    if face_value.amount <= 0:
        errors.add("face_value", _("A voucher's face value must be more than zero."))
    elif face_value.currency != budget.currency:
        errors.add("face_value", _("The face value must be in the budget's currency."))
    elif face_value > budget:
        errors.add("face_value", _("A voucher cannot be worth more than the whole budget."))
    if valid_until < valid_from:
        errors.add("valid_until", _("The programme must end on or after the day it starts."))
    kinds = list(eligible_kinds)
    if not kinds:
        errors.add("eligible_kinds", _("Choose at least one task kind vouchers may pay for."))
    elif any(kind not in Task.Kind.values for kind in kinds):
        errors.add("eligible_kinds", _("Choose task kinds from the list."))
    if not 1 <= max_share_bps <= 10_000:
        errors.add("max_share_bps", _("The share must be between 0.01% and 100%."))
    errors.raise_if_any()


def voucher_programme_create(
    *,
    actor: Any,
    issuer: Organization,
    name: str,
    budget: Money,
    face_value: Money,
    valid_from: dt.date,
    valid_until: dt.date,
    eligible_kinds: Sequence[str],
    max_share_bps: int,
) -> VoucherProgramme:
    """A government unit's programme, its budget posted to its own ledger account."""
    _require_finance(actor)
    kinds = list(dict.fromkeys(eligible_kinds))
    voucher_programme_validate(
        issuer=issuer,
        name=name,
        budget=budget,
        face_value=face_value,
        valid_from=valid_from,
        valid_until=valid_until,
        eligible_kinds=kinds,
        max_share_bps=max_share_bps,
    )
    with transaction.atomic():
        programme = VoucherProgramme.objects.create(
            issuer=issuer,
            name=name.strip(),
            budget=budget.amount,
            face_value=face_value.amount,
            currency=budget.currency,
            valid_from=valid_from,
            valid_until=valid_until,
            eligible_kinds=kinds,
            max_share_bps=max_share_bps,
            created_by=actor,
        )
        ledger_post(
            reference=f"programme:{programme.pk}:budget",
            reason="voucher programme budget",
            lines=[
                (programme_account(programme, K.VOUCHER_BUDGET), -budget),
                (programme_account(programme), budget),
            ],
        )
        audit_record(actor=actor, action="payments.voucher_programme_create", target=programme)
    return programme


def voucher_issue(
    *, actor: Any, programme: VoucherProgramme, organization: Organization, count: int = 1
) -> list[Voucher]:
    """Issue `count` vouchers of the programme's face value to an organization.

    The budget is never over-issued: the programme's row is locked while its issued total is
    checked and raised (and a database constraint keeps issued ≤ budget besides)."""
    _require_finance(actor)
    if not 1 <= count <= MAX_ISSUE:
        raise ValidationFailed(
            _("Issue between 1 and %(max)d vouchers at a time.") % {"max": MAX_ISSUE},
            code="invalid_count",
            fields={"count": [_("Enter a number from 1 to %(max)d.") % {"max": MAX_ISSUE}]},
        )
    if organization.kind == Organization.Kind.GOVERNMENT:
        raise ValidationFailed(
            _("Vouchers go to enterprises and micro-firms, not to government units."),
            code="invalid_holder",
            fields={"organization": [_("Choose an enterprise or a micro-firm.")]},
        )
    today = timezone.localdate()
    with transaction.atomic():
        programme = VoucherProgramme.objects.select_for_update().get(pk=programme.pk)
        if today > programme.valid_until:
            raise Conflict(
                _("This programme ended on %(date)s; it issues no more vouchers.")
                % {"date": programme.valid_until.isoformat()},
                code="programme_ended",
            )
        needed = programme.face_value * count
        left = programme.budget - programme.issued_total
        if needed > left:
            raise Conflict(
                _(
                    "That would go over the programme's budget: %(left)s is left, "
                    "%(needed)s was asked for."
                )
                % {
                    "left": Money(left, programme.currency).format(),
                    "needed": Money(needed, programme.currency).format(),
                },
                code="over_budget",
            )
        start = programme.vouchers.count()
        vouchers = []
        for n in range(start + 1, start + count + 1):
            voucher = Voucher.objects.create(
                programme=programme,
                organization=organization,
                code=f"CXQ-{programme.pk:03d}-{n:05d}",
                face_value=programme.face_value,
                currency=programme.currency,
                valid_from=programme.valid_from,
                valid_until=programme.valid_until,
                issued_by=actor,
            )
            ledger_post(
                reference=f"voucher:{voucher.pk}:issue",
                reason="voucher issued",
                lines=[
                    (programme_account(programme), -voucher.face_value_money),
                    (voucher_account(voucher), voucher.face_value_money),
                ],
            )
            schedule("voucher_issued", voucher.pk)
            vouchers.append(voucher)
        programme.issued_total += needed
        programme.save(update_fields=["issued_total"])
        audit_record(
            actor=actor,
            action="payments.voucher_issue",
            target=programme,
            data={"organization": organization.pk, "count": count, "amount": needed},
        )
    return vouchers


# --- spending into an escrow -----------------------------------------------------------------
def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"voucher": [message]})


def voucher_quote(
    *,
    voucher: Voucher,
    contract: Contract,
    funded: Money,
    requested: Money | None = None,
    today: dt.date | None = None,
) -> Money:
    """What this voucher pays of `funded`: the requested amount, or by default the most it
    may, min(remaining value, the programme's share × funded). Refuses, saying why, a voucher
    of another organization, out of its validity, for a task kind its programme does not cover,
    or an amount over the share or over what is left."""
    today = today or timezone.localdate()
    programme = voucher.programme
    if voucher.organization_id != contract.organization_id:
        raise _refuse(_("This voucher is not one of your organization's."), "voucher_not_yours")
    if voucher.currency != funded.currency:
        raise _refuse(_("This voucher is in another currency."), "voucher_currency")
    if voucher_is_expired(voucher, today):
        raise _refuse(
            _("This voucher expired on %(date)s.") % {"date": voucher.valid_until.isoformat()},
            "voucher_expired",
        )
    if today < voucher.valid_from:
        raise _refuse(
            _("This voucher is valid from %(date)s.") % {"date": voucher.valid_from.isoformat()},
            "voucher_not_yet_valid",
        )
    task_kind = contract.task.kind
    if task_kind not in programme.eligible_kinds:
        raise _refuse(
            _("This voucher's programme does not pay for %(kind)s tasks.")
            % {"kind": Task.Kind(task_kind).label},
            "voucher_ineligible",
        )
    remaining = voucher_remaining(voucher)
    if remaining.amount <= 0:
        raise _refuse(_("Nothing is left on this voucher."), "voucher_used_up")
    # Rounded down: the voucher never pays more than the share of what is funded.
    cap = Money(funded.amount * programme.max_share_bps // 10_000, funded.currency)
    if requested is None:
        return min(remaining, cap, key=lambda m: m.amount)
    if requested.amount <= 0:
        raise _refuse(_("Enter a voucher amount above zero."), "voucher_amount")
    if requested > cap:
        raise _refuse(
            _("A voucher of this programme pays at most %(share)s%% of the funding: %(cap)s.")
            % {"share": programme.share_percent, "cap": cap.format()},
            "voucher_over_cap",
        )
    if requested > remaining:
        raise _refuse(
            _("Only %(left)s is left on this voucher.") % {"left": remaining.format()},
            "voucher_over_remaining",
        )
    return requested


def _shares(total: Money, milestones: Sequence[Milestone]) -> list[tuple[Milestone, int]]:
    """Split the voucher's amount over the milestones in proportion to their amounts; the
    parts sum exactly (largest remainder)."""
    whole = sum(m.amount for m in milestones)
    exact = [
        (m, total.amount * m.amount // whole, total.amount * m.amount % whole) for m in milestones
    ]
    short = total.amount - sum(part for _m, part, _r in exact)
    order = sorted(range(len(exact)), key=lambda i: (-exact[i][2], i))
    parts = [part for _m, part, _r in exact]
    for i in order[:short]:
        parts[i] += 1
    return [(m, part) for (m, _p, _r), part in zip(exact, parts, strict=True) if part]


def voucher_spend_reserve(
    *,
    contract: Contract,
    milestones: Sequence[Milestone],
    funded: Money,
    voucher_id: int,
    requested: Money | None,
    key: str,
) -> VoucherSpend:
    """Reserve a voucher's part of one funding, inside the funding's transaction and after
    its locks. Asking again for the same funding with the same voucher returns the same
    reservation; another funding of the same milestones under way is refused."""
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("programme")
        .filter(pk=voucher_id)
        .first()
    )
    if voucher is None:
        raise _refuse(_("This voucher is not one of your organization's."), "voucher_not_yours")
    funding_key = f"{key}:voucher:{voucher.pk}"
    existing = VoucherSpend.objects.filter(funding_key=funding_key).first()
    if existing is not None:
        return existing
    if VoucherShare.objects.filter(milestone__in=list(milestones)).exists():
        raise Conflict(
            _("A payment for these milestones is already being processed."),
            code="funding_under_way",
        )
    amount = voucher_quote(voucher=voucher, contract=contract, funded=funded, requested=requested)
    spend = VoucherSpend.objects.create(
        voucher=voucher,
        contract=contract,
        funding_key=funding_key,
        amount=amount.amount,
        currency=amount.currency,
    )
    VoucherShare.objects.bulk_create(
        VoucherShare(spend=spend, milestone=m, amount=part)
        for m, part in _shares(amount, milestones)
    )
    return spend


def voucher_shares_pending(milestones: Sequence[Milestone]) -> bool:
    """True when a voucher reservation already covers one of these milestones."""
    return VoucherShare.objects.filter(milestone__in=list(milestones)).exists()


def voucher_spend_post(*, spend: VoucherSpend, contract: Contract) -> None:
    """voucher → escrow, once: the reservation becomes money held for the milestones."""
    spend = VoucherSpend.objects.select_for_update().get(pk=spend.pk)
    if spend.status == VoucherSpend.Status.POSTED:
        return
    if spend.status == VoucherSpend.Status.RELEASED:
        # Released only once Stripe said its payment was cancelled, so no success can follow;
        # should one arrive anyway, the voucher's value is not spent twice.
        logger.error("voucher reservation %s was released before its payment succeeded", spend.pk)
        return
    Voucher.objects.select_for_update().filter(pk=spend.voucher_id).first()
    ledger_post(
        reference=f"{spend.funding_key}:spend",
        reason="voucher paid into escrow",
        lines=[
            (voucher_account(spend.voucher), -spend.money),
            (escrow_account(contract), spend.money),
        ],
    )
    spend.status = VoucherSpend.Status.POSTED
    spend.posted_at = timezone.now()
    spend.save(update_fields=["status", "posted_at"])


def voucher_spend_release(*, spend: VoucherSpend, reason: str) -> bool:
    """Give a reservation's value back to its voucher: the card payment behind it failed, was
    cancelled or never came. Call it inside the funding's locks (payments.services._common.
    lock). The milestones may be funded again; a reservation is no ledger entry, so nothing is
    posted unless the voucher expired meanwhile: its expiry left the reserved value on the
    voucher's account, and that part now goes back to the programme (voucher → programme).
    Returns whether this call released it (False: posted or released before)."""
    spend = VoucherSpend.objects.select_for_update().get(pk=spend.pk)
    if spend.status != VoucherSpend.Status.RESERVED:
        return False
    voucher = Voucher.objects.select_for_update().get(pk=spend.voucher_id)
    VoucherShare.objects.filter(spend=spend).delete()
    spend.status = VoucherSpend.Status.RELEASED
    spend.released_at = timezone.now()
    spend.released_reason = reason[:300]
    spend.save(update_fields=["status", "released_at", "released_reason"])
    if voucher.expired_at is not None:
        programme = VoucherProgramme.objects.get(pk=voucher.programme_id)
        reference = f"{spend.funding_key}:released"
        ledger_post(
            reference=reference,
            reason="released reservation of an expired voucher returned",
            lines=[
                (voucher_account(voucher), -spend.money),
                (programme_account(programme), spend.money),
            ],
        )
        VoucherReturn.objects.get_or_create(
            reference=reference,
            defaults={
                "programme": programme,
                "voucher": voucher,
                "kind": VoucherReturn.Kind.RELEASED_AFTER_EXPIRY,
                "amount": spend.amount,
                "currency": spend.currency,
            },
        )
    audit_record(
        actor=None,
        action="payments.voucher_spend_release",
        target=voucher,
        data={"spend": spend.pk, "amount": spend.amount, "reason": spend.released_reason},
    )
    return True


def voucher_spends_reserved_for(payment: GatewayObject) -> list[VoucherSpend]:
    """The reservations waiting for this card payment (its key names the voucher)."""
    return list(
        VoucherSpend.objects.filter(
            funding_key=payment.idempotency_key, status=VoucherSpend.Status.RESERVED
        )
    )


def voucher_spends_post_for_payment(*, payment: GatewayObject, contract: Contract) -> None:
    """The card part succeeded: post the voucher part reserved beside it (idempotent)."""
    # The payment carries the funding's key, which names the voucher (…:voucher:{id}).
    for spend in VoucherSpend.objects.filter(funding_key=payment.idempotency_key):
        voucher_spend_post(spend=spend, contract=contract)


# --- release and refund of voucher money -----------------------------------------------------
def voucher_share_of(milestone: Milestone) -> Money:
    """The part of this milestone's escrow a posted voucher paid (zero without one)."""
    share = (
        VoucherShare.objects.filter(milestone=milestone, spend__status=VoucherSpend.Status.POSTED)
        .values_list("amount", flat=True)
        .first()
    )
    return Money(int(share or 0), milestone.amount_money.currency)


def voucher_split_parts(milestone: Milestone, refund: Money, release: Money) -> tuple[Money, Money]:
    """A split's voucher parts in proportion: (of the refund, of the release)."""
    share = voucher_share_of(milestone)
    held = refund + release
    if not share.amount or not held.amount:
        return Money.zero(share.currency), Money.zero(share.currency)
    of_release = Money(share.amount * release.amount // held.amount, share.currency)
    return share - of_release, of_release


def _share_row(milestone: Milestone) -> VoucherShare:
    return VoucherShare.objects.select_related("spend__voucher__programme").get(milestone=milestone)


def voucher_claim_create(
    *, contract: Contract, milestone: Milestone, amount: Money, key: str
) -> VoucherClaim:
    """Released voucher money becomes a claim on its programme (a record and its entry)."""
    voucher = _share_row(milestone).spend.voucher
    programme = voucher.programme
    reference = f"{key}:voucher-claim"
    existing = VoucherClaim.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    ledger_post(
        reference=reference,
        reason="voucher claim on the programme",
        lines=[
            (programme_account(programme, K.VOUCHER_CLAIMS), amount),
            (programme_account(programme, K.VOUCHER_ADVANCED), -amount),
        ],
    )
    return VoucherClaim.objects.create(
        programme=programme,
        voucher=voucher,
        contract=contract,
        milestone=milestone,
        reference=reference,
        amount=amount.amount,
        currency=amount.currency,
    )


def voucher_refund_return(
    *, contract: Contract, milestone: Milestone, amount: Money, key: str
) -> VoucherReturn:
    """Refunded voucher money goes back to the voucher, or to the programme once the voucher
    has expired (decided under the voucher's lock, so it cannot race the expiry sweeper)."""
    reference = f"{key}:voucher"
    existing = VoucherReturn.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    voucher = Voucher.objects.select_for_update().get(pk=_share_row(milestone).spend.voucher_id)
    programme = VoucherProgramme.objects.get(pk=voucher.programme_id)
    if voucher_is_expired(voucher, timezone.localdate()):
        kind, target = VoucherReturn.Kind.REFUND_TO_PROGRAMME, programme_account(programme)
    else:
        kind, target = VoucherReturn.Kind.REFUND_TO_VOUCHER, voucher_account(voucher)
    ledger_post(
        reference=reference,
        reason="voucher money refunded",
        lines=[(escrow_account(contract), -amount), (target, amount)],
    )
    return VoucherReturn.objects.create(
        programme=programme,
        voucher=voucher,
        milestone=milestone,
        kind=kind,
        reference=reference,
        amount=amount.amount,
        currency=amount.currency,
    )


# --- expiry ----------------------------------------------------------------------------------
def voucher_expire(*, voucher_id: int, today: dt.date | None = None) -> VoucherReturn | None:
    """Expire one voucher past its validity and return its unspent value to the programme.

    Safe twice, late or concurrently: under the voucher's lock an expired voucher is left as
    it is, and the entry's reference is the voucher's. A pending reservation stays on the
    voucher until its payment succeeds (then it posts to the escrow as promised)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().filter(pk=voucher_id).first()
        if voucher is None:
            raise NotFound(_("This voucher does not exist."))
        if voucher.expired_at is not None or today <= voucher.valid_until:
            return None
        unspent = voucher_remaining(voucher)
        returned = None
        if unspent.amount > 0:
            programme = VoucherProgramme.objects.get(pk=voucher.programme_id)
            reference = f"voucher:{voucher.pk}:expiry"
            ledger_post(
                reference=reference,
                reason="expired voucher returned",
                lines=[
                    (voucher_account(voucher), -unspent),
                    (programme_account(programme), unspent),
                ],
            )
            returned = VoucherReturn.objects.create(
                programme=programme,
                voucher=voucher,
                kind=VoucherReturn.Kind.EXPIRY,
                reference=reference,
                amount=unspent.amount,
                currency=unspent.currency,
            )
        voucher.expired_at = timezone.now()
        voucher.save(update_fields=["expired_at"])
        audit_record(actor=None, action="payments.voucher_expire", target=voucher)
        return returned


def vouchers_expire_due(*, today: dt.date | None = None) -> int:
    """Expire every voucher past its validity; returns how many were expired now."""
    today = today or timezone.localdate()
    due = Voucher.objects.filter(expired_at__isnull=True, valid_until__lt=today).values_list(
        "pk", flat=True
    )
    done = 0
    for voucher_id in list(due):
        voucher_expire(voucher_id=voucher_id, today=today)
        done += 1
    return done
