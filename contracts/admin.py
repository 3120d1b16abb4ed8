"""The back office for contracts, milestones, deliveries and reviews: read-only.

They change through their services (contracts.services), never by editing rows here.
"""

from __future__ import annotations

from django.contrib import admin

from contracts.models import Contract, Delivery, DeliveryFile, Milestone, Review
from marketplace.admin import ModelAdmin, ReadOnlyAdminMixin, ReadOnlyInlineMixin, TabularInline


class MilestoneInline(ReadOnlyInlineMixin, TabularInline):
    model = Milestone
    fields = ("position", "title", "amount", "due_days", "due_date", "status", "change_rounds")
    readonly_fields = fields


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "task",
        "organization",
        "provider",
        "amount",
        "currency",
        "status",
        "created_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("task__title", "organization__name", "provider__user__name")
    list_select_related = ("task", "organization", "provider", "provider__user")
    readonly_fields = [f.name for f in Contract._meta.fields]
    inlines = (MilestoneInline,)


class DeliveryInline(ReadOnlyInlineMixin, TabularInline):
    model = Delivery
    fields = ("round", "submitted_by", "submitted_at", "decision", "decided_by", "decided_at")
    readonly_fields = fields


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("title", "contract", "position", "amount", "status", "due_date")
    list_filter = ("status",)
    search_fields = ("title", "contract__task__title")
    list_select_related = ("contract", "contract__task")
    readonly_fields = [f.name for f in Milestone._meta.fields]
    inlines = (DeliveryInline,)


class DeliveryFileInline(ReadOnlyInlineMixin, TabularInline):
    model = DeliveryFile
    fields = ("original_name", "content_type", "size", "sha256", "received_at")
    readonly_fields = fields
    show_change_link = False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("milestone", "round", "submitted_by", "submitted_at", "decision")
    list_filter = ("decision",)
    search_fields = ("milestone__title", "milestone__contract__task__title")
    list_select_related = ("milestone", "submitted_by")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = (DeliveryFileInline,)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("contract", "side", "author", "rating", "created_at")
    list_filter = ("side", "rating")
    search_fields = ("contract__task__title", "author__email")
    list_select_related = ("contract", "contract__task", "author")
    readonly_fields = [f.name for f in Review._meta.fields]
