"""Innovation vouchers (创新券): programmes, the vouchers they issue, and where the money went.

A programme's budget, the vouchers' remaining values and the claims live in the ledger
(payments.ledger); these rows are the records around them: who issued what to whom, which
funding a voucher paid into (reserved while the card part is pending), each milestone's
voucher share, the claims released money makes on the programme and the value returned to it.
Only payments.services.vouchers writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Milestone
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money


class VoucherProgramme(models.Model):
    """A government unit's voucher programme: a budget, a face value, validity, eligible
    task kinds and the largest share of a funding a voucher may pay."""

    issuer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="voucher_programmes",
        verbose_name=_("issuer"),
    )
    name = models.CharField(_("name"), max_length=120)
    budget = models.BigIntegerField(_("budget (fen)"))
    face_value = models.BigIntegerField(_("voucher face value (fen)"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    # Task.Kind values a voucher may pay for.
    eligible_kinds = models.JSONField(_("eligible task kinds"), default=list)
    max_share_bps = models.PositiveIntegerField(
        _("largest share of a funding (basis points)"),
        help_text=_("5000 means a voucher pays at most half of what is being funded."),
    )
    # The sum of the face values issued; written under the programme's row lock only.
    issued_total = models.BigIntegerField(_("issued (fen)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_until", "name"]
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")
        permissions = [
            ("issue_voucher", "Can issue innovation vouchers"),
            ("view_voucher_report", "Can read every voucher programme's report"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="programme_budget_positive"),
            models.CheckConstraint(
                condition=Q(face_value__gt=0) & Q(face_value__lte=F("budget")),
                name="programme_face_value_in_budget",
            ),
            models.CheckConstraint(
                condition=Q(issued_total__gte=0) & Q(issued_total__lte=F("budget")),
                name="programme_never_over_issued",
            ),
            models.CheckConstraint(
                condition=Q(max_share_bps__gte=1) & Q(max_share_bps__lte=10_000),
                name="programme_share_in_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="programme_validity_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def budget_money(self) -> Money:
        return Money(self.budget, self.currency)

    @property
    def face_value_money(self) -> Money:
        return Money(self.face_value, self.currency)

    @property
    def issued_money(self) -> Money:
        return Money(self.issued_total, self.currency)

    @property
    def eligible_kind_labels(self) -> list[str]:
        from tasks.models import Task

        return [
            str(Task.Kind(kind).label) for kind in self.eligible_kinds if kind in Task.Kind.values
        ]

    @property
    def share_percent(self) -> str:
        whole, rest = divmod(self.max_share_bps, 100)
        return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")


class Voucher(models.Model):
    """One voucher of a programme, held by an organization; its remaining value is its ledger
    account's balance less what pending fundings reserve."""

    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="vouchers"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="vouchers"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    face_value = models.BigIntegerField(_("face value (fen)"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    # Set by the expiry sweeper once the unspent value went back to the programme.
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["valid_until", "id"]
        verbose_name = _("innovation voucher")
        verbose_name_plural = _("innovation vouchers")
        constraints = [
            models.CheckConstraint(condition=Q(face_value__gt=0), name="voucher_value_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def face_value_money(self) -> Money:
        return Money(self.face_value, self.currency)


class VoucherSpend(models.Model):
    """A voucher paying part of one funding of a contract's escrow. Reserved while the card
    part is pending; posted (voucher → escrow) together with the card payment's success."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved until the card payment succeeds")
        POSTED = "posted", _("Paid into escrow")
        # The card payment behind it failed, was cancelled or never came in time.
        RELEASED = "released", _("Released: the card payment did not go through")

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="spends")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    # The funding's key (contract:{id}:fund:{positions}:voucher:{id}): one spend per funding.
    funding_key = models.CharField(max_length=200, unique=True)
    payment = models.ForeignKey(
        "payments.GatewayObject", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_spend_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} → contract {self.contract_id}: {self.amount}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class VoucherShare(models.Model):
    """The part of one milestone's escrow a voucher paid: what its release claims on the
    programme, or its refund returns to the voucher (or, expired, to the programme)."""

    spend = models.ForeignKey(VoucherSpend, on_delete=models.PROTECT, related_name="shares")
    milestone = models.OneToOneField(
        Milestone, on_delete=models.PROTECT, related_name="voucher_share"
    )
    amount = models.BigIntegerField()

    class Meta:
        ordering = ["milestone_id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_share_positive"),
        ]

    def __str__(self) -> str:
        return f"milestone {self.milestone_id}: {self.amount}"


class VoucherClaim(models.Model):
    """Released voucher money: the platform paid the provider and claims it from the
    programme, with the evidence (the delivery and its acceptance) in the programme's CSV."""

    programme = models.ForeignKey(VoucherProgramme, on_delete=models.PROTECT, related_name="claims")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="claims")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="+")
    # The release step's key with ":voucher-claim": one claim per release or split release.
    reference = models.CharField(max_length=200, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_claim_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class VoucherReturn(models.Model):
    """Value that came back: a refund to the voucher, a refund to the programme (the voucher
    had expired), or an expired voucher's unspent value."""

    class Kind(models.TextChoices):
        REFUND_TO_VOUCHER = "refund_to_voucher", _("Refund back to the voucher")
        REFUND_TO_PROGRAMME = "refund_to_programme", _("Refund back to the programme")
        EXPIRY = "expiry", _("Unspent value of an expired voucher")
        # A reservation released after its voucher expired: the value the expiry left behind.
        RELEASED_AFTER_EXPIRY = "released_expired", _("Released reservation of an expired voucher")

    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="returns"
    )
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="returns")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(max_length=200, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="voucher_return_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)
