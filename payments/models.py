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
        CHARGEBACKS = "chargebacks", _("Card chargebacks")
        VOUCHER_PROGRAMME = "voucher_programme", _("Voucher programme")
        # Innovation vouchers (payments.voucher_models): the issuer's committed budget (a
        # source, negative), each voucher's remaining value, the claims released voucher
        # money makes on the programme and, beside them, what the platform advanced for it.
        VOUCHER_BUDGET = "voucher_budget", _("Voucher programme budget")
        VOUCHER = "voucher", _("Innovation voucher")
        VOUCHER_CLAIMS = "voucher_claims", _("Voucher claims on the programme")
        VOUCHER_ADVANCED = "voucher_advanced", _("Voucher money advanced to providers")
        # A task's pool (payments.pool_models): a contest's prize or piece-work units, paid
        # in before any contract exists and allocated to contracts' escrows from there.
        TASK_POOL = "task_pool", _("Task pool")

    kind = models.CharField(max_length=30, choices=Kind.choices, verbose_name=_("kind"))
    # Whose account: "organization:12", "contract:7", "provider:3", or "platform".
    owner = models.CharField(max_length=60, verbose_name=_("owner"))
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner", "currency"], name="ledger_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner}:{self.currency}"


class JournalEntry(models.Model):
    """One movement of money; its reference makes posting it idempotent."""

    reference = models.CharField(max_length=200, unique=True, verbose_name=_("reference"))
    reason = models.CharField(max_length=200, verbose_name=_("reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.reference


class Posting(models.Model):
    """One line of an entry: a signed amount on one account. Never updated or deleted."""

    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="postings", verbose_name=_("entry")
    )
    # No index of its own: posting_account_idx (account, entry) serves every lookup by account,
    # and one index fewer is one write fewer per posting.
    account = models.ForeignKey(
        LedgerAccount,
        on_delete=models.PROTECT,
        related_name="postings",
        db_index=False,
        verbose_name=_("account"),
    )
    amount = models.BigIntegerField(verbose_name=_("amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, verbose_name=_("currency"))

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
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

    contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, related_name="escrow", verbose_name=_("contract")
    )
    frozen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("frozen at"))
    frozen_reason = models.CharField(max_length=200, blank=True, verbose_name=_("frozen reason"))

    class Meta:
        verbose_name = _("escrow")
        verbose_name_plural = _("escrows")

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

    class Cancellation(models.TextChoices):
        CANCELED = "canceled", _("Cancelled at the processor")
        # It succeeded or was already finished when we asked: nothing to cancel.
        NOT_CANCELLABLE = "not_cancellable", _("No longer cancellable")

    gateway = models.CharField(max_length=10, verbose_name=_("gateway"))  # "sandbox" or "stripe"
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    idempotency_key = models.CharField(
        max_length=200, unique=True, verbose_name=_("idempotency key")
    )
    external_id = models.CharField(
        max_length=100, blank=True, db_index=True, verbose_name=_("external ID")
    )
    # A contract's payment, transfer or refund; a task pool's payment (or its refund) has the
    # task instead and no contract.
    contract = models.ForeignKey(
        Contract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contract"),
    )
    task = models.ForeignKey(
        "tasks.Task",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("task"),
    )
    milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("milestone"),
    )
    # The milestones a funding payment pays for.
    milestone_ids = models.JSONField(default=list, blank=True, verbose_name=_("milestone IDs"))
    amount = models.BigIntegerField(verbose_name=_("amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, verbose_name=_("currency"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    client_secret = models.CharField(max_length=200, blank=True, verbose_name=_("client secret"))
    # Why Stripe said a payment failed or was cancelled (payment_intent.payment_failed).
    failure_message = models.CharField(
        max_length=300, blank=True, verbose_name=_("failure message")
    )
    # A failed or abandoned payment intent is cancelled at Stripe once a new attempt replaces
    # it (or a reservation behind it runs out), so its Payment Element can no longer charge.
    cancellation = models.CharField(max_length=15, choices=Cancellation.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("gateway object")
        verbose_name_plural = _("gateway objects")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="gateway_amount_positive"),
            models.CheckConstraint(
                condition=Q(contract__isnull=False) | Q(task__isnull=False),
                name="gateway_object_of_contract_or_pool",
            ),
        ]
        permissions = [
            ("handle_finance", "Can watch escrow, card disputes and reconciliation (finance)"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind} {self.external_id or self.idempotency_key}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class ConnectedAccount(models.Model):
    """A provider's Stripe Connect account (or its sandbox stand-in) that releases go to."""

    provider = models.OneToOneField(
        "accounts.ProviderProfile",
        on_delete=models.PROTECT,
        related_name="connected_account",
        verbose_name=_("provider"),
    )
    external_id = models.CharField(max_length=100, unique=True, verbose_name=_("external ID"))
    payouts_enabled = models.BooleanField(default=False, verbose_name=_("payouts enabled"))
    # capabilities.transfers == "active": only then does a release become a transfer.
    transfers_active = models.BooleanField(default=False, verbose_name=_("transfers active"))
    details_submitted = models.BooleanField(default=False, verbose_name=_("details submitted"))
    # What Stripe still needs (requirements.currently_due) and why the account is held back
    # (requirements.disabled_reason), from the latest account.updated.
    requirements_due = models.JSONField(
        default=list, blank=True, verbose_name=_("requirements due")
    )
    disabled_reason = models.CharField(
        max_length=100, blank=True, verbose_name=_("disabled reason")
    )
    # The `created` time of the Stripe event the state came from: an older event arriving
    # late does not overwrite a newer one.
    state_event_created = models.BigIntegerField(default=0, verbose_name=_("state event created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")

    def __str__(self) -> str:
        return self.external_id


class WebhookEvent(models.Model):
    """A verified Stripe event, stored by id in the transaction of its effects: processed once."""

    event_id = models.CharField(max_length=100, unique=True, verbose_name=_("event ID"))
    type = models.CharField(max_length=100, verbose_name=_("type"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    # Set when our rules refused the event's effect (a payment for a cancelled contract): it is
    # kept, answered 200 so Stripe stops resending it, and left for finance staff to resolve.
    refused_reason = models.TextField(blank=True, verbose_name=_("refused reason"))

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class CardDispute(models.Model):
    """A card dispute (chargeback) on a charge that funded an escrow, from Stripe's events."""

    class Status(models.TextChoices):
        OPEN = "open", _("Dispute open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    external_id = models.CharField(max_length=100, unique=True, verbose_name=_("external ID"))
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="+", verbose_name=_("contract")
    )
    charge = models.ForeignKey(
        GatewayObject, on_delete=models.PROTECT, related_name="+", verbose_name=_("charge")
    )
    amount = models.BigIntegerField(verbose_name=_("amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, verbose_name=_("currency"))
    reason = models.CharField(max_length=100, blank=True, verbose_name=_("reason"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    # The part of the lost amount that was no longer in escrow and the platform bore.
    platform_loss = models.BigIntegerField(default=0, verbose_name=_("platform loss"))
    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        verbose_name = _("card dispute")
        verbose_name_plural = _("card disputes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.status})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class ReconciliationMismatch(models.Model):
    """A difference the reconciliation job found between the ledger, our gateway records and
    the processor's objects of one contract's transfer group. Open until a later run no longer
    finds it or finance staff resolve it."""

    class Code(models.TextChoices):
        MISSING_AT_PROCESSOR = "missing_at_processor", _("Recorded here, missing at the processor")
        UNKNOWN_AT_PROCESSOR = "unknown_at_processor", _("At the processor, unknown here")
        AMOUNT_DIFFERS = "amount_differs", _("Amounts differ")
        STATUS_DIFFERS = "status_differs", _("Status differs")
        LEDGER_MISSING = "ledger_missing", _("No ledger entry for a gateway object")
        LEDGER_DIFFERS = "ledger_differs", _("Ledger amount differs from the gateway object")

    class Status(models.TextChoices):
        OPEN = "open", _("Unresolved")
        RESOLVED = "resolved", _("Resolved")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="+", verbose_name=_("contract")
    )
    code = models.CharField(max_length=30, choices=Code.choices, verbose_name=_("code"))
    # What it is about: an object id or a ledger reference.
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    expected = models.BigIntegerField(null=True, blank=True, verbose_name=_("expected"))
    actual = models.BigIntegerField(null=True, blank=True, verbose_name=_("actual"))
    detail = models.CharField(max_length=300, blank=True, verbose_name=_("detail"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    found_at = models.DateTimeField(auto_now_add=True, verbose_name=_("found at"))
    last_seen_at = models.DateTimeField(auto_now=True, verbose_name=_("last seen at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    resolution = models.CharField(max_length=300, blank=True, verbose_name=_("resolution"))

    class Meta:
        verbose_name = _("reconciliation mismatch")
        verbose_name_plural = _("reconciliation mismatches")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code", "subject"],
                condition=Q(status="open"),
                name="reconciliation_one_open_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"contract {self.contract_id}: {self.code} {self.subject}"


from payments.pool_models import PoolMove, TaskPool  # noqa: E402  (payments models)
from payments.receipt_models import Receipt as Receipt  # noqa: E402  (a payments model)

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
    "PoolMove",
    "Posting",
    "TaskPool",
    "Voucher",
    "VoucherClaim",
    "VoucherProgramme",
    "VoucherReturn",
    "VoucherShare",
    "VoucherSpend",
    "WebhookEvent",
]
