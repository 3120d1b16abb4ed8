"""People and organizations: users, organizations and memberships, provider profiles, skills,
real-name verification with its evidence, the red/black list and in-app notifications."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.regions import region_name
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


def avatar_path(instance: User, filename: str) -> str:
    # The stored name is the re-encoded image's hash: a new picture gets a new URL.
    return f"avatars/users/{instance.pk}/{filename}"


def logo_path(instance: Organization, filename: str) -> str:
    return f"avatars/organizations/{instance.pk}/{filename}"


class User(AbstractUser):
    """A person who signs in with an email address."""

    class Role(models.TextChoices):
        """What the person came to do, chosen at sign-up; it shapes the navigation, the
        dashboard and the onboarding checklist, never what they may do (permissions come from
        memberships and profiles), and can be changed on the profile page."""

        POSTER = "poster", _("Post work for an organization")
        PROVIDER = "provider", _("Take work as an individual or a micro-firm")
        BOTH = "both", _("Both")

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("display name"), max_length=80, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.BOTH)
    # Set by the real-name verification service when staff approve a person's request.
    real_name_verified_at = models.DateTimeField(_("real name verified at"), null=True, blank=True)
    verified_real_name = models.CharField(_("verified real name"), max_length=80, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.TextField(_("suspension reason"), blank=True)
    # A square picture re-encoded by marketplace.images (the name is its SHA-256).
    avatar = models.FileField(_("avatar"), upload_to=avatar_path, max_length=200, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("suspend_user", _("Can suspend accounts"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def posts_work(self) -> bool:
        return self.role in (self.Role.POSTER, self.Role.BOTH)

    @property
    def takes_work(self) -> bool:
        return self.role in (self.Role.PROVIDER, self.Role.BOTH)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_real_name_verified(self) -> bool:
        return self.real_name_verified_at is not None


class Organization(models.Model):
    """An enterprise, a government unit or a micro-firm, acting through its members."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        GOVERNMENT = "government", _("Government unit")
        MICROFIRM = "microfirm", _("Micro-firm")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=6, blank=True)
    description = models.TextField(_("about"), blank=True, max_length=4000)
    website = models.URLField(_("website"), blank=True)
    # 统一社会信用代码, set from an approved verification request (GB 32100-2015).
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_path, max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="organizations",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organization_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("frontend:org_detail", args=[self.slug])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_government(self) -> bool:
        return self.kind == self.Kind.GOVERNMENT

    @property
    def region_name(self) -> str:
        return region_name(self.region)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class Invitation(models.Model):
    """An emailed invitation to join an organization with a role; accepted once."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organization"),
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(max_length=64, unique=True, verbose_name=_("token"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    # Set by the email task once the invitation email went out: a retried task sends nothing twice.
    emailed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("emailed at")
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class SkillCategory(models.Model):
    slug = models.SlugField(max_length=60, unique=True, verbose_name=_("slug"))
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("skill category")
        verbose_name_plural = _("skill categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en


class Skill(models.Model):
    """One entry of the skills taxonomy, named in both languages."""

    slug = models.SlugField(max_length=60, unique=True, verbose_name=_("slug"))
    category = models.ForeignKey(
        SkillCategory, on_delete=models.PROTECT, related_name="skills", verbose_name=_("category")
    )
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["category__position", "position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en


class ProviderProfile(models.Model):
    """What a provider (服务商) offers: an individual's or a micro-firm's public profile."""

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available now")
        LIMITED = "limited", _("Limited availability")
        UNAVAILABLE = "unavailable", _("Not taking work")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="provider_profile",
        verbose_name=_("user"),
    )
    organization = models.OneToOneField(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="provider_profile",
        verbose_name=_("organization"),
    )
    headline = models.CharField(_("headline"), max_length=120)
    bio = models.TextField(_("about"), blank=True, max_length=8000)
    day_rate = models.BigIntegerField(
        _("day rate (fen)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    region = models.CharField(_("region"), max_length=6, blank=True)
    availability = models.CharField(
        _("availability"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(70)]
    )
    skills = models.ManyToManyField(
        Skill, through="ProviderSkill", related_name="providers", verbose_name=_("skills")
    )
    # A moderator hid it: out of the directory, search and matching, its page 404 for others,
    # and it cannot bid until a moderator shows it again.
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
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("provider profile")
        verbose_name_plural = _("provider profiles")
        permissions = [("hide_providerprofile", _("Can hide and show provider profiles"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, organization__isnull=True)
                    | Q(user__isnull=True, organization__isnull=False)
                ),
                name="provider_profile_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(day_rate__isnull=True) | Q(day_rate__gte=0),
                name="provider_profile_day_rate_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("frontend:provider_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        if self.organization_id:
            return self.organization.name  # type: ignore[union-attr]
        return self.user.display_name  # type: ignore[union-attr]

    @property
    def is_firm(self) -> bool:
        return self.organization_id is not None

    @property
    def is_verified(self) -> bool:
        if self.organization_id:
            return self.organization.is_verified  # type: ignore[union-attr]
        return self.user.is_real_name_verified  # type: ignore[union-attr]

    @property
    def day_rate_money(self) -> Money | None:
        return None if self.day_rate is None else Money(self.day_rate, self.currency)

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    @property
    def picture(self) -> Any:
        """The firm's logo or the person's avatar (an empty file field when there is none)."""
        if self.organization_id:
            return self.organization.logo  # type: ignore[union-attr]
        return self.user.avatar  # type: ignore[union-attr]


class ProviderSkill(models.Model):
    class Level(models.IntegerChoices):
        FAMILIAR = 1, _("Familiar")
        PRACTISED = 2, _("Practised")
        PROFICIENT = 3, _("Proficient")
        EXPERT = 4, _("Expert")

    profile = models.ForeignKey(
        ProviderProfile,
        on_delete=models.CASCADE,
        related_name="skill_levels",
        verbose_name=_("profile"),
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.PRACTISED
    )

    class Meta:
        verbose_name = _("provider skill")
        verbose_name_plural = _("provider skills")
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="provider_skill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display()})"


class PortfolioEntry(models.Model):
    """A piece of past work (案例) a provider shows on their public profile."""

    profile = models.ForeignKey(
        ProviderProfile,
        on_delete=models.CASCADE,
        related_name="portfolio_entries",
        verbose_name=_("profile"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    client = models.CharField(_("client"), max_length=120, blank=True)
    skills = models.ManyToManyField(Skill, related_name="+", blank=True, verbose_name=_("skills"))
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("portfolio entry")
        verbose_name_plural = _("portfolio entries")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1950, year__lte=2100),
                name="portfolio_entry_year_range",
            )
        ]

    def __str__(self) -> str:
        return self.title


def portfolio_file_path(instance: PortfolioFile, filename: str) -> str:
    # The stored name is the content hash (of the re-encoded image), never the user's file name.
    return f"portfolio/{instance.entry_id}/{filename}"


class PortfolioFile(models.Model):
    """An image (re-encoded, with a thumbnail) or a document attached to a portfolio entry."""

    entry = models.ForeignKey(
        PortfolioEntry, on_delete=models.CASCADE, related_name="files", verbose_name=_("entry")
    )
    file = models.FileField(upload_to=portfolio_file_path, max_length=200, verbose_name=_("file"))
    thumbnail = models.FileField(
        upload_to=portfolio_file_path, max_length=200, blank=True, verbose_name=_("thumbnail")
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    width = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("width"))
    height = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("height"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("portfolio file")
        verbose_name_plural = _("portfolio files")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/") and bool(self.thumbnail)


class ProviderFavourite(models.Model):
    """A provider a user starred; only that user sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_favourites",
        verbose_name=_("user"),
    )
    profile = models.ForeignKey(
        ProviderProfile,
        on_delete=models.CASCADE,
        related_name="favourited_by",
        verbose_name=_("profile"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("favourite provider")
        verbose_name_plural = _("favourite providers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "profile"], name="provider_favourite_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ☆ {self.profile}"


class VerificationRequest(models.Model):
    """A request for real-name verification (实名认证) of a person or an organization,
    reviewed by staff. The ID number is stored encrypted and shown masked."""

    class Subject(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organization")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="verification_requests",
        verbose_name=_("submitted by"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="verification_requests",
        verbose_name=_("organization"),
    )
    legal_name = models.CharField(_("legal name"), max_length=120)
    # Person: resident ID number (GB 11643), encrypted; only the masked form is ever displayed.
    id_number_encrypted = models.TextField(
        blank=True, editable=False, verbose_name=_("ID number encrypted")
    )
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    id_number_digest = models.CharField(
        max_length=64, blank=True, editable=False, db_index=True, verbose_name=_("ID number digest")
    )
    # Organization: 统一社会信用代码 (GB 32100-2015), a public registration number.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("real-name verification request")
        verbose_name_plural = _("real-name verification requests")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject="person", organization__isnull=True, credit_code="")
                    | Q(subject="organization", organization__isnull=False, id_number_digest="")
                ),
                name="verification_subject_fields",
            ),
            models.UniqueConstraint(
                fields=["submitted_by"],
                condition=Q(status="pending", subject="person"),
                name="verification_one_pending_per_person",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="pending", subject="organization"),
                name="verification_one_pending_per_organization",
            ),
            # One person per ID number, even when two reviewers approve at the same moment.
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=Q(status="approved", subject="person"),
                name="verification_one_approved_per_id_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.legal_name} ({self.get_status_display()})"


def evidence_path(instance: VerificationEvidence, filename: str) -> str:
    # Private storage (never under MEDIA_URL); the name is the content hash, not the user's.
    return f"verification/{instance.request_id}/{filename}"


def _private_storage() -> Any:
    from marketplace.files import private_storage

    return private_storage()


class VerificationEvidence(models.Model):
    """A document a reviewer checks a request against: an organization's business licence
    (营业执照), or the front and back of a person's ID document. Stored privately, checked by
    content, hashed; served only to verifiers, and every view is logged (EvidenceView)."""

    class Kind(models.TextChoices):
        LICENCE = "licence", _("Business licence")
        ID_FRONT = "id_front", _("ID document, front")
        ID_BACK = "id_back", _("ID document, back")

    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_path, storage=_private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        ordering = ["request", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="evidence_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class EvidenceView(models.Model):
    """One look at a verification document by a verifier: who, when, which file."""

    evidence = models.ForeignKey(
        VerificationEvidence,
        on_delete=models.CASCADE,
        related_name="views",
        verbose_name=_("document"),
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("viewer"),
    )
    viewed_at = models.DateTimeField(_("viewed"), default=timezone.now, db_index=True)
    address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("document view")
        verbose_name_plural = _("document views")
        ordering = ["-viewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.evidence} ({self.viewed_at:%Y-%m-%d %H:%M:%S})"


class CreditListEntry(models.Model):
    """An entry of the credit red/black list (诚信红黑榜) about a user or an organization.

    Red entries commend (they raise the credit score); black entries sanction: the listed party
    cannot post or bid, is left out of search and matching, and its credit grade is capped. An
    entry applies from `starts_at` until `expires_at`, unless a moderator lifts it earlier
    (after an upheld appeal, for instance)."""

    class Kind(models.TextChoices):
        RED = "red", _("Red list (commended)")
        BLACK = "black", _("Black list (sanctioned)")

    kind = models.CharField(_("list"), max_length=5, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credit_list_entries",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credit_list_entries",
        verbose_name=_("organization"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    evidence = models.TextField(_("evidence"), max_length=4000)
    starts_at = models.DateTimeField(_("applies from"))
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("listed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        verbose_name = _("red/black list entry")
        verbose_name_plural = _("red/black list entries")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["kind", "expires_at"], name="credit_list_kind_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, organization__isnull=True)
                    | Q(user__isnull=True, organization__isnull=False)
                ),
                name="credit_list_one_party",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("starts_at")),
                name="credit_list_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.party_name}"

    @property
    def party_name(self) -> str:
        if self.organization_id:
            return self.organization.name  # type: ignore[union-attr]
        user = self.user
        assert user is not None
        return user.verified_real_name or user.display_name

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and self.starts_at <= now < self.expires_at


class CreditListAppeal(models.Model):
    """The listed party's appeal against an entry; a moderator upholds it (the entry is lifted)
    or dismisses it, with a reason. One open appeal per entry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        UPHELD = "upheld", _("Upheld (entry lifted)")
        DISMISSED = "dismissed", _("Dismissed")

    entry = models.ForeignKey(
        CreditListEntry,
        on_delete=models.CASCADE,
        related_name="appeals",
        verbose_name=_("entry"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("filed by"),
    )
    statement = models.TextField(_("statement"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("red/black list appeal")
        verbose_name_plural = _("red/black list appeals")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(status="pending"),
                name="credit_appeal_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry} — {self.get_status_display()}"


class Notification(models.Model):
    """An in-app notification; the same event may also be emailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True, verbose_name=_("URL"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    # Makes a repeated delivery of the same event (a retried Celery task) a no-op.
    dedupe_key = models.CharField(max_length=120, blank=True, verbose_name=_("dedupe key"))
    # Set by the email task once the email went out: a retried task sends nothing twice.
    emailed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("emailed at")
    )
    # The title's and body's phrases (marketplace.notifications.Phrase.to_json): rendered in the
    # reader's language when shown. title and body above are the text in the recipient's
    # language when it was sent: what rows from before phrases existed show, and what admin
    # and search read.
    params = models.JSONField(default=dict, blank=True)
    # Similar notifications share it (the kind and the page they lead to) and are shown as one
    # group while unread ("3 new bids on …").
    group_key = models.CharField(max_length=340, blank=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the active language (the stored text for rows without phrases)."""
        from marketplace.notifications import render_phrase

        return render_phrase(self.params.get("title")) or self.title

    @property
    def shown_body(self) -> str:
        from marketplace.notifications import render_phrase

        if "body" in self.params:
            return render_phrase(self.params["body"])
        return self.body


class NotificationEmailOptOut(models.Model):
    """A kind of notification the user reads in the app only: no email for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(_("kind"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification email opt-out")
        verbose_name_plural = _("notification email opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"


class SignInFailure(models.Model):
    """One failed sign-in, whatever the path (web form, API token, allauth headless).

    The sign-in limit counts these rows (accounts.services.signin), so it holds without the
    cache: a Redis outage cannot open the door to password guessing, nor lock everyone out.
    The account is kept as a digest of the normalised email, so a mistyped address a stranger
    tried is not stored in the clear; old rows are swept by a beat task."""

    account_key = models.CharField(max_length=64, verbose_name=_("account key"))
    address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("address"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [
            models.Index(fields=["account_key", "at"], name="signin_failure_account"),
            models.Index(fields=["address", "at"], name="signin_failure_address"),
        ]

    def __str__(self) -> str:
        return f"{self.account_key[:12]}… {self.address} {self.at:%Y-%m-%d %H:%M:%S}"
