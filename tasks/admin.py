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
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.decorators import action

from accounts.regions import region_name
from accounts.services import user_suspend
from marketplace.admin import (
    ModelAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    TabularInline,
    detail_action_view,
    reason_action,
    run_service_on_each,
)
from tasks import services
from tasks.models import (
    Report,
    Task,
    TaskAttachment,
    TaskInvitation,
    TaskMilestonePlan,
    TaskSkill,
)
from tasks.reports import reportable
from tasks.selectors import (
    task_capabilities,
    user_can_handle_reports,
    user_can_moderate,
    user_can_suspend_accounts,
)


class ModerationFilter(admin.SimpleListFilter):
    """The moderators' queue by default (waiting for review, oldest first), or all tasks."""

    title = _("moderation")
    parameter_name = "moderation"

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.in_queue = _in_queue(request)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("all", _("All tasks")),
            ("flagged", _("Flagged")),
            ("sent_back", _("Sent back to the poster")),
        ]

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.in_queue,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Waiting for review"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        if self.value() == "all":
            return queryset
        if self.value() == "flagged":
            return queryset.filter(flagged_for_review=True)
        if self.value() == "sent_back":
            return queryset.filter(status=Task.Status.DRAFT).exclude(moderation_note="")
        if self.in_queue:
            return queryset.filter(status=Task.Status.PENDING_REVIEW)
        return queryset  # another filter (a state) was chosen instead of the queue


def _in_queue(request: HttpRequest) -> bool:
    return request.GET.get(ModerationFilter.parameter_name) in (None, "queue") and not any(
        key.startswith("status") for key in request.GET
    )


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
        "status",
        "budget_column",
        "region_column",
        "flagged_for_review",
        "updated_at",
    )
    list_filter = (ModerationFilter, "status", "kind", "visibility")
    search_fields = ("title", "summary", "organization__name", "created_by__email")
    list_select_related = ("organization",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Task._meta.fields]
    readonly_preprocess_fields = {"region": region_name}
    inlines = (TaskSkillInline, TaskMilestonePlanInline, TaskAttachmentInline, TaskInvitationInline)
    actions = ("approve", "send_back", "flag")
    actions_detail = ("approve_one", "send_back_one", "flag_one", "suspend_poster_one")

    def get_ordering(self, request: HttpRequest) -> Any:
        # The queue is worked oldest first: a task waiting for review is not edited, so its
        # last change is when it was submitted.
        return ("updated_at", "id") if _in_queue(request) else ("-updated_at", "-id")

    @admin.display(description=_("budget"), ordering="budget_max")
    def budget_column(self, task: Task) -> str:
        low, high = task.budget_min_money.format(), task.budget_max_money.format()
        return low if low == high else f"{low} – {high}"

    @admin.display(description=_("region"), ordering="region")
    def region_column(self, task: Task) -> str:
        return task.region_name or "-"

    # --- who may do what: the task's capability selector decides, per object -------------------
    def _capabilities(self, request: HttpRequest, object_id: Any) -> Any:
        task = (
            Task.objects.select_related("organization", "created_by").filter(pk=object_id).first()
            if object_id
            else None
        )
        return task_capabilities(user=request.user, task=task) if task else None

    def has_moderate_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return user_can_moderate(request.user)

    def has_approve_one_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        caps = self._capabilities(request, object_id)
        return bool(caps and caps.moderate_approve)

    def has_send_back_one_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        caps = self._capabilities(request, object_id)
        return bool(caps and caps.moderate_send_back)

    def has_flag_one_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        caps = self._capabilities(request, object_id)
        return bool(caps and caps.moderate_hide)

    def has_suspend_poster_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        caps = self._capabilities(request, object_id)
        return bool(caps and caps.suspend_poster)

    # --- on the task's own page --------------------------------------------------------------
    @action(description=_("Approve"), url_path="approve", permissions=["approve_one"])
    def approve_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Approve: open for bids")),
            needs_reason=False,
            call=lambda task: services.task_moderation_approve(moderator=request.user, task=task),
            done=str(_("The task is open for bids.")),
        )

    @action(description=_("Reject…"), url_path="send-back", permissions=["send_back_one"])
    def send_back_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Send back to the poster")),
            description=str(_("The poster sees the reason on their task page and can edit it.")),
            call=lambda task, reason: services.task_moderation_send_back(
                moderator=request.user, task=task, reason=reason
            ),
            done=str(_("The task is sent back to the poster.")),
        )

    @action(description=_("Hide for review…"), url_path="flag", permissions=["flag_one"])
    def flag_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Hide the task until it is reviewed")),
            description=str(_("It leaves the public listing and waits in the review queue.")),
            call=lambda task, reason: services.task_moderation_flag(
                moderator=request.user, task=task, reason=reason
            ),
            done=str(_("The task is hidden and waits for review.")),
        )

    @action(
        description=_("Suspend the poster…"), url_path="suspend-poster",
        permissions=["suspend_poster"],
    )  # fmt: skip
    def suspend_poster_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Suspend the member who posted this task")),
            call=lambda task, reason: user_suspend(
                actor=request.user, user=task.created_by, reason=reason
            ),
            done=str(_("The poster's account is suspended.")),
        )

    # --- in bulk, on the queue ---------------------------------------------------------------
    @admin.action(description=_("Approve: open for bids"), permissions=["moderate"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda task: services.task_moderation_approve(moderator=request.user, task=task),
            lambda n: ngettext("%(n)d task approved.", "%(n)d tasks approved.", n) % {"n": n},
        )

    @admin.action(description=_("Reject: send back to the poster…"), permissions=["moderate"])
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


# --- Reports ---------------------------------------------------------------------------------


class ReportStatusFilter(admin.SimpleListFilter):
    """Waiting reports unless asked otherwise."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (Report.Status.ACTIONED, Report.Status.ACTIONED.label),
            (Report.Status.DISMISSED, Report.Status.DISMISSED.label),
            ("all", _("All")),
        ]

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Waiting"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        if self.value() == "all":
            return queryset
        return queryset.filter(status=self.value() or Report.Status.OPEN)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """The reports queue, oldest first; decisions go through tasks.services' report services."""

    list_display = ("created_at", "kind", "reported_column", "reason", "reporter", "status")
    list_filter = (ReportStatusFilter, "kind", "reason")
    search_fields = ("details", "reporter__email")
    list_select_related = ("reporter", "decided_by")
    ordering = ("created_at", "id")
    fields = (
        "kind",
        "reported_column",
        "reason",
        "details",
        "reporter",
        "created_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    readonly_fields = fields
    actions = ("dismiss", "mark_actioned")
    actions_detail = ("hide_one", "suspend_owner_one", "dismiss_one", "actioned_one")

    @admin.display(description=_("reported content"))
    def reported_column(self, report: Report) -> str:
        entry = reportable(report.kind)
        obj = entry.get_for_moderator(report.object_id)
        if obj is None:
            return str(_("(no longer exists)"))
        return format_html('<a href="{}" class="text-primary-600">{}</a>', entry.url(obj),
                           Truncator(entry.describe(obj)).chars(80))  # fmt: skip

    def _quoted(self, report: Report) -> list[tuple[str, str]]:
        """What the moderator acts on: the reported text in full, and what the reporter said."""
        entry = reportable(report.kind)
        obj = entry.get_for_moderator(report.object_id)
        content = entry.describe(obj) if obj is not None else str(_("(no longer exists)"))
        said = str(report.get_reason_display())
        if report.details:
            said = _("%(reason)s: %(details)s") % {"reason": said, "details": report.details}
        return [
            (str(_("Reported content (%(kind)s)") % {"kind": report.get_kind_display()}), content),
            (str(_("The reporter's reason")), said),
        ]

    def _open_report(self, object_id: Any) -> Report | None:
        return Report.objects.filter(pk=object_id, status=Report.Status.OPEN).first()

    def has_decide_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        if not user_can_handle_reports(request.user):
            return False
        return object_id is None or self._open_report(object_id) is not None

    def has_hide_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        report = self._open_report(object_id) if object_id else None
        return bool(
            report
            and user_can_handle_reports(request.user)
            and reportable(report.kind).hide is not None
        )

    def has_suspend_owner_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self.has_decide_permission(request, object_id) and user_can_suspend_accounts(
            request.user
        )

    @action(description=_("Hide the content…"), url_path="hide", permissions=["hide"])
    def hide_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Hide the reported content")),
            description=str(_("Everyone but moderators stops seeing it; its reports close.")),
            quote=self._quoted,
            call=lambda report, reason: services.report_hide_content(
                moderator=request.user, report=report, reason=reason
            ),
            done=str(_("The content is hidden.")),
        )

    @action(
        description=_("Suspend its owner…"), url_path="suspend-owner",
        permissions=["suspend_owner"],
    )  # fmt: skip
    def suspend_owner_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Suspend the account behind the reported content")),
            quote=self._quoted,
            call=lambda report, reason: services.report_suspend_owner(
                moderator=request.user, report=report, reason=reason
            ),
            done=str(_("The account is suspended.")),
        )

    @action(description=_("Dismiss…"), url_path="dismiss", permissions=["decide"])
    def dismiss_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Dismiss the report")),
            call=lambda report, reason: services.report_decide(
                moderator=request.user, report=report, outcome=Report.Status.DISMISSED, note=reason
            ),
            done=str(_("The report is dismissed.")),
        )

    @action(description=_("Mark acted on…"), url_path="actioned", permissions=["decide"])
    def actioned_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Mark the report acted on")),
            description=str(_("Say what was done, for example a message to the person.")),
            call=lambda report, reason: services.report_decide(
                moderator=request.user, report=report, outcome=Report.Status.ACTIONED, note=reason
            ),
            done=str(_("The report is marked acted on.")),
        )

    @admin.action(description=_("Dismiss the selected reports"), permissions=["decide"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda report: services.report_decide(
                moderator=request.user, report=report, outcome=Report.Status.DISMISSED
            ),
            lambda n: ngettext("%(n)d report dismissed.", "%(n)d reports dismissed.", n) % {"n": n},
        )

    @admin.action(description=_("Mark the selected reports acted on"), permissions=["decide"])
    def mark_actioned(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda report: services.report_decide(
                moderator=request.user, report=report, outcome=Report.Status.ACTIONED
            ),
            lambda n: (
                ngettext("%(n)d report marked acted on.", "%(n)d reports marked acted on.", n)
                % {"n": n}
            ),
        )
