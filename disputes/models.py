"""A dispute on one milestone, the evidence the parties add, the mediators' decisions, the appeal.

State changes go through disputes.services; the allowed moves are in disputes.states. The held
amount is fixed when the dispute opens: a decision splits exactly that.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Milestone
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money


class Side(models.TextChoices):
    POSTER = "poster", _("Poster")
    PROVIDER = "provider", _("Provider")


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPENED = "opened", _("Waiting for the response")
        EVIDENCE = "evidence", _("Evidence")
        MEDIATION = "mediation", _("In mediation")
        DECIDED = "decided", _("Decided")
        APPEALED = "appealed", _("Appealed")
        EXECUTED = "executed", _("Executed")

    class Reason(models.TextChoices):
        NOT_DELIVERED = "not_delivered", _("The work was not delivered")
        QUALITY = "quality", _("The work does not meet the agreed terms")
        LATE = "late", _("The work was delivered late")
        NOT_REVIEWED = "not_reviewed", _("The delivery is refused without good reason")
        SCOPE = "scope", _("The poster asks for more than the contract")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        POSTER = "poster", _("All refunded to the poster")
        PROVIDER = "provider", _("All released to the provider")
        SPLIT = "split", _("Split between both")

    milestone = models.OneToOneField(
        Milestone, on_delete=models.PROTECT, related_name="dispute", verbose_name=_("milestone")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("contract")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opener_side = models.CharField(_("opened by side"), max_length=8, choices=Side.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    statement = models.TextField(_("statement"), max_length=8000)
    held_amount = models.BigIntegerField(_("held (fen)"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPENED, db_index=True
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    response_due_at = models.DateTimeField(_("response due"))
    response = models.TextField(_("response"), blank=True, max_length=8000)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    evidence_due_at = models.DateTimeField(_("evidence closes"), null=True, blank=True)
    mediation_at = models.DateTimeField(_("in mediation since"), null=True, blank=True)
    # Why it went to mediation: "evidence_closed", "respondent_silent".
    mediation_cause = models.CharField(max_length=20, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Set while a decision waits for its appeal window; the beat executes it afterwards.
    appeal_due_at = models.DateTimeField(_("appeal window ends"), null=True, blank=True)
    executed_at = models.DateTimeField(_("executed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["opened_at", "id"]
        permissions = [("decide_dispute", _("Can decide disputes and appeals"))]
        constraints = [
            models.CheckConstraint(condition=Q(held_amount__gt=0), name="dispute_held_positive"),
        ]

    def __str__(self) -> str:
        return _("Dispute #%(id)s on %(milestone)s") % {"id": self.pk, "milestone": self.milestone}

    @property
    def held_money(self) -> Money:
        return Money(self.held_amount, self.currency)

    @property
    def respondent_side(self) -> str:
        return Side.POSTER if self.opener_side == Side.PROVIDER else Side.PROVIDER

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.EXECUTED


def evidence_file_path(instance: DisputeEvidence, filename: str) -> str:
    return f"disputes/{instance.dispute_id}/{instance.sha256}"


class DisputeEvidence(models.Model):
    """A file a party adds to the dispute, checked by content like every upload."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    note = models.TextField(_("what it shows"), blank=True, max_length=2000)
    file = models.FileField(_("file"), upload_to=evidence_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class DisputeDecision(models.Model):
    """A mediator's split of the held amount: refund to the poster, release to the provider.
    Round 1 is the decision, round 2 the decision on an appeal (by another mediator)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField(default=1)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("mediator"),
    )
    refund = models.BigIntegerField(_("refund to the poster (fen)"))
    release = models.BigIntegerField(_("release to the provider (fen)"))
    reasons = models.TextField(_("reasons"), max_length=8000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["dispute", "round"]
        constraints = [
            # Two mediators deciding at once: the database lets one decision per round exist.
            models.UniqueConstraint(fields=["dispute", "round"], name="dispute_decision_round"),
            models.CheckConstraint(
                condition=Q(refund__gte=0, release__gte=0), name="dispute_decision_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} #{self.round}"

    @property
    def refund_money(self) -> Money:
        return Money(self.refund, self.dispute.currency)

    @property
    def release_money(self) -> Money:
        return Money(self.release, self.dispute.currency)


class DisputeAppeal(models.Model):
    """A party's one appeal against a decision, within the appeal window."""

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="appeal")
    side = models.CharField(max_length=8, choices=Side.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.dispute_id}"
