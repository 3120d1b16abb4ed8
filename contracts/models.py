"""What follows an award: the contract, its milestones, deliveries with their files, reviews.

State changes go through contracts.services; the allowed moves are in contracts.states. A task
may have several contracts (a contest with several winners, piece-work with many providers);
the tender mode keeps its rule of one contract per task as a partial unique constraint.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, ProviderProfile
from bids.models import Bid, Offer
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money
from tasks.models import Task


class Contract(models.Model):
    """The agreement an award creates between the poster and the winning provider."""

    class Status(models.TextChoices):
        AWAITING_FUNDING = "awaiting_funding", _("Awaiting funding")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        TENDER = "tender", _("Tender")
        CONTEST = "contest", _("Contest prize")
        PIECEWORK = "piecework", _("Piece-work")

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("task")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="contracts_as_poster",
        verbose_name=_("poster"),
    )
    provider = models.ForeignKey(
        ProviderProfile,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("provider"),
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.TENDER)
    # The bid whose terms became the contract (null for modes without bids, such as a contest
    # prize).
    bid = models.ForeignKey(
        Bid,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("bid"),
    )
    # The negotiation offer the bid's terms came from, when they were agreed in its thread.
    accepted_offer = models.ForeignKey(
        Offer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("accepted offer"),
    )
    amount = models.BigIntegerField(_("total (fen)"))
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    ip_terms = models.CharField(
        max_length=10, choices=Task.IpTerms.choices, verbose_name=_("IP terms")
    )
    ip_terms_custom = models.TextField(blank=True, verbose_name=_("IP terms custom"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_FUNDING
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("awarded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at"]
        constraints = [
            # Tender mode: one award per task, enforced by the database as well as the service.
            models.UniqueConstraint(
                fields=["task"], condition=Q(mode="tender"), name="contract_one_per_tender_task"
            ),
            # Whatever the mode, a bid becomes at most one contract.
            models.UniqueConstraint(fields=["bid"], name="contract_one_per_bid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contract_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.task} — {self.provider}"

    def get_absolute_url(self) -> str:
        return reverse("frontend:contract_detail", args=[self.pk])

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.currency)


class Milestone(models.Model):
    class Status(models.TextChoices):
        AWAITING_FUNDING = "awaiting_funding", _("Awaiting funding")
        FUNDED = "funded", _("Funded")
        SUBMITTED = "submitted", _("Delivered, in review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ACCEPTED = "accepted", _("Accepted")
        RELEASED = "released", _("Paid out")
        DISPUTED = "disputed", _("Disputed")
        REFUNDED = "refunded", _("Refunded")
        SPLIT = "split", _("Split by a decision")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("contract")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what is delivered"), blank=True, max_length=2000)
    amount = models.BigIntegerField(_("amount (fen)"))
    due_days = models.PositiveIntegerField(_("due (days after start)"))
    # Fixed when the contract starts (the escrow is funded): start date + due_days.
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.AWAITING_FUNDING,
        db_index=True,
    )
    change_rounds = models.PositiveSmallIntegerField(_("change rounds used"), default=0)
    funded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("funded at"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    review_due_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("review due at")
    )
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    # Null with accepted_at set means silence past the review window accepted it.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    released_at = models.DateTimeField(null=True, blank=True, verbose_name=_("released at"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="milestone_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("frontend:contract_detail", args=[self.contract_id])

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.contract.currency)


class Delivery(models.Model):
    """One submission of a milestone's work, and the poster's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        AUTO_ACCEPTED = "auto_accepted", _("Accepted after the review window")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("milestone")
    )
    round = models.PositiveSmallIntegerField(verbose_name=_("round"))
    note = models.TextField(_("note"), max_length=8000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("submitted at"))
    decision = models.CharField(
        max_length=20,
        choices=Decision.choices,
        default=Decision.PENDING,
        verbose_name=_("decision"),
    )
    decision_note = models.TextField(_("feedback"), blank=True, max_length=8000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["milestone", "round"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "round"], name="delivery_round_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} #{self.round}"


def delivery_file_path(instance: DeliveryFile, filename: str) -> str:
    return f"deliveries/{instance.delivery_id}/{instance.sha256}"


class DeliveryFile(models.Model):
    """A delivered file; its SHA-256 and the time it was received are evidence of authorship."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="files", verbose_name=_("delivery")
    )
    file = models.FileField(upload_to=delivery_file_path, max_length=200, verbose_name=_("file"))
    original_name = models.CharField(max_length=200, verbose_name=_("original name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, db_index=True, verbose_name=_("SHA-256"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("delivery file")
        verbose_name_plural = _("delivery files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Review(models.Model):
    """One side's rating of the other after a contract completes."""

    class Side(models.TextChoices):
        POSTER = "poster", _("Poster reviews provider")
        PROVIDER = "provider", _("Provider reviews poster")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("contract")
    )
    side = models.CharField(max_length=10, choices=Side.choices, verbose_name=_("side"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    rating = models.PositiveSmallIntegerField(
        _("overall"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    quality = models.PositiveSmallIntegerField(
        _("quality"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    communication = models.PositiveSmallIntegerField(
        _("communication"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    timeliness = models.PositiveSmallIntegerField(
        _("timeliness"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "side"], name="review_one_per_side"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5)
                & Q(quality__gte=1, quality__lte=5)
                & Q(communication__gte=1, communication__lte=5)
                & Q(timeliness__gte=1, timeliness__lte=5),
                name="review_scores_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.rating}/5"

    def get_absolute_url(self) -> str:
        return reverse("frontend:contract_detail", args=[self.contract_id])
