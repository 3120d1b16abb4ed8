"""Receipts: one record for every funding, payout and platform fee the ledger posts.

A receipt documents one journal entry (unique on the entry and the kind) and holds, as they
were when it was written, the fields a Chinese VAT e-invoice (增值税电子发票) needs: the
buyer's name (发票抬头) and taxpayer id (统一社会信用代码), the seller (the platform), the
amount including tax, the tax rate and the tax in integer fen, the item name and the issue
date. The e-invoice itself is issued by an `EInvoiceIssuer` (payments.receipts); its outcome is
recorded here. Imported by payments.models, so Django sees it as a model of payments.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.money import CURRENCY_CHOICES, Money


class Receipt(models.Model):
    class Kind(models.TextChoices):
        FUNDING = "funding", _("Escrow funding")
        PAYOUT = "payout", _("Payout")
        PLATFORM_FEE = "platform_fee", _("Platform service fee")

    class BuyerType(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        INDIVIDUAL = "individual", _("Individual")

    class EInvoiceStatus(models.TextChoices):
        PENDING = "pending", pgettext_lazy("e-invoice", "Pending")
        NOT_ISSUED = "not_issued", pgettext_lazy("e-invoice", "Not issued")
        ISSUED = "issued", pgettext_lazy("e-invoice", "Issued")
        FAILED = "failed", pgettext_lazy("e-invoice", "Failed")

    number = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    entry = models.ForeignKey(
        "payments.JournalEntry", on_delete=models.PROTECT, related_name="receipts"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="receipts"
    )
    milestone = models.ForeignKey(
        "contracts.Milestone", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Whom the receipt is for: the poster organization (funding) or the provider (payout, fee).
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "accounts.ProviderProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    buyer_type = models.CharField(max_length=12, choices=BuyerType.choices)
    buyer_name = models.CharField(max_length=120)
    buyer_taxpayer_id = models.CharField(max_length=20, blank=True)
    seller_name = models.CharField(max_length=120)
    seller_taxpayer_id = models.CharField(max_length=20)
    item_name = models.CharField(max_length=100)
    # Including tax (价税合计), in minor units; tax_amount is the part of it that is tax.
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    tax_rate_bps = models.PositiveIntegerField()
    tax_amount = models.BigIntegerField()
    issue_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    einvoice_status = models.CharField(
        max_length=12, choices=EInvoiceStatus.choices, default=EInvoiceStatus.PENDING
    )
    einvoice_issuer = models.CharField(max_length=60, blank=True)
    einvoice_number = models.CharField(max_length=40, blank=True)
    einvoice_message = models.CharField(max_length=300, blank=True)
    einvoice_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "kind"], name="receipt_entry_kind_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=Q(tax_amount__gte=0, tax_amount__lte=models.F("amount")),
                name="receipt_tax_within_amount",
            ),
            models.CheckConstraint(
                condition=(
                    Q(organization__isnull=False, provider__isnull=True)
                    | Q(organization__isnull=True, provider__isnull=False)
                ),
                name="receipt_one_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-issue_date"], name="receipt_org_idx"),
            models.Index(fields=["provider", "-issue_date"], name="receipt_provider_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def tax(self) -> Money:
        return Money(self.tax_amount, self.currency)

    @property
    def net(self) -> Money:
        """The amount before tax (金额): what is not tax."""
        return Money(self.amount - self.tax_amount, self.currency)

    @property
    def tax_rate_percent(self) -> str:
        """The rate as printed on an invoice: "6%", "1.5%"."""
        whole, rest = divmod(self.tax_rate_bps, 100)
        return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"
