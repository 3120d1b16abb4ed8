"""Piece-work mode (计件): a task with mode=piecework and one Terms row beside it.

The terms say what a unit is, what it pays, how many there are, how many one provider may
hold and how long the poster has to review a delivered unit. Providers claim units (Claim,
one row per provider holding a count), deliver them one at a time (UnitDelivery with its
hashed files) and each delivery is decided: accepted (by the poster, or by silence once its
review window passes) and paid at once from the task's pool, or rejected with a reason, when
the unit becomes claimable again. State changes go through piecework.services; the allowed
moves of the terms are in piecework.states.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderProfile
from contracts.models import Contract
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money
from tasks.models import Task

MAX_REVIEW_DAYS = 30


class Terms(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FUNDING = "funding", _("Awaiting the escrow funding")
        OPEN = "open", _("Open for claims")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    task = models.OneToOneField(
        Task, on_delete=models.PROTECT, related_name="piecework", verbose_name=_("task")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    unit_name = models.CharField(_("unit"), max_length=80)
    unit_description = models.TextField(_("what one unit is"), max_length=4000)
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    unit_price = models.BigIntegerField(_("unit price (fen)"))
    units_total = models.PositiveIntegerField(_("units"), validators=[MinValueValidator(1)])
    per_provider_cap = models.PositiveIntegerField(
        _("units per provider at most"), validators=[MinValueValidator(1)]
    )
    review_days = models.PositiveSmallIntegerField(
        _("review window (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_DAYS)],
        help_text=_("A delivered unit not decided within this many days is accepted."),
    )
    closes_at = models.DateTimeField(_("claims and deliveries close"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("opened at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        verbose_name = _("piece-work terms")
        verbose_name_plural = _("piece-work terms")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gt=0), name="piecework_unit_price_positive"
            ),
            models.CheckConstraint(condition=Q(units_total__gt=0), name="piecework_units_positive"),
            models.CheckConstraint(
                condition=Q(per_provider_cap__gt=0) & Q(per_provider_cap__lte=F("units_total")),
                name="piecework_cap_within_total",
            ),
            models.CheckConstraint(
                condition=Q(review_days__gte=1) & Q(review_days__lte=MAX_REVIEW_DAYS),
                name="piecework_review_window_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.task)

    def get_absolute_url(self) -> str:
        return reverse("frontend:piecework_detail", args=[self.task_id])

    @property
    def unit_price_money(self) -> Money:
        return Money(self.unit_price, self.currency)

    @property
    def escrow_total(self) -> Money:
        """What the poster funds up front: units × price."""
        return Money(self.unit_price * self.units_total, self.currency)


class Claim(models.Model):
    """The units one provider holds on one task: delivered-and-pending, accepted, or still to
    deliver. A rejected unit leaves the claim (units goes down) and is claimable again."""

    terms = models.ForeignKey(
        Terms, on_delete=models.CASCADE, related_name="claims", verbose_name=_("piece-work")
    )
    provider = models.ForeignKey(
        ProviderProfile,
        on_delete=models.PROTECT,
        related_name="piecework_claims",
        verbose_name=_("provider"),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    units = models.PositiveIntegerField(_("units held"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("claimed at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["terms", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "provider"], name="claim_once_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.terms} — {self.provider} ×{self.units}"


class UnitDelivery(models.Model):
    """One delivered unit and its decision: accepted by the poster, accepted by silence once
    review_due_at passes, or rejected with a reason. An accepted unit is paid through its own
    contract (mode piecework), made and released at the moment of acceptance."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("claim")
    )
    note = models.TextField(_("note"), max_length=8000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivered by"),
    )
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    review_due_at = models.DateTimeField(_("review due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    silence_accepted = models.BooleanField(_("accepted by silence"), default=False)
    contract = models.OneToOneField(
        Contract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="piecework_unit",
        verbose_name=_("unit contract"),
    )

    class Meta:
        verbose_name = _("unit delivery")
        verbose_name_plural = _("unit deliveries")
        ordering = ["received_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="unit_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="unit_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} #{self.pk}"


def unit_file_path(instance: UnitFile, filename: str) -> str:
    return f"piecework/{instance.delivery_id}/{instance.sha256}"


class UnitFile(models.Model):
    """A delivered file; its SHA-256 and the time it was received are evidence of the work."""

    delivery = models.ForeignKey(
        UnitDelivery, on_delete=models.CASCADE, related_name="files", verbose_name=_("delivery")
    )
    file = models.FileField(upload_to=unit_file_path, max_length=200, verbose_name=_("file"))
    original_name = models.CharField(max_length=200, verbose_name=_("original name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, db_index=True, verbose_name=_("SHA-256"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("unit file")
        verbose_name_plural = _("unit files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
