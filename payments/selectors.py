"""Reading money: a provider's earnings, a contract's escrow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum

from contracts.models import Milestone
from contracts.states import MILESTONE_HELD
from marketplace.money import DEFAULT_CURRENCY, Money
from payments.ledger import balance_of
from payments.models import ConnectedAccount, GatewayObject, LedgerAccount, Posting, VoucherSpend

K = LedgerAccount.Kind


@dataclass(frozen=True)
class Earnings:
    pending: Money  # held in escrow for the provider's milestones, not yet accepted
    available: Money  # released to the provider, not yet transferred
    paid_out: Money  # transferred to the provider's payout account
    history: list[Payout]


@dataclass(frozen=True)
class Payout:
    """One payout to the provider, with the contract milestone it paid for."""

    posting: Posting
    milestone: Milestone | None

    @property
    def money(self) -> Money:
        return self.posting.money


REFERENCE = re.compile(r"^contract:(?P<contract>\d+):milestone:(?P<position>\d+):")


def _payouts(postings: list[Posting]) -> list[Payout]:
    """Attach each payout's milestone (one query for the page), read from its entry's
    deterministic reference (contract:{id}:milestone:{n}:...)."""
    keys = {}
    for posting in postings:
        found = REFERENCE.match(posting.entry.reference)
        if found:
            keys[posting.pk] = (int(found["contract"]), int(found["position"]))
    wanted = Q()
    for contract_id, position in set(keys.values()):
        wanted |= Q(contract_id=contract_id, position=position)
    milestones = (
        {
            (m.contract_id, m.position): m
            for m in Milestone.objects.filter(wanted).select_related("contract__task")
        }
        if keys
        else {}
    )
    return [Payout(p, milestones.get(keys.get(p.pk, (0, 0)))) for p in postings]


def provider_earnings(*, profile_ids: list[int], currency: str = DEFAULT_CURRENCY) -> Earnings:
    """Earnings of the providers the viewer acts for (two queries for the totals, one for
    the history)."""
    pending = Milestone.objects.filter(
        contract__provider_id__in=profile_ids,
        contract__currency=currency,
        status__in=[*MILESTONE_HELD, Milestone.Status.ACCEPTED],
    ).aggregate(total=Sum("amount"))["total"]
    owners = [f"provider:{pk}" for pk in profile_ids]
    available = sum(
        (balance_of(kind=K.PROVIDER_PAYABLE, owner=o, currency=currency) for o in owners),
        Money.zero(currency),
    )
    paid_out = sum(
        (balance_of(kind=K.PROVIDER_PAID_OUT, owner=o, currency=currency) for o in owners),
        Money.zero(currency),
    )
    history = list(
        Posting.objects.filter(
            account__kind=K.PROVIDER_PAID_OUT, account__owner__in=owners, currency=currency
        )
        .select_related("entry")
        .order_by("-entry__created_at", "-id")[:50]
    )
    return Earnings(Money(int(pending or 0), currency), available, paid_out, _payouts(history))


def contract_escrow_held(*, contract_id: int, currency: str) -> Money:
    return balance_of(kind=K.CONTRACT_ESCROW, owner=f"contract:{contract_id}", currency=currency)


# --- Payout accounts and funding attempts --------------------------------------------------------


@dataclass(frozen=True)
class PayoutStatus:
    """A provider profile's payout account as its operators see it."""

    provider: Any
    account: ConnectedAccount | None
    pending: list[GatewayObject]  # transfers owed, waiting for the account (or for Stripe)
    pending_total: Money

    @property
    def state(self) -> str:
        """ "none" (never started), "incomplete", "restricted" or "active"."""
        if self.account is None:
            return "none"
        if self.account.transfers_active:
            return "active"
        if self.account.disabled_reason and self.account.details_submitted:
            return "restricted"
        return "incomplete"

    @property
    def missing(self) -> list[str]:
        return list(self.account.requirements_due) if self.account else []


def payout_statuses(
    *, profile_ids: list[int], currency: str = DEFAULT_CURRENCY
) -> list[PayoutStatus]:
    """Each provider profile's payout account and what it is owed (three queries)."""
    from accounts.models import ProviderProfile

    profiles = list(ProviderProfile.objects.filter(pk__in=profile_ids).order_by("pk"))
    accounts = {
        a.provider_id: a for a in ConnectedAccount.objects.filter(provider_id__in=profile_ids)
    }
    pending: dict[int, list[GatewayObject]] = {pk: [] for pk in profile_ids}
    for row in (
        GatewayObject.objects.filter(
            kind=GatewayObject.Kind.TRANSFER,
            status=GatewayObject.Status.PENDING,
            contract__provider_id__in=profile_ids,
        )
        .select_related("milestone", "contract__task")
        .order_by("-id")
    ):
        assert row.contract is not None  # transfers are a contract's
        pending[row.contract.provider_id].append(row)
    return [
        PayoutStatus(
            provider=p,
            account=accounts.get(p.pk),
            pending=pending[p.pk],
            pending_total=Money(
                sum(r.amount for r in pending[p.pk] if r.currency == currency), currency
            ),
        )
        for p in profiles
    ]


@dataclass(frozen=True)
class FundingState:
    """The latest attempt to pay a contract's escrow, for the contract page and the API."""

    latest: GatewayObject | None

    @property
    def processing(self) -> bool:
        return self.latest is not None and self.latest.status == GatewayObject.Status.PENDING

    @property
    def failed(self) -> bool:
        return self.latest is not None and self.latest.status == GatewayObject.Status.FAILED


def contract_funding_state(*, contract_id: int) -> FundingState:
    latest = (
        GatewayObject.objects.filter(
            contract_id=contract_id, kind=GatewayObject.Kind.PAYMENT_INTENT
        )
        .order_by("-id")
        .first()
    )
    return FundingState(latest)


@dataclass(frozen=True)
class VoucherPart:
    """What one innovation voucher paid (or holds reserved) into a contract's escrow."""

    programme_id: int
    programme_name: str
    issuer_name: str
    voucher_code: str
    amount: Money
    status: str  # VoucherSpend.Status: posted, or reserved while the card part is pending

    @property
    def reserved(self) -> bool:
        return self.status == VoucherSpend.Status.RESERVED


@dataclass(frozen=True)
class FundingSources:
    """Where a contract's escrow money came from: card payments and voucher programmes."""

    card: Money
    vouchers: list[VoucherPart]

    @property
    def voucher_total(self) -> Money:
        posted = sum(v.amount.amount for v in self.vouchers if not v.reserved)
        return Money(posted, self.card.currency)

    @property
    def total(self) -> Money:
        return self.card + self.voucher_total

    @property
    def any(self) -> bool:
        return bool(self.card.amount or self.vouchers)


def contract_funding_sources(*, contract_id: int, currency: str) -> FundingSources:
    """The succeeded card (or sandbox) payments into the escrow, and each voucher's part with
    its programme; a reservation released after its payment failed is not shown."""
    card = GatewayObject.objects.filter(
        contract_id=contract_id,
        kind=GatewayObject.Kind.PAYMENT_INTENT,
        status=GatewayObject.Status.SUCCEEDED,
        currency=currency,
    ).aggregate(total=Sum("amount"))["total"]
    spends = (
        VoucherSpend.objects.filter(
            contract_id=contract_id,
            currency=currency,
            status__in=[VoucherSpend.Status.POSTED, VoucherSpend.Status.RESERVED],
        )
        .select_related("voucher__programme__issuer")
        .order_by("id")
    )
    return FundingSources(
        card=Money(int(card or 0), currency),
        vouchers=[
            VoucherPart(
                programme_id=s.voucher.programme_id,
                programme_name=s.voucher.programme.name,
                issuer_name=s.voucher.programme.issuer.name,
                voucher_code=s.voucher.code,
                amount=s.money,
                status=s.status,
            )
            for s in spends
        ],
    )


# --- the staff dashboard's money figures ---------------------------------------------------------


def escrow_held_total(*, currency: str = DEFAULT_CURRENCY) -> Money:
    """What every contract's escrow holds now, together."""
    total = Posting.objects.filter(
        account__kind=K.CONTRACT_ESCROW, account__currency=currency
    ).aggregate(total=Sum("amount"))["total"]
    return Money(int(total or 0), currency)


def released_between(*, start: Any, end: Any, currency: str = DEFAULT_CURRENCY) -> Money:
    """Money released from escrow to providers (with the platform's fee) in [start, end): the
    escrow side of every entry that credits a provider's payable, less what reversals put back."""
    from django.db.models import Exists, OuterRef

    to_provider = Posting.objects.filter(entry=OuterRef("entry"), account__kind=K.PROVIDER_PAYABLE)
    total = (
        Posting.objects.filter(
            account__kind=K.CONTRACT_ESCROW,
            account__currency=currency,
            entry__created_at__gte=start,
            entry__created_at__lt=end,
        )
        .filter(Exists(to_provider))
        .aggregate(total=Sum("amount"))["total"]
    )
    return Money(-int(total or 0), currency)


# --- Task pools (a contest's prize, a piece-work task's units) ------------------------------


@dataclass(frozen=True)
class PoolState:
    """A task pool's money for its pages, the API and the contests / piece-work apps.

    held == funded - allocated - returned - fee, and equals the ledger's task_pool balance."""

    task_id: int
    exists: bool
    purpose: str
    funded: Money  # pool payments that succeeded
    allocated: Money  # moved to contracts' escrows (prizes paid, units accepted)
    returned: Money  # refunded to the poster (net of the fee)
    fee: Money  # kept by the platform on returns
    held: Money  # in the pool now (from the ledger)
    latest: GatewayObject | None  # the latest pool payment, for processing / failed
    frozen: bool
    frozen_reason: str

    @property
    def processing(self) -> bool:
        return self.latest is not None and self.latest.status == GatewayObject.Status.PENDING

    @property
    def failed(self) -> bool:
        return self.latest is not None and self.latest.status == GatewayObject.Status.FAILED


def task_pool_state(*, task_id: int) -> PoolState:
    """The pool of a task (three queries); a task without a pool reads as an empty one in the
    task's currency."""
    from payments.models import PoolMove, TaskPool
    from tasks.models import Task

    pool = TaskPool.objects.filter(task_id=task_id).first()
    currency = (
        pool.currency
        if pool is not None
        else Task.objects.filter(pk=task_id).values_list("currency", flat=True).first()
        or DEFAULT_CURRENCY
    )
    sums: dict[str, tuple[int, int]] = {}
    if pool is not None:
        for row in (
            PoolMove.objects.filter(pool=pool)
            .values("kind")
            .annotate(amount=Sum("amount"), fee=Sum("fee"))
        ):
            sums[row["kind"]] = (int(row["amount"] or 0), int(row["fee"] or 0))
    funded = sums.get(PoolMove.Kind.FUND, (0, 0))[0]
    allocated = sums.get(PoolMove.Kind.ALLOCATE, (0, 0))[0]
    gross, fee = sums.get(PoolMove.Kind.RETURN, (0, 0))
    latest = (
        GatewayObject.objects.filter(
            task_id=task_id, contract__isnull=True, kind=GatewayObject.Kind.PAYMENT_INTENT
        )
        .order_by("-id")
        .first()
    )
    return PoolState(
        task_id=task_id,
        exists=pool is not None,
        purpose=pool.purpose if pool is not None else "",
        funded=Money(funded, currency),
        allocated=Money(allocated, currency),
        returned=Money(gross - fee, currency),
        fee=Money(fee, currency),
        held=balance_of(kind=K.TASK_POOL, owner=f"task:{task_id}", currency=currency),
        latest=latest,
        frozen=pool is not None and pool.frozen_at is not None,
        frozen_reason=pool.frozen_reason if pool is not None else "",
    )
