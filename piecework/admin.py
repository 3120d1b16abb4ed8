"""The piece-work back office: read-only terms with their claims, and the unit deliveries
with their decisions (finance and moderators read them; every change goes through
piecework.services from the pages or the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.admin import (
    ModelAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    TabularInline,
    money_column,
)
from piecework.models import Claim, Terms, UnitDelivery


class ClaimInline(ReadOnlyInlineMixin, TabularInline):
    model = Claim
    fields = ("provider", "units", "claimed_by", "created_at")
    readonly_fields = fields


@admin.register(Terms)
class TermsAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("__str__", "status", "price", "units_total", "per_provider_cap", "closes_at")
    list_filter = ("status",)
    search_fields = ("task__title",)
    list_select_related = ("task",)
    inlines = (ClaimInline,)
    price = money_column("unit_price", _("unit price"))
    readonly_fields = ("task", "status", "unit_name", "unit_description", "unit_price",
                       "units_total", "per_provider_cap", "review_days", "closes_at",
                       "opened_at", "closed_at")  # fmt: skip
    fields = readonly_fields

    def get_view_on_site_url(self, obj: Any = None) -> str | None:
        return None if obj is None else reverse("frontend:piecework_detail", args=[obj.task_id])


@admin.register(UnitDelivery)
class UnitDeliveryAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("__str__", "status", "received_at", "review_due_at", "silence_accepted",
                    "contract")  # fmt: skip
    list_filter = ("status", "silence_accepted")
    search_fields = ("claim__terms__task__title",)
    list_select_related = ("claim__terms__task", "claim__provider", "contract")
    readonly_fields = ("claim", "note", "submitted_by", "received_at", "review_due_at",
                       "status", "reason", "decided_by", "decided_at", "silence_accepted",
                       "contract")  # fmt: skip
    fields = readonly_fields
