"""Tasks: what a poster publishes, its skills, plan, attachments, invitations and NDA.

State changes go through tasks.services; the allowed moves are in tasks.states. What follows
an award (contracts, milestones, deliveries, reviews) lives in the contracts app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, ProviderProfile, Skill
from accounts.regions import region_name
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money


class Task(models.Model):
    """A piece of R&D or service work an organization posts for providers to bid on."""

    class Kind(models.TextChoices):
        RD_SOLUTION = "rd_solution", _("R&D solution")
        PRODUCT_DESIGN = "product_design", _("Product design")
        RESEARCH_PROBLEM = "research_problem", _("Research problem")
        ENGINEERING = "engineering", _("Engineering service")
        CONSULTING = "consulting", _("Consulting")
        PUBLIC_SERVICE = "public_service", _("Public service")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Pending review")
        OPEN = "open", _("Open for bids")
        CLOSED = "closed", _("Bidding closed")
        AWARDED = "awarded", _("Awarded")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        VERIFIED = "verified", _("Verified providers only")
        INVITED = "invited", _("Invited providers only")

    class Mode(models.TextChoices):
        # 招标: providers bid and one is awarded (DESIGN §4).
        TENDER = "tender", _("Tender")
        # 悬赏 / 揭榜挂帅: a prize funded up front, many submit, the poster picks winners.
        CONTEST = "contest", _("Contest")
        # 计件: many providers each deliver units at a fixed unit price.
        PIECEWORK = "piecework", _("Piece-work")

    class IpTerms(models.TextChoices):
        TRANSFER = "transfer", _("Results transfer to the poster on acceptance")
        PROVIDER_LICENSES = "license", _("Provider keeps the rights and grants a licence")
        CUSTOM = "custom", _("Custom terms")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("poster")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mode = models.CharField(
        _("mode"), max_length=10, choices=Mode.choices, default=Mode.TENDER, db_index=True
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(
        _("public summary"),
        max_length=500,
        help_text=_("Shown to everyone, including before an NDA is accepted."),
    )
    description = models.TextField(_("description"), max_length=20000)
    budget_min = models.BigIntegerField(_("budget from"))  # fen; the admin shows it as money
    budget_max = models.BigIntegerField(_("budget up to"))
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    bid_deadline = models.DateTimeField(_("bids close"))
    delivery_deadline = models.DateField(_("delivery deadline"))
    region = models.CharField(_("region"), max_length=6, blank=True)
    visibility = models.CharField(
        _("who may bid"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    ip_terms = models.CharField(
        _("intellectual property"), max_length=10, choices=IpTerms.choices, default=IpTerms.TRANSFER
    )
    ip_terms_custom = models.TextField(_("custom IP terms"), blank=True, max_length=4000)
    nda_required = models.BooleanField(
        _("NDA before details"),
        default=False,
        help_text=_(
            "Providers must accept a non-disclosure agreement to read the full description."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Moderation: a moderator's flag forces review; a rejection sends the task back with a reason.
    flagged_for_review = models.BooleanField(_("flagged for moderation"), default=False)
    moderation_note = models.TextField(_("moderation note"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    awarded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("awarded at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    skills = models.ManyToManyField(
        Skill, through="TaskSkill", related_name="tasks", verbose_name=_("skills")
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-published_at", "-id"]
        permissions = [("moderate_task", _("Can moderate tasks"))]
        indexes = [models.Index(fields=["status", "bid_deadline"])]
        constraints = [
            models.CheckConstraint(condition=Q(budget_min__gt=0), name="task_budget_positive"),
            models.CheckConstraint(
                condition=Q(budget_max__gte=F("budget_min")), name="task_budget_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:task_detail", args=[self.pk])

    @property
    def budget_min_money(self) -> Money:
        return Money(self.budget_min, self.currency)

    @property
    def budget_max_money(self) -> Money:
        return Money(self.budget_max, self.currency)

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class TaskSkill(models.Model):
    """A skill the task needs, weighted 1 (nice to have) to 5 (essential) for matching."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="skill_weights", verbose_name=_("task")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("task skill")
        verbose_name_plural = _("task skills")
        constraints = [
            models.UniqueConstraint(fields=["task", "skill"], name="task_skill_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=5), name="task_skill_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ×{self.weight}"


class TaskMilestonePlan(models.Model):
    """The poster's planned milestones: a share of the budget each, due some days after start."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="milestone_plan", verbose_name=_("task")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what is delivered"), blank=True, max_length=2000)
    share_bps = models.PositiveIntegerField(
        _("share of the budget (basis points)"),
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    due_days = models.PositiveIntegerField(_("due (days after start)"))

    class Meta:
        verbose_name = _("planned milestone")
        verbose_name_plural = _("planned milestones")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="task_milestone_plan_unique"),
        ]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: TaskAttachment, filename: str) -> str:
    # The stored name is the content hash, never the user's file name (which is kept separately).
    return f"tasks/{instance.task_id}/{instance.sha256}"


class TaskAttachment(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("task")
    )
    file = models.FileField(upload_to=attachment_path, max_length=200, verbose_name=_("file"))
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    # Confidential attachments are shown only to those who may read the full description.
    confidential = models.BooleanField(_("behind the NDA"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("task attachment")
        verbose_name_plural = _("task attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("frontend:task_detail", args=[self.task_id])


class TaskInvitation(models.Model):
    """A provider the poster invited; invited-only tasks accept bids only from these."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("task")
    )
    provider = models.ForeignKey(
        ProviderProfile,
        on_delete=models.CASCADE,
        related_name="task_invitations",
        verbose_name=_("provider"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("task invitation")
        verbose_name_plural = _("task invitations")
        constraints = [
            models.UniqueConstraint(fields=["task", "provider"], name="task_invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} invited to {self.task}"

    def get_absolute_url(self) -> str:
        return reverse("frontend:task_detail", args=[self.task_id])


class NdaAcceptance(models.Model):
    """A user's acceptance of a task's NDA, with the time and the terms they saw."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="nda_acceptances", verbose_name=_("task")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="nda_acceptances",
        verbose_name=_("user"),
    )
    terms_sha256 = models.CharField(max_length=64, verbose_name=_("terms SHA-256"))
    accepted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("accepted at"))

    class Meta:
        verbose_name = _("NDA acceptance")
        verbose_name_plural = _("NDA acceptances")
        constraints = [models.UniqueConstraint(fields=["task", "user"], name="nda_unique")]

    def __str__(self) -> str:
        return f"NDA {self.task} / {self.user}"


class TaskFavourite(models.Model):
    """A task a user starred; only that user sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="task_favourites",
        verbose_name=_("user"),
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="favourited_by", verbose_name=_("task")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("favourite task")
        verbose_name_plural = _("favourite tasks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "task"], name="task_favourite_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ☆ {self.task}"


class TaskQuestion(models.Model):
    """A public question on a task (提问/答疑), or a clarification its poster posts for all.

    A question is seen by its asker and the poster's members until it is answered, then by
    everyone who can see the task; the asker's name is shown only to the poster's side and to
    the asker. A moderator can hide one from everybody but moderators.
    """

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        CLARIFICATION = "clarification", _("Clarification")

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="questions", verbose_name=_("task")
    )
    kind = models.CharField(
        max_length=14, choices=Kind.choices, default=Kind.QUESTION, verbose_name=_("kind")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    body = models.TextField(_("question"), max_length=2000)
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    hidden_at = models.DateTimeField(null=True, blank=True, verbose_name=_("hidden at"))
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(max_length=500, blank=True, verbose_name=_("hidden reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("task question")
        verbose_name_plural = _("task questions")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["asked_by", "created_at"], name="task_question_rate")]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return reverse("frontend:task_detail", args=[self.task_id]) + f"#q-{self.pk}"

    @property
    def is_public(self) -> bool:
        """Shown to everyone who can see the task."""
        return self.hidden_at is None and (
            self.kind == self.Kind.CLARIFICATION or self.answered_at is not None
        )


class Report(models.Model):
    """Someone's report of a task, question, message or profile to the moderators.

    The reported object is named by its kind and id (the kinds are registered in
    tasks.reports, so the bids app can make its messages reportable without tasks importing it).
    One open report per reporter and object: reporting again adds nothing.
    """

    class Kind(models.TextChoices):
        TASK = "task", _("Task")
        QUESTION = "question", _("Question")
        MESSAGE = "message", _("Negotiation message")
        PROFILE = "profile", _("Provider profile")

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        FRAUD = "fraud", _("Fraud or a scam")
        ABUSE = "abuse", _("Abusive or offensive")
        ILLEGAL = "illegal", _("Illegal content")
        PRIVACY = "privacy", _("Personal data of others")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        ACTIONED = "actioned", _("Acted on")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    kind = models.CharField(_("what is reported"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object ID"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "id"]
        permissions = [("handle_report", _("Can handle reports"))]
        indexes = [models.Index(fields=["kind", "object_id"], name="report_target_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "kind", "object_id"],
                condition=Q(status="open"),
                name="report_one_open_per_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id}: {self.get_reason_display()}"

    def get_absolute_url(self) -> str:
        """Where the reported object is shown (for "view on site")."""
        from tasks.reports import reportable

        entry = reportable(self.kind)
        obj = entry.get_for_moderator(self.object_id)
        return entry.url(obj) if obj is not None else reverse("frontend:home")
