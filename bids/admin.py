"""The back office for bids: read-only (bids change through bids.services), with each bid's
proposed milestones and the history of its revisions; reported negotiation messages, which
moderators may hide from the two sides (bids.moderation)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action
from unfold.enums import ActionVariant

from bids.models import Bid, BidMilestone, BidRevision, NegotiationMessage, NegotiationThread, Offer
from bids.moderation import (
    negotiation_message_hide,
    negotiation_message_show,
    user_can_hide_messages,
)
from marketplace.admin import (
    ModelAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    TabularInline,
    detail_action_view,
)
from tasks.models import Report


class BidMilestoneInline(ReadOnlyInlineMixin, TabularInline):
    model = BidMilestone
    fields = ("position", "title", "amount", "due_days", "description")
    readonly_fields = fields
    show_change_link = False


class BidRevisionInline(ReadOnlyInlineMixin, TabularInline):
    model = BidRevision
    fields = ("revision", "amount", "duration_days", "milestones", "created_by", "created_at")
    readonly_fields = fields
    show_change_link = False
    ordering = ("-revision",)


@admin.register(Bid)
class BidAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("task", "provider", "amount", "currency", "status", "revision", "updated_at")
    list_filter = ("status", "currency")
    search_fields = ("task__title", "provider__user__name", "provider__organization__name")
    list_select_related = ("task", "provider", "provider__user", "provider__organization")
    readonly_fields = [f.name for f in Bid._meta.fields]
    inlines = (BidMilestoneInline, BidRevisionInline)


class NegotiationMessageInline(ReadOnlyInlineMixin, TabularInline):
    model = NegotiationMessage
    fields = (
        "seq", "created_at", "side", "sender", "kind", "body", "offer", "file_name", "hidden_at",
    )  # fmt: skip
    readonly_fields = fields
    show_change_link = False
    ordering = ("seq",)


class OfferInline(ReadOnlyInlineMixin, TabularInline):
    model = Offer
    fields = ("id", "side", "made_by", "amount", "duration_days", "milestones", "status")
    readonly_fields = fields
    show_change_link = False


@admin.register(NegotiationThread)
class NegotiationThreadAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Read-only: the negotiation is evidence for mediators (what was offered and agreed)."""

    list_display = ("bid", "last_seq", "last_message_at", "created_at")
    search_fields = ("bid__task__title", "bid__provider__user__name")
    list_select_related = ("bid", "bid__task", "bid__provider", "bid__provider__user")
    readonly_fields = [f.name for f in NegotiationThread._meta.fields]
    inlines = (OfferInline, NegotiationMessageInline)


@admin.register(NegotiationMessage)
class NegotiationMessageAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Reported (or hidden) messages, for moderators: the whole text, and hide / show again.

    A moderator sees only messages someone reported or that were hidden; the rest of a
    negotiation stays between its two sides (and mediators, through the dispute timeline).
    """

    list_display = ("created_at", "thread_column", "seq", "sender", "kind", "body_column",
                    "hidden_at")  # fmt: skip
    list_filter = (("hidden_at", admin.EmptyFieldListFilter), "kind")
    search_fields = ("body", "file_name", "sender__email", "sender__name")
    list_select_related = ("sender", "thread", "thread__bid", "thread__bid__task")
    ordering = ("-created_at", "-id")
    fields = (
        "thread", "seq", "created_at", "side", "sender", "kind", "body", "offer", "file_name",
        "file_size", "file_sha256", "hidden_at", "hidden_by", "hidden_reason",
    )  # fmt: skip
    readonly_fields = fields
    actions_detail = ("hide_detail", "show_detail")

    def get_queryset(self, request: HttpRequest) -> QuerySet[NegotiationMessage]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        reported = Report.objects.filter(kind="message").values("object_id")
        return queryset.filter(Q(pk__in=reported) | Q(hidden_at__isnull=False))

    @admin.display(description=_("negotiation"))
    def thread_column(self, message: NegotiationMessage) -> str:
        return str(message.thread.bid)

    @admin.display(description=_("body"))
    def body_column(self, message: NegotiationMessage) -> str:
        text = message.body[:80] or message.file_name
        return format_html("<span title='{}'>{}</span>", message.body[:500], text)

    def _hidden(self, object_id: Any) -> bool:
        return (
            NegotiationMessage.objects.filter(pk=object_id)
            .values_list("hidden_at", flat=True)
            .first()
            is not None
        )

    def has_hide_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        if not user_can_hide_messages(request.user):
            return False
        return object_id is None or not self._hidden(object_id)

    def has_show_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        if not user_can_hide_messages(request.user):
            return False
        return object_id is None or self._hidden(object_id)

    @action(
        description=_("Hide the message…"), url_path="hide", permissions=["hide"],
        variant=ActionVariant.DANGER,
    )  # fmt: skip
    def hide_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Hide this negotiation message")),
            description=str(
                _(
                    "The two sides see the reason in place of its text and file; mediators and "
                    "the dispute timeline keep the original. Its waiting reports are acted on."
                )
            ),
            call=lambda message, reason: negotiation_message_hide(
                moderator=request.user, message=message, reason=reason
            ),
            done=str(_("The message is hidden.")),
        )

    @action(description=_("Show the message again"), url_path="show", permissions=["show"])
    def show_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Show this negotiation message again")),
            call=lambda message: negotiation_message_show(moderator=request.user, message=message),
            done=str(_("The message is shown again.")),
            needs_reason=False,
        )
