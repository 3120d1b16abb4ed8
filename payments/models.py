"""The ledger (accounts, journal entries, postings) and the records of what the gateway did.

Money moves only as journal entries whose postings sum to zero per currency (DESIGN §6); the
postings are append-only. Balances are sums of postings, never stored. Gateway rows record
what Stripe (or the sandbox standing in for it) was asked to do, keyed by the deterministic
idempotency key the request carried, so a retried step finds its earlier result.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Milestone
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money


class LedgerAccount(models.Model):
    """One account of the double-entry ledger: a kind, whose it is, and one currency."""

    class Kind(models.TextChoices):
        POSTER_FUNDING = "poster_funding", _("Poster funding")
        CONTRACT_ESCROW = "contract_escrow", _("Contract escrow")
        PROVIDER_PAYABLE = "provider_payable", _("Provider payable")
        PROVIDER_PAID_OUT = "provider_paid_out", _("Paid out to provider")
        PLATFORM_FEE_REVENUE = "platform_fee_revenue", _("Platform fee revenue")
        PROCESSOR_FEES = "processor_fees", _("Processor fees")
        VOUCHER_PROGRAMME = "voucher_programme", _("Voucher programme")
        # Innovation vouchers (payments.voucher_models): the issuer's committed budget (a
        # source, negative), each voucher's remaining value, the claims released voucher
        # money makes on the programme and, beside them, what the platform advanced for it.
        VOUCHER_BUDGET = "voucher_budget", _("Voucher programme budget")
        VOUCHER = "voucher", _("Innovation voucher")
        VOUCHER_CLAIMS = "voucher_claims", _("Voucher claims on the programme")
        VOUCHER_ADVANCED = "voucher_advanced", _("Voucher money advanced to providers")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Whose account: "organization:12", "contract:7", "provider:3", or "platform".
    owner = models.CharField(max_length=60)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner", "currency"], name="ledger_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner}:{self.currency}"


class JournalEntry(models.Model):
    """One movement of money; its reference makes posting it idempotent."""

    reference = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return self.reference


class Posting(models.Model):
    """One line of an entry: a signed amount on one account. Never updated or deleted."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "entry"], name="posting_account_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="posting_amount_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount} {self.currency}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class Escrow(models.Model):
    """Payments' row for a contract: the lock every money movement of the contract takes after
    the contract's and its milestones' locks, and the freeze a card dispute puts on it."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="escrow")
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"escrow of contract {self.contract_id}"


class GatewayObject(models.Model):
    """What the gateway was asked to do: a payment intent, charge, transfer, refund or reversal."""

    class Kind(models.TextChoices):
        PAYMENT_INTENT = "payment_intent", _("Payment")
        CHARGE = "charge", _("Charge")
        TRANSFER = "transfer", _("Transfer")
        REFUND = "refund", _("Refund")
        TRANSFER_REVERSAL = "transfer_reversal", _("Transfer reversal")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    gateway = models.CharField(max_length=10)  # "sandbox" or "stripe"
    kind = models.CharField(max_length=20, choices=Kind.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The milestones a funding payment pays for.
    milestone_ids = models.JSONField(default=list, blank=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    client_secret = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="gateway_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind} {self.external_id or self.idempotency_key}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class ConnectedAccount(models.Model):
    """A provider's Stripe Connect account (or its sandbox stand-in) that releases go to."""

    provider = models.OneToOneField(
        "accounts.ProviderProfile", on_delete=models.PROTECT, related_name="connected_account"
    )
    external_id = models.CharField(max_length=100, unique=True)
    payouts_enabled = models.BooleanField(default=False)
    # The `created` time of the Stripe event the state came from: an older event arriving
    # late does not overwrite a newer one.
    state_event_created = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.external_id


class WebhookEvent(models.Model):
    """A verified Stripe event, stored by id in the transaction of its effects: processed once."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    # Set when our rules refused the event's effect (a payment for a cancelled contract): it is
    # kept, answered 200 so Stripe stops resending it, and left for finance staff to resolve.
    refused_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


# Innovation vouchers live in their own module; imported here so Django registers them.
from payments.voucher_models import (  # noqa: E402
    Voucher,
    VoucherClaim,
    VoucherProgramme,
    VoucherReturn,
    VoucherShare,
    VoucherSpend,
)

__all__ = [
    "ConnectedAccount",
    "Escrow",
    "GatewayObject",
    "JournalEntry",
    "LedgerAccount",
    "Posting",
    "Voucher",
    "VoucherClaim",
    "VoucherProgramme",
    "VoucherReturn",
    "VoucherShare",
    "VoucherSpend",
    "WebhookEvent",
]
