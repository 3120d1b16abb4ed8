"""The back office for bids: read-only (bids change through bids.services), with each bid's
proposed milestones and the history of its revisions."""

from __future__ import annotations

from django.contrib import admin

from bids.models import Bid, BidMilestone, BidRevision, NegotiationMessage, NegotiationThread, Offer
from marketplace.admin import ModelAdmin, ReadOnlyAdminMixin, ReadOnlyInlineMixin, TabularInline


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
    fields = ("seq", "created_at", "side", "sender", "kind", "body", "offer", "file_name")
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
