"""The task pool: the escrow a contest's prize or a piece-work task's units are paid into up
front, before any contract exists (issue 14).

The money is in the ledger (a `task_pool` account per task, payments.ledger); these rows are
the records around it: the pool of a task with its freeze flag (the lock every pool move
takes), and each move in or out of it under its caller's reference, which makes every move
idempotent. Only payments.services.pool writes them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money


class TaskPool(models.Model):
    """A task's pool: what it is for, its currency, and the freeze an objection puts on it."""

    class Purpose(models.TextChoices):
        CONTEST_PRIZE = "contest_prize", _("Contest prize")
        PIECEWORK_UNITS = "piecework_units", _("Piece-work units")

    task = models.OneToOneField(
        "tasks.Task", on_delete=models.PROTECT, related_name="pool", verbose_name=_("task")
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, verbose_name=_("purpose"))
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    # While an objection is being decided no prize may leave the pool (pool_allocate refuses).
    frozen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("frozen at"))
    frozen_reason = models.CharField(max_length=200, blank=True, verbose_name=_("frozen reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("task pool")
        verbose_name_plural = _("task pools")

    def __str__(self) -> str:
        return f"pool of task {self.task_id}"


class PoolMove(models.Model):
    """One move into or out of a pool: a funding, an allocation to a contract, a return."""

    class Kind(models.TextChoices):
        FUND = "fund", _("Funded")
        ALLOCATE = "allocate", _("Allocated to a contract")
        RETURN = "return", _("Returned to the poster")

    pool = models.ForeignKey(
        TaskPool, on_delete=models.PROTECT, related_name="moves", verbose_name=_("pool")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    reference = models.CharField(max_length=200, verbose_name=_("reference"))
    # What left (or entered) the pool; a return's fee is part of it, kept by the platform.
    amount = models.BigIntegerField(verbose_name=_("amount"))
    fee = models.BigIntegerField(default=0, verbose_name=_("fee"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, verbose_name=_("currency"))
    contract = models.ForeignKey(
        Contract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contract"),
    )
    milestone_ids = models.JSONField(default=list, blank=True, verbose_name=_("milestone IDs"))
    # A funding's payment; an allocation's source (the pool payment whose charge the
    # provider's transfer is made from), or none when no single payment covers it.
    payment = models.ForeignKey(
        "payments.GatewayObject",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment"),
    )
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("pool move")
        verbose_name_plural = _("pool moves")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "kind", "reference"], name="pool_move_once_per_reference"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="pool_move_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(fee__lte=models.F("amount")),
                name="pool_move_fee_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.reference})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)
