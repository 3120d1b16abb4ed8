"""The mediators' back office: the queue of open disputes, oldest first, and each dispute's page
with its evidence timeline and the decision form. Staff change a dispute only through
disputes.services (the decision form calls dispute_decide)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from disputes import selectors, services
from disputes.forms import DecisionForm
from disputes.models import Dispute, DisputeEvidence
from disputes.states import OPEN
from marketplace.admin import ModelAdmin, ReadOnlyAdminMixin, ReadOnlyInlineMixin, TabularInline
from marketplace.errors import DomainError, ValidationFailed

D = Dispute.Status


class QueueFilter(admin.SimpleListFilter):
    """The queue shows what waits (not executed yet) unless asked for more."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("waiting", _("Waiting (not executed)")), ("all", _("All"))]

    def choices(self, changelist: Any) -> Any:
        value = self.value() or "waiting"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if (self.value() or "waiting") == "waiting":
            return queryset.filter(status__in=OPEN)
        return queryset


class EvidenceInline(ReadOnlyInlineMixin, TabularInline):
    model = DisputeEvidence
    fields = ("original_name", "side", "added_by", "sha256", "size", "created_at")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("evidence files")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "__str__",
        "task_title",
        "held",
        "status",
        "age",
        "next_deadline",
        "opener_side",
    )
    list_filter = (QueueFilter, "status", "reason")
    search_fields = ("contract__task__title", "milestone__title", "statement")
    ordering = ("opened_at", "id")
    list_select_related = ("milestone", "contract__task")
    change_form_template = "admin/disputes/dispute/change_form.html"
    inlines = (EvidenceInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "status",
                    "contract_link",
                    "milestone",
                    "held",
                    "reason",
                    "opener_side",
                    "opened_by",
                    "opened_at",
                )
            },
        ),
        (
            _("Deadlines"),
            {"fields": ("response_due_at", "evidence_due_at", "mediation_at", "appeal_due_at")},
        ),
        (_("Outcome"), {"fields": ("decided_at", "executed_at", "outcome")}),
    )
    readonly_fields = (
        "status",
        "contract_link",
        "milestone",
        "held",
        "reason",
        "opener_side",
        "opened_by",
        "opened_at",
        "response_due_at",
        "evidence_due_at",
        "mediation_at",
        "appeal_due_at",
        "decided_at",
        "executed_at",
        "outcome",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dispute]:
        return super().get_queryset(request).select_related("contract__task", "milestone")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The page is for reading; deciding is its own form and permission (decide_dispute).
        return False

    @admin.display(description=_("task"), ordering="contract__task__title")
    def task_title(self, obj: Dispute) -> str:
        return obj.contract.task.title

    @admin.display(description=_("held"), ordering="held_amount")
    def held(self, obj: Dispute) -> str:
        return obj.held_money.format()

    @admin.display(description=_("age"), ordering="opened_at")
    def age(self, obj: Dispute) -> str:
        return timesince(obj.opened_at, timezone.now())

    @admin.display(description=_("next deadline"))
    def next_deadline(self, obj: Dispute) -> Any:
        if obj.status == D.OPENED:
            return obj.response_due_at
        if obj.status == D.EVIDENCE:
            return obj.evidence_due_at
        if obj.status == D.DECIDED:
            return obj.appeal_due_at
        return "—"

    @admin.display(description=_("contract"))
    def contract_link(self, obj: Dispute) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("frontend:contract_detail", args=[obj.contract_id]),
            obj.contract,
        )

    def get_view_on_site_url(self, obj: Any = None) -> str | None:
        if obj is None:
            return None
        return reverse("frontend:dispute_detail", args=[obj.pk])

    def get_urls(self) -> list[URLPattern]:
        decide = path(
            "<int:dispute_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="disputes_dispute_decide",
        )
        return [decide, *super().get_urls()]

    def _context(self, request: HttpRequest, dispute: Dispute, form: DecisionForm | None) -> Any:
        capabilities = selectors.dispute_capabilities(user=request.user, dispute=dispute)
        decisions = selectors.dispute_decisions(dispute=dispute)
        return {
            "dispute": dispute,
            "timeline": selectors.dispute_timeline(dispute=dispute),
            "kinds": selectors.KINDS,
            "decisions": decisions,
            "appeal": selectors.dispute_appeal_of(dispute=dispute),
            "can_decide": capabilities.can_decide,
            "first_mediator_id": decisions[0].mediator_id if decisions else None,
            "appealable": services.appealable(dispute),
            "decision_form": form or (DecisionForm() if capabilities.can_decide else None),
            "rules": selectors.settings_summary(),
        }

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        dispute = get_object_or_404(
            Dispute.objects.select_related("contract", "milestone"), pk=object_id
        )
        return super().change_view(
            request,
            object_id,
            form_url,
            {**(extra_context or {}), **self._context(request, dispute, None)},
        )

    def decide_view(self, request: HttpRequest, dispute_id: int) -> HttpResponse:
        if not request.user.has_perm("disputes.decide_dispute"):
            raise PermissionDenied
        dispute = get_object_or_404(
            Dispute.objects.select_related("contract", "milestone"), pk=dispute_id
        )
        change_url = reverse("admin:disputes_dispute_change", args=[dispute.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                decision = services.dispute_decide(
                    actor=request.user,
                    dispute=dispute,
                    refund=form.cleaned_data["refund"],
                    release=form.cleaned_data["release"],
                    reasons=form.cleaned_data["reasons"],
                )
            except ValidationFailed as exc:
                for name, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, str(error))
                if not exc.fields:
                    form.add_error(None, str(exc.message))
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                return HttpResponseRedirect(change_url)
            else:
                dispute.refresh_from_db()
                if dispute.status == D.EXECUTED:
                    text = _("Decided and executed: %(refund)s refunded, %(release)s released.")
                else:
                    text = _(
                        "Decided: %(refund)s to refund, %(release)s to release, executed after "
                        "the appeal window."
                    )
                self.message_user(
                    request,
                    text
                    % {
                        "refund": decision.refund_money.format(),
                        "release": decision.release_money.format(),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        # Bad input: the dispute's page again with the form's errors, nothing written.
        return self._with_form(request, dispute, form)

    def _with_form(
        self, request: HttpRequest, dispute: Dispute, form: DecisionForm
    ) -> HttpResponse:
        request.method = "GET"
        response = super().change_view(
            request, str(dispute.pk), "", self._context(request, dispute, form)
        )
        response.status_code = 400
        return response
