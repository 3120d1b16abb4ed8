"""The back office for tasks.

Moderators act on tasks only through the moderation services (approve, send back with a
reason, flag with a reason), offered as admin actions to staff with tasks.moderate_task; the
services check the permission again. Everything else here is read-only: tasks change through
their services, never by editing rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.admin import (
    ModelAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    TabularInline,
    reason_action,
    run_service_on_each,
)
from tasks import services
from tasks.models import (
    Task,
    TaskAttachment,
    TaskInvitation,
    TaskMilestonePlan,
    TaskSkill,
)
from tasks.selectors import user_can_moderate


class ModerationFilter(admin.SimpleListFilter):
    title = _("moderation")
    parameter_name = "moderation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("queue", _("Waiting for review")),
            ("flagged", _("Flagged")),
            ("sent_back", _("Sent back to the poster")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        if self.value() == "queue":
            return queryset.filter(status=Task.Status.PENDING_REVIEW).order_by("updated_at")
        if self.value() == "flagged":
            return queryset.filter(flagged_for_review=True)
        if self.value() == "sent_back":
            return queryset.filter(status=Task.Status.DRAFT).exclude(moderation_note="")
        return queryset


class TaskSkillInline(ReadOnlyInlineMixin, TabularInline):
    model = TaskSkill
    fields = ("skill", "weight")
    readonly_fields = fields
    show_change_link = False


class TaskMilestonePlanInline(ReadOnlyInlineMixin, TabularInline):
    model = TaskMilestonePlan
    fields = ("position", "title", "share_bps", "due_days", "description")
    readonly_fields = fields
    show_change_link = False


class TaskAttachmentInline(ReadOnlyInlineMixin, TabularInline):
    model = TaskAttachment
    fields = ("original_name", "content_type", "size", "sha256", "confidential", "created_at")
    readonly_fields = fields
    show_change_link = False


class TaskInvitationInline(ReadOnlyInlineMixin, TabularInline):
    model = TaskInvitation
    fields = ("provider", "invited_by", "created_at")
    readonly_fields = fields
    show_change_link = False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "title",
        "organization",
        "kind",
        "status",
        "visibility",
        "flagged_for_review",
        "bid_deadline",
        "updated_at",
    )
    list_filter = (ModerationFilter, "status", "kind", "visibility", "organization")
    search_fields = ("title", "summary", "organization__name", "created_by__email")
    list_select_related = ("organization",)
    date_hierarchy = "created_at"
    ordering = ("-updated_at",)
    readonly_fields = [f.name for f in Task._meta.fields]
    inlines = (TaskSkillInline, TaskMilestonePlanInline, TaskAttachmentInline, TaskInvitationInline)
    actions = ("approve", "send_back", "flag")

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return user_can_moderate(request.user)

    @admin.action(description=_("Approve: open for bids"), permissions=["moderate"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda task: services.task_moderation_approve(moderator=request.user, task=task),
            lambda n: ngettext("%(n)d task approved.", "%(n)d tasks approved.", n) % {"n": n},
        )

    @admin.action(description=_("Send back to the poster…"), permissions=["moderate"])
    def send_back(self, request: HttpRequest, queryset: QuerySet[Task]) -> HttpResponse | None:
        return reason_action(
            self,
            request,
            queryset,
            action="send_back",
            title=str(_("Send back to the poster")),
            call=lambda task, reason: services.task_moderation_send_back(
                moderator=request.user, task=task, reason=reason
            ),
            done=lambda n: (
                ngettext("%(n)d task sent back.", "%(n)d tasks sent back.", n) % {"n": n}
            ),
        )

    @admin.action(description=_("Flag for review…"), permissions=["moderate"])
    def flag(self, request: HttpRequest, queryset: QuerySet[Task]) -> HttpResponse | None:
        return reason_action(
            self,
            request,
            queryset,
            action="flag",
            title=str(_("Flag for review")),
            call=lambda task, reason: services.task_moderation_flag(
                moderator=request.user, task=task, reason=reason
            ),
            done=lambda n: ngettext("%(n)d task flagged.", "%(n)d tasks flagged.", n) % {"n": n},
        )
