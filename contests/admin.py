"""The contests' back office: contests (read-only, with their prizes, winners and the pool's
state) and the objections queue, oldest first, where a moderator or mediator upholds or
dismisses an objection through contests.services.objection_decide."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from contests.models import Contest, Objection, Prize, Winner
from contests.selectors import user_decides_objections
from contests.services import objection_decide
from marketplace.admin import (
    ModelAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    TabularInline,
    detail_action_view,
    money_column,
)


class PrizeInline(ReadOnlyInlineMixin, TabularInline):
    model = Prize
    fields = ("rank", "amount")
    readonly_fields = fields


class WinnerInline(ReadOnlyInlineMixin, TabularInline):
    model = Winner
    fields = ("rank", "submission", "amount", "computed_rank", "contract", "paid_at",
              "ip_terms", "ip_transferred_at")  # fmt: skip
    readonly_fields = fields


@admin.register(Contest)
class ContestAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("__str__", "status", "prize", "guaranteed", "submission_closes",
                    "announce_at")  # fmt: skip
    list_filter = ("status", "guaranteed", "blind")
    search_fields = ("task__title",)
    list_select_related = ("task",)
    inlines = (PrizeInline, WinnerInline)
    prize = money_column("prize_total", _("prize"))
    readonly_fields = ("task", "status", "prize_total", "guaranteed", "return_fee_bps",
                       "pass_mark", "blind", "registration_opens", "submission_closes",
                       "review_closes", "objection_closes", "announce_at", "winners_reason",
                       "winners_confirmed_by", "opened_at", "publicity_at", "paid_at",
                       "returned_at")  # fmt: skip
    fields = readonly_fields

    def get_view_on_site_url(self, obj: Any = None) -> str | None:
        return None if obj is None else reverse("frontend:contest_detail", args=[obj.task_id])


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("__str__", "contest_link", "objector", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("contest__task__title", "reason")
    ordering = ("created_at", "id")
    list_select_related = ("contest__task", "entry__provider")
    fields = ("contest_link", "objector", "filed_by", "reason", "status", "created_at",
              "decided_by", "decision_note", "decided_at")  # fmt: skip
    readonly_fields = fields
    actions_detail = ("dismiss_one", "uphold_one")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Objection]:
        return super().get_queryset(request).select_related("contest__task", "entry__provider")

    @admin.display(description=_("contest"))
    def contest_link(self, obj: Objection) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("frontend:contest_publicity", args=[obj.contest.task_id]),
            obj.contest,
        )

    @admin.display(description=_("objector"))
    def objector(self, obj: Objection) -> str:
        return obj.entry.provider.display_name

    def _may_decide(self, request: HttpRequest, object_id: Any) -> bool:
        if not user_decides_objections(request.user):
            return False
        if object_id is None:
            return True
        return Objection.objects.filter(pk=object_id, status=Objection.Status.OPEN).exists()

    def has_dismiss_one_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._may_decide(request, object_id)

    def has_uphold_one_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._may_decide(request, object_id)

    @action(description=_("Dismiss…"), url_path="dismiss", permissions=["dismiss_one"])
    def dismiss_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Dismiss the objection: the winners stand")),
            description=str(_("The prizes are paid at the announcement once no objection is "
                              "open. Your reasons are shown to the objector and the poster.")),
            call=lambda obj, reason: objection_decide(
                actor=request.user, objection=obj, upheld=False, note=reason
            ),
            done=str(_("The objection is dismissed.")),
        )  # fmt: skip

    @action(description=_("Uphold…"), url_path="uphold", permissions=["uphold_one"])
    def uphold_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Uphold the objection: the winners are set aside")),
            description=str(_("The contest returns to review and the poster confirms the "
                              "winners again; a new publicity window follows.")),
            call=lambda obj, reason: objection_decide(
                actor=request.user, objection=obj, upheld=True, note=reason
            ),
            done=str(_("The objection is upheld; the contest is back in review.")),
        )  # fmt: skip
