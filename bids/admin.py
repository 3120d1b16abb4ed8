"""The back office for bids: read-only (bids change through bids.services), with each bid's
proposed milestones and the history of its revisions."""

from __future__ import annotations

from django.contrib import admin

from bids.models import Bid, BidMilestone, BidRevision
from marketplace.admin import ReadOnlyAdminMixin, ReadOnlyInlineMixin


class BidMilestoneInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = BidMilestone
    fields = ("position", "title", "amount", "due_days", "description")
    readonly_fields = fields
    show_change_link = False


class BidRevisionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = BidRevision
    fields = ("revision", "amount", "duration_days", "milestones", "created_by", "created_at")
    readonly_fields = fields
    show_change_link = False
    ordering = ("-revision",)


@admin.register(Bid)
class BidAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("task", "provider", "amount", "currency", "status", "revision", "updated_at")
    list_filter = ("status", "currency")
    search_fields = ("task__title", "provider__user__name", "provider__organization__name")
    list_select_related = ("task", "provider", "provider__user", "provider__organization")
    readonly_fields = [f.name for f in Bid._meta.fields]
    inlines = (BidMilestoneInline, BidRevisionInline)
