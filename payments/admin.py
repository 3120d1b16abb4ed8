"""The finance back office: card disputes and reconciliation mismatches (open ones first).

Innovation vouchers have theirs in payments.voucher_admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketplace.admin import ModelAdmin, ReadOnlyAdminMixin
from payments.models import CardDispute, ConnectedAccount, ReconciliationMismatch
from payments.reconciliation import mismatch_resolve


class OpenFirstFilter(admin.SimpleListFilter):
    """Shows the open rows unless asked for all: what finance still has to look at."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("all", _("All")), ("resolved", _("Resolved"))]

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Unresolved"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "all":
            return queryset
        if self.value() == "resolved":
            return queryset.filter(status=ReconciliationMismatch.Status.RESOLVED)
        return queryset.filter(status=ReconciliationMismatch.Status.OPEN)


class ReadOnly(ReadOnlyAdminMixin, ModelAdmin):
    """Written only by payments' services and webhooks."""


@admin.register(ReconciliationMismatch)
class ReconciliationMismatchAdmin(ReadOnly):
    list_display = ("found_at", "contract", "code", "subject", "expected", "actual", "status")
    list_filter = (OpenFirstFilter, "code")
    search_fields = ("subject", "detail")
    readonly_fields = [f.name for f in ReconciliationMismatch._meta.fields]
    actions = ["resolve"]

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.has_perm("payments.handle_finance"):
            actions.pop("resolve", None)
        return actions

    @admin.action(description=_("Mark resolved (checked by finance)"))
    def resolve(self, request: HttpRequest, queryset: QuerySet[ReconciliationMismatch]) -> None:
        for mismatch in queryset:
            mismatch_resolve(mismatch=mismatch, actor=request.user, note="checked by finance")
        messages.success(request, _("Marked resolved."))


@admin.register(CardDispute)
class CardDisputeAdmin(ReadOnly):
    list_display = ("opened_at", "external_id", "contract", "amount", "currency", "status")
    list_filter = ("status",)
    search_fields = ("external_id",)
    readonly_fields = [f.name for f in CardDispute._meta.fields]


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(ReadOnly):
    list_display = ("external_id", "provider", "transfers_active", "disabled_reason", "updated_at")
    list_filter = ("transfers_active",)
    search_fields = ("external_id",)
    readonly_fields = [f.name for f in ConnectedAccount._meta.fields]


from payments import voucher_admin  # noqa: E402, F401  (registers the voucher admin)
