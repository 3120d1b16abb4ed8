"""Contest mode (悬赏 / 揭榜挂帅): a task with mode=contest and one Contest row beside it.

The contest holds what the tender does not know: the prize ladder (Prize), the scoring
criteria (Criterion), the phase dates, the reviewers, the registrations (Entry) with their
sealed submissions, the scorecards, the provisional winners (Winner, which also records the
IP transfer at the moment the prize is paid) and the objections raised during publicity.
State changes go through contests.services; the allowed moves are in contests.states.
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


class Contest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FUNDING = "funding", _("Awaiting the prize funding")
        OPEN = "open", _("Open for registration and submissions")
        REVIEW = "review", _("In review")
        PUBLICITY = "publicity", _("Winners in publicity")
        PAID = "paid", _("Announced and paid")
        RETURNED = "returned", _("Closed, prize returned")
        CANCELLED = "cancelled", _("Cancelled")

    task = models.OneToOneField(
        Task, on_delete=models.PROTECT, related_name="contest", verbose_name=_("task")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    prize_total = models.BigIntegerField(_("prize total (fen)"))
    guaranteed = models.BooleanField(
        _("guaranteed"),
        default=True,
        help_text=_("A guaranteed contest must pay a winner; otherwise the prize may return."),
    )
    return_fee_bps = models.PositiveIntegerField(
        _("fee kept on a return (basis points)"),
        default=0,
        validators=[MaxValueValidator(10000)],
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (0-100)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("A submission must score at least this to win."),
    )
    blind = models.BooleanField(
        _("blind"),
        default=False,
        help_text=_("The poster sees no submission before submissions close."),
    )
    registration_opens = models.DateTimeField(_("registration opens"))
    submission_closes = models.DateTimeField(_("submissions close"))
    review_closes = models.DateTimeField(_("review closes"))
    objection_closes = models.DateTimeField(_("objections close"))
    announce_at = models.DateTimeField(_("announcement"))
    winners_reason = models.TextField(_("reason for changing the computed order"), blank=True)
    winners_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("winners confirmed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("opened at"))
    review_started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("review from"))
    publicity_at = models.DateTimeField(null=True, blank=True, verbose_name=_("publicity from"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    returned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("returned at"))

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-created_at"]
        permissions = [("decide_objection", _("Can decide contest objections"))]
        constraints = [
            models.CheckConstraint(condition=Q(prize_total__gt=0), name="contest_prize_positive"),
            models.CheckConstraint(
                condition=Q(registration_opens__lt=F("submission_closes"))
                & Q(submission_closes__lt=F("review_closes"))
                & Q(review_closes__lt=F("objection_closes"))
                & Q(objection_closes__lte=F("announce_at")),
                name="contest_phases_in_order",
            ),
            models.CheckConstraint(
                condition=Q(return_fee_bps__lte=10000), name="contest_fee_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.task)

    def get_absolute_url(self) -> str:
        return reverse("frontend:contest_detail", args=[self.task_id])

    @property
    def prize_total_money(self) -> Money:
        return Money(self.prize_total, self.currency)


class Prize(models.Model):
    """One rung of the prize ladder: 1st, 2nd… (equal prizes are rungs of one amount)."""

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="prizes", verbose_name=_("contest")
    )
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1)])
    amount = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["contest", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "rank"], name="prize_rank_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="prize_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank}: {self.amount_money.format()}"

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.contest.currency)


class Criterion(models.Model):
    """A published scoring criterion; the weights of a contest sum to 100."""

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("contest")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=120)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["contest", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "position"], name="criterion_position"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class Reviewer(models.Model):
    """Someone who scores the submissions of one contest: a member of the poster, or an
    invited expert who accepts the role (and the task's NDA) before seeing anything."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Poster's member")
        EXPERT = "expert", _("Invited expert")

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="reviewers", verbose_name=_("contest")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contest_reviews",
        verbose_name=_("reviewer"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(auto_now_add=True, verbose_name=_("invited at"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        ordering = ["contest", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "user"], name="reviewer_once_per_contest")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Entry(models.Model):
    """A provider's registration for a contest (the same eligibility rules as a bid)."""

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="entries", verbose_name=_("contest")
    )
    provider = models.ForeignKey(
        ProviderProfile,
        on_delete=models.PROTECT,
        related_name="contest_entries",
        verbose_name=_("provider"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(auto_now_add=True, verbose_name=_("registered at"))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["contest", "registered_at"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "provider"], name="entry_once_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.contest} — {self.provider}"


class Submission(models.Model):
    """An entry's solution: sealed from rivals until the announcement."""

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, related_name="submission", verbose_name=_("registration")
    )
    title = models.CharField(_("title"), max_length=120)
    note = models.TextField(_("description"), max_length=8000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("submitted at"))

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return self.title


def submission_file_path(instance: SubmissionFile, filename: str) -> str:
    return f"contests/{instance.submission_id}/{instance.sha256}"


class SubmissionFile(models.Model):
    """A submitted file; its SHA-256 and the time it was received are evidence of authorship."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files", verbose_name=_("submission")
    )
    file = models.FileField(upload_to=submission_file_path, max_length=200, verbose_name=_("file"))
    original_name = models.CharField(max_length=200, verbose_name=_("original name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, db_index=True, verbose_name=_("SHA-256"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("submission file")
        verbose_name_plural = _("submission files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Scorecard(models.Model):
    """One reviewer's scores for one submission, a score (0-100) per criterion."""

    reviewer = models.ForeignKey(
        Reviewer, on_delete=models.CASCADE, related_name="scorecards", verbose_name=_("reviewer")
    )
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="scorecards",
        verbose_name=_("submission"),
    )
    # sum(score × weight) over the criteria: 0..10,000, so weighted / 100 is the 0-100 score.
    weighted = models.PositiveIntegerField(_("weighted score × 100"))
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("submitted at"))

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "submission"], name="scorecard_once_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.submission}"


class Score(models.Model):
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="scores", verbose_name=_("scorecard")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_per_criterion"),
            models.CheckConstraint(condition=Q(value__lte=100), name="score_range"),
        ]

    def __str__(self) -> str:
        return str(self.value)


class Winner(models.Model):
    """A confirmed (provisional until paid) winner; when the prize is paid it is also the IP
    record: which submission's rights moved to the poster, under which terms, and when."""

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="winners", verbose_name=_("contest")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="+", verbose_name=_("submission")
    )
    amount = models.BigIntegerField(_("prize (fen)"))
    # The position the weighted ranking gave it (1-based), to show any change the poster made.
    computed_rank = models.PositiveSmallIntegerField(_("computed rank"), null=True, blank=True)
    weighted = models.PositiveIntegerField(_("weighted score × 100"), null=True, blank=True)
    contract = models.OneToOneField(
        Contract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contest_winner",
        verbose_name=_("prize contract"),
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    ip_terms = models.CharField(
        _("IP terms"), max_length=10, choices=Task.IpTerms.choices, blank=True
    )
    ip_transferred_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("IP transferred at")
    )

    class Meta:
        verbose_name = _("winner")
        verbose_name_plural = _("winners")
        ordering = ["contest", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "rank"], name="winner_rank_unique"),
            models.UniqueConstraint(fields=["contest", "submission"], name="winner_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="winner_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.submission}"

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.contest.currency)

    @property
    def score(self) -> str:
        """The weighted score it won with, 0.00 to 100.00 (blank when not scored)."""
        if self.weighted is None:
            return ""
        return f"{self.weighted // 100}.{self.weighted % 100:02d}"


class Objection(models.Model):
    """A participant's objection (质疑) to the provisional winners, decided by a moderator or
    mediator in the back office while the contest's pool is frozen."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="objections", verbose_name=_("contest")
    )
    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="objections", verbose_name=_("objector")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    reason = models.TextField(_("reason"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("filed at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.contest}: {self.reason[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("frontend:contest_publicity", args=[self.contest.task_id])
