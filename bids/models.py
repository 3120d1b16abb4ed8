"""Bids: a provider's sealed offer on a task, its revisions and proposed milestones, and the
negotiation thread of each bid (messages, structured offers, read markers)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="bids", verbose_name=_("task")
    )
    provider = models.ForeignKey(
        ProviderProfile, on_delete=models.PROTECT, related_name="bids", verbose_name=_("provider")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # Sealed: only the poster's members and the bidder ever see amount and milestones.
    amount = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    proposal = models.TextField(_("proposal"), max_length=20000)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    revision = models.PositiveIntegerField(default=1, verbose_name=_("revision"))
    decision_note = models.TextField(blank=True, max_length=2000, verbose_name=_("decision note"))
    # The negotiation offer whose terms the bid now carries (cleared when the bidder revises);
    # the award copies it onto the contract.
    agreed_offer = models.ForeignKey(
        "Offer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agreed offer"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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

    def get_absolute_url(self) -> str:
        return reverse("frontend:task_detail", args=[self.task_id])

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class BidMilestone(models.Model):
    """A milestone the bidder proposes: what, how much, by which day after the start."""

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("bid")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(blank=True, max_length=2000, verbose_name=_("description"))
    amount = models.BigIntegerField(_("amount (fen)"))
    due_days = models.PositiveIntegerField(_("due (days after start)"))

    class Meta:
        verbose_name = _("bid milestone")
        verbose_name_plural = _("bid milestones")
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

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("bid")
    )
    revision = models.PositiveIntegerField(verbose_name=_("revision"))
    amount = models.BigIntegerField(verbose_name=_("amount"))
    duration_days = models.PositiveIntegerField(verbose_name=_("duration days"))
    proposal = models.TextField(verbose_name=_("proposal"))
    milestones = models.JSONField(default=list, verbose_name=_("milestones"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("bid revision")
        verbose_name_plural = _("bid revisions")
        ordering = ["bid", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "revision"], name="bid_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bid} r{self.revision}"


def negotiation_file_path(instance: NegotiationMessage, filename: str) -> str:
    # The stored name is the content hash, never the user's file name (kept separately).
    return f"negotiations/{instance.thread_id}/{instance.file_sha256}"


class NegotiationThread(models.Model):
    """The one negotiation room of a bid: its poster's members and its bidder talk here.

    Every message takes the next `last_seq` under this row's lock, so a client that reconnects
    asks for everything after the last number it saw. Read-only once the bid is no longer live
    (awarded, declined, withdrawn): it stays as evidence.
    """

    bid = models.OneToOneField(
        Bid, on_delete=models.PROTECT, related_name="thread", verbose_name=_("bid")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    last_seq = models.PositiveIntegerField(default=0, verbose_name=_("last sequence number"))
    last_message_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last message at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("negotiation thread")
        verbose_name_plural = _("negotiation threads")
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return f"thread of bid {self.bid_id}"


class Side(models.TextChoices):
    POSTER = "poster", _("Poster")
    PROVIDER = "provider", _("Provider")


class NegotiationMessage(models.Model):
    """One entry of a thread, numbered: text, a file, an offer, or an answer to an offer."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Message")
        FILE = "file", _("File")
        OFFER = "offer", _("Offer")
        ACCEPTED = "accepted", _("Offer accepted")
        DECLINED = "declined", _("Offer declined")

    thread = models.ForeignKey(
        NegotiationThread,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("thread"),
    )
    seq = models.PositiveIntegerField(verbose_name=_("sequence number"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sender"),
    )
    side = models.CharField(max_length=8, choices=Side.choices, verbose_name=_("side"))
    kind = models.CharField(
        max_length=8, choices=Kind.choices, default=Kind.TEXT, verbose_name=_("kind")
    )
    # Chosen by the client (a UUID): a message sent again after a dropped connection is stored
    # once. Empty for entries the server writes itself (an answer to an offer).
    client_id = models.CharField(max_length=64, blank=True, default="", verbose_name=_("client ID"))
    body = models.TextField(blank=True, max_length=4000, verbose_name=_("body"))
    offer = models.ForeignKey(
        "Offer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("offer"),
    )
    file = models.FileField(
        upload_to=negotiation_file_path, max_length=200, blank=True, verbose_name=_("file")
    )
    file_name = models.CharField(max_length=200, blank=True, verbose_name=_("file name"))
    file_content_type = models.CharField(
        max_length=100, blank=True, verbose_name=_("file content type")
    )
    file_size = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("file size"))
    file_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("file SHA-256"))
    # A moderator hid it from the two sides (text and file); it stays whole as evidence for
    # mediators and the dispute timeline.
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
        verbose_name = _("negotiation message")
        verbose_name_plural = _("negotiation messages")
        ordering = ["thread", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "seq"], name="negotiation_message_seq"),
            models.UniqueConstraint(
                fields=["sender", "client_id"],
                condition=~Q(client_id=""),
                name="negotiation_message_client_id",
            ),
        ]
        indexes = [models.Index(fields=["sender", "created_at"], name="negotiation_rate")]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.seq}"


class Offer(models.Model):
    """Structured terms one side proposes in a thread: amount, days and milestones.

    Only the thread's latest offer is open; a counter-offer supersedes it. Accepting the other
    side's latest offer writes its terms onto the bid.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("offer status", "Open")
        ACCEPTED = "accepted", pgettext_lazy("offer status", "Accepted")
        DECLINED = "declined", pgettext_lazy("offer status", "Declined")
        SUPERSEDED = "superseded", pgettext_lazy("offer status", "Superseded")

    thread = models.ForeignKey(
        NegotiationThread, on_delete=models.PROTECT, related_name="offers", verbose_name=_("thread")
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    side = models.CharField(max_length=8, choices=Side.choices, verbose_name=_("side"))
    amount = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, verbose_name=_("currency")
    )
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    # [{"title", "amount", "due_days", "description"}], checked as MilestoneTerms.
    milestones = models.JSONField(default=list, verbose_name=_("milestones"))
    note = models.TextField(blank=True, max_length=2000, verbose_name=_("note"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responded by"),
    )
    responded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("responded at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["thread", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="offer_amount_positive"),
            # At most one open offer per thread: the latest.
            models.UniqueConstraint(
                fields=["thread"], condition=Q(status="open"), name="offer_one_open_per_thread"
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk} in {self.thread_id}"

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.currency)


class ThreadReadMarker(models.Model):
    """How far one user has read one thread: unread counts are per user."""

    thread = models.ForeignKey(
        NegotiationThread,
        on_delete=models.CASCADE,
        related_name="read_markers",
        verbose_name=_("thread"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    last_read_seq = models.PositiveIntegerField(
        default=0, verbose_name=_("last read sequence number")
    )

    class Meta:
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="thread_read_marker_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to {self.last_read_seq}"
