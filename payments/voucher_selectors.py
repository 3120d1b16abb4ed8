"""Reading innovation vouchers: an organization's vouchers with what is left, the vouchers a
poster may apply to a funding, a programme's report and its claims with their evidence."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from accounts.selectors import MANAGER_ROLES, user_can_manage_organization
from contracts.models import Contract, Delivery
from marketplace.errors import NotAllowed, NotFound
from marketplace.money import Money
from marketplace.permissions import user_may_act
from payments.models import (
    LedgerAccount,
    Posting,
    Voucher,
    VoucherClaim,
    VoucherProgramme,
    VoucherReturn,
    VoucherSpend,
)

K = LedgerAccount.Kind


def user_is_finance(user: Any) -> bool:
    """Finance staff: active staff holding payments.issue_voucher (the "finance" group)."""
    return user_may_act(user) and user.is_staff and user.has_perm("payments.issue_voucher")


def voucher_is_expired(voucher: Voucher, today: dt.date) -> bool:
    return voucher.expired_at is not None or today > voucher.valid_until


@dataclass(frozen=True)
class VoucherView:
    """A voucher with its remaining value (reservations of pending payments excluded)."""

    voucher: Voucher
    balance: Money  # the voucher account's balance
    reserved: Money  # held for a card payment still pending
    status: str  # active, not_yet_valid, used_up, expired

    @property
    def remaining(self) -> Money:
        return self.balance - self.reserved

    @property
    def spent(self) -> Money:
        return self.voucher.face_value_money - self.balance

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def usable(self) -> bool:
        return self.status == "active"


class VoucherState(models.TextChoices):
    """What a voucher can do today (derived, not stored)."""

    ACTIVE = "active", pgettext_lazy("voucher state", "Active")
    NOT_YET_VALID = "not_yet_valid", pgettext_lazy("voucher state", "Not yet valid")
    USED_UP = "used_up", pgettext_lazy("voucher state", "Used up")
    EXPIRED = "expired", pgettext_lazy("voucher state", "Expired")


STATUS_LABELS = dict(VoucherState.choices)


def _balances(vouchers: list[Voucher]) -> tuple[dict[int, int], dict[int, int]]:
    """The voucher accounts' balances and the pending reservations: two queries for all."""
    owners = {f"voucher:{v.pk}": v.pk for v in vouchers}
    balances: dict[int, int] = defaultdict(int)
    for row in (
        Posting.objects.filter(account__kind=K.VOUCHER, account__owner__in=list(owners))
        .values("account__owner")
        .annotate(total=Sum("amount"))
    ):
        balances[owners[row["account__owner"]]] = int(row["total"])
    reserved: dict[int, int] = defaultdict(int)
    for held in (
        VoucherSpend.objects.filter(
            voucher_id__in=list(owners.values()), status=VoucherSpend.Status.RESERVED
        )
        .values("voucher_id")
        .annotate(total=Sum("amount"))
    ):
        reserved[held["voucher_id"]] = int(held["total"])
    return balances, reserved


def voucher_views(vouchers: list[Voucher], today: dt.date | None = None) -> list[VoucherView]:
    today = today or timezone.localdate()
    balances, reserved = _balances(vouchers)
    views = []
    for v in vouchers:
        balance = Money(balances[v.pk], v.currency)
        held = Money(reserved[v.pk], v.currency)
        if voucher_is_expired(v, today):
            status = "expired"
        elif today < v.valid_from:
            status = "not_yet_valid"
        elif (balance - held).amount <= 0:
            status = "used_up"
        else:
            status = "active"
        views.append(VoucherView(v, balance, held, status))
    return views


def _organization_vouchers(organization: Organization) -> QuerySet[Voucher]:
    return Voucher.objects.filter(organization=organization).select_related("programme__issuer")


def vouchers_for_organization(*, user: Any, organization: Organization) -> list[VoucherView]:
    """The organization's vouchers for its owners and admins (and finance staff)."""
    if not (
        user_can_manage_organization(user=user, organization=organization) or user_is_finance(user)
    ):
        raise NotAllowed(
            _("Only the organization's owners and admins can see its innovation vouchers.")
        )
    return voucher_views(list(_organization_vouchers(organization).order_by("-issued_at", "-pk")))


def vouchers_usable_for_contract(*, contract: Contract) -> list[VoucherView]:
    """The poster organization's vouchers that can pay into this contract today: valid,
    something left, and a programme that covers the task's kind."""
    kind = contract.task.kind
    views = voucher_views(list(_organization_vouchers(contract.organization)))
    return [
        view
        for view in views
        if view.usable
        and kind in view.voucher.programme.eligible_kinds
        and view.voucher.currency == contract.currency
    ]


# --- programmes: who may read them, the report, the claims -----------------------------------
def programmes_visible_to(*, user: Any) -> QuerySet[VoucherProgramme]:
    """Finance staff see every programme; a government unit's owners and admins its own."""
    qs = VoucherProgramme.objects.select_related("issuer")
    if not user_may_act(user):
        return qs.none()
    if user.is_staff and (
        user.has_perm("payments.view_voucher_report") or user.has_perm("payments.issue_voucher")
    ):
        return qs
    return qs.filter(
        issuer__memberships__user=user, issuer__memberships__role__in=MANAGER_ROLES
    ).distinct()


def programme_get_for_user(*, user: Any, programme_id: int) -> VoucherProgramme:
    programme = programmes_visible_to(user=user).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(_("This voucher programme does not exist or is not visible to you."))
    return programme


@dataclass(frozen=True)
class HolderRow:
    organization: Organization
    count: int
    issued: Money
    remaining: Money


@dataclass(frozen=True)
class ProgrammeReport:
    programme: VoucherProgramme
    vouchers_issued: int
    issued: Money  # face values issued
    unissued: Money  # the programme account's balance: budget not issued, plus returns
    outstanding: Money  # left on the vouchers, reservations included
    reserved: Money  # of which held for pending card payments
    spent: Money  # paid into escrows
    held: Money  # of that, still in escrow (neither released nor refunded)
    claimed: Money  # released to providers: the claims on the programme
    returned_to_vouchers: Money
    returned_to_programme: Money  # refunds after expiry
    expired_returned: Money  # unspent value of expired vouchers
    claims: int
    holders: list[HolderRow]

    @property
    def returned(self) -> Money:
        return self.returned_to_vouchers + self.returned_to_programme + self.expired_returned

    @property
    def balanced(self) -> bool:
        """programme + vouchers + held in escrow + claims = budget."""
        total = self.unissued + self.outstanding + self.held + self.claimed
        return total == self.programme.budget_money


def _sum(qs: QuerySet[Any]) -> int:
    return int(qs.aggregate(total=Sum("amount"))["total"] or 0)


def programme_report(*, programme: VoucherProgramme) -> ProgrammeReport:
    """The programme's figures from the ledger and its records (a fixed number of queries)."""
    cur = programme.currency
    vouchers = list(programme.vouchers.select_related("organization").order_by("pk"))
    views = voucher_views(vouchers)
    unissued = _sum(
        Posting.objects.filter(
            account__kind=K.VOUCHER_PROGRAMME, account__owner=f"programme:{programme.pk}"
        )
    )
    spends = VoucherSpend.objects.filter(voucher__programme=programme)
    spent = _sum(spends.filter(status=VoucherSpend.Status.POSTED))
    claimed = _sum(VoucherClaim.objects.filter(programme=programme))
    returns: dict[str, int] = defaultdict(int)
    for row in (
        VoucherReturn.objects.filter(programme=programme)
        .values("kind")
        .annotate(total=Sum("amount"))
    ):
        returns[row["kind"]] = int(row["total"])
    refunded = (
        returns[VoucherReturn.Kind.REFUND_TO_VOUCHER]
        + returns[VoucherReturn.Kind.REFUND_TO_PROGRAMME]
    )
    holders: dict[int, list[VoucherView]] = defaultdict(list)
    for view in views:
        holders[view.voucher.organization_id].append(view)
    holder_rows = [
        HolderRow(
            organization=group[0].voucher.organization,
            count=len(group),
            issued=Money(sum(v.voucher.face_value for v in group), cur),
            remaining=Money(sum(v.remaining.amount for v in group if v.status != "expired"), cur),
        )
        for group in holders.values()
    ]
    return ProgrammeReport(
        programme=programme,
        vouchers_issued=len(vouchers),
        issued=Money(sum(v.face_value for v in vouchers), cur),
        unissued=Money(unissued, cur),
        outstanding=Money(sum(v.balance.amount for v in views), cur),
        reserved=Money(sum(v.reserved.amount for v in views), cur),
        spent=Money(spent, cur),
        held=Money(spent - claimed - refunded, cur),
        claimed=Money(claimed, cur),
        returned_to_vouchers=Money(returns[VoucherReturn.Kind.REFUND_TO_VOUCHER], cur),
        returned_to_programme=Money(returns[VoucherReturn.Kind.REFUND_TO_PROGRAMME], cur),
        expired_returned=Money(returns[VoucherReturn.Kind.EXPIRY], cur),
        claims=VoucherClaim.objects.filter(programme=programme).count(),
        holders=sorted(holder_rows, key=lambda r: r.organization.name),
    )


CLAIM_COLUMNS = (
    "claim_id",
    "claimed_at",
    "amount_fen",
    "currency",
    "voucher",
    "holder",
    "contract",
    "task",
    "provider",
    "milestone",
    "milestone_title",
    "milestone_amount_fen",
    "delivery_round",
    "delivered_at",
    "delivery_files",
    "accepted_by",
    "accepted_at",
    "auto_accepted",
)


def programme_claim_rows(*, programme: VoucherProgramme) -> list[dict[str, str]]:
    """One row per claim with its evidence: the contract, the milestone, the accepted delivery
    (file names and SHA-256 hashes) and who accepted it when, or that silence did."""
    claims = list(
        VoucherClaim.objects.filter(programme=programme)
        .select_related(
            "voucher__organization",
            "contract__task",
            "contract__provider",
            "milestone__accepted_by",
        )
        .prefetch_related(
            Prefetch(
                "milestone__deliveries",
                queryset=Delivery.objects.prefetch_related("files").order_by("-round"),
            )
        )
        .order_by("pk")
    )
    rows = []
    for claim in claims:
        milestone = claim.milestone
        deliveries = list(milestone.deliveries.all())
        accepted = next(
            (
                d
                for d in deliveries
                if d.decision in (Delivery.Decision.ACCEPTED, Delivery.Decision.AUTO_ACCEPTED)
            ),
            deliveries[0] if deliveries else None,
        )
        files = (
            "; ".join(f"{f.original_name} sha256:{f.sha256}" for f in accepted.files.all())
            if accepted
            else ""
        )
        auto = accepted is not None and accepted.decision == Delivery.Decision.AUTO_ACCEPTED
        accepted_by = milestone.accepted_by
        rows.append(
            {
                "claim_id": str(claim.pk),
                "claimed_at": timezone.localtime(claim.created_at).isoformat(timespec="seconds"),
                "amount_fen": str(claim.amount),
                "currency": claim.currency,
                "voucher": claim.voucher.code,
                "holder": claim.voucher.organization.name,
                "contract": str(claim.contract_id),
                "task": claim.contract.task.title,
                "provider": claim.contract.provider.display_name,
                "milestone": str(milestone.position),
                "milestone_title": milestone.title,
                "milestone_amount_fen": str(milestone.amount),
                "delivery_round": str(accepted.round) if accepted else "",
                "delivered_at": (
                    timezone.localtime(accepted.submitted_at).isoformat(timespec="seconds")
                    if accepted
                    else ""
                ),
                "delivery_files": files,
                "accepted_by": (f"{accepted_by.name} <{accepted_by.email}>" if accepted_by else ""),
                "accepted_at": (
                    timezone.localtime(milestone.accepted_at).isoformat(timespec="seconds")
                    if milestone.accepted_at
                    else ""
                ),
                "auto_accepted": "yes"
                if auto or (milestone.accepted_at and not accepted_by)
                else "no",
            }
        )
    return rows


def programme_claims_csv(*, programme: VoucherProgramme) -> str:
    """The claims CSV, with a byte-order mark so spreadsheet programs read the Chinese."""
    import csv
    import io

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CLAIM_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(programme_claim_rows(programme=programme))
    return out.getvalue()


def programme_csv_filename(programme: VoucherProgramme) -> str:
    return f"voucher-programme-{programme.pk}-claims.csv"


def organization_for_vouchers(*, user: Any, organization_id: int) -> Organization:
    """The organization whose vouchers `user` asks for: its owners and admins, finance staff."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not (
        user_can_manage_organization(user=user, organization=organization) or user_is_finance(user)
    ):
        raise NotFound(_("Organization not found."))
    return organization
