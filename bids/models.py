"""Bids: a provider's sealed offer on a task, its revisions and proposed milestones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderProfile
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money
from tasks.models import Task


class Bid(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        REVISED = "revised", _("Revised")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REJECTED = "rejected", _("Not selected")
        AWARDED = "awarded", _("Awarded")

    LIVE = (Status.SUBMITTED, Status.REVISED, Status.SHORTLISTED)

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="bids")
    provider = models.ForeignKey(ProviderProfile, on_delete=models.PROTECT, related_name="bids")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Sealed: only the poster's members and the bidder ever see amount and milestones.
    amount = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    proposal = models.TextField(_("proposal"), max_length=20000)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    revision = models.PositiveIntegerField(default=1)
    decision_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live bid per provider per task; a withdrawn bid frees the slot for a new one.
            models.UniqueConstraint(
                fields=["task", "provider"],
                condition=~Q(status="withdrawn"),
                name="bid_one_live_per_provider",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bid_amount_positive"),
            models.CheckConstraint(condition=Q(duration_days__gt=0), name="bid_duration_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} on {self.task}"

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class BidMilestone(models.Model):
    """A milestone the bidder proposes: what, how much, by which day after the start."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    amount = models.BigIntegerField(_("amount (fen)"))
    due_days = models.PositiveIntegerField(_("due (days after start)"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "position"], name="bid_milestone_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bid_milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.bid.currency)


class BidRevision(models.Model):
    """A snapshot of every version of a bid, kept as its history."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    amount = models.BigIntegerField()
    duration_days = models.PositiveIntegerField()
    proposal = models.TextField()
    milestones = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bid", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "revision"], name="bid_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bid} r{self.revision}"
