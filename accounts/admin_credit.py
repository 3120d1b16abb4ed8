"""The back office of the credit red/black list (诚信红黑榜).

Moderators add entries (through credit_list_add), lift them with a reason, and decide appeals
(uphold, which lifts the entry, or dismiss) on the entry's and the appeal's own pages. Rows are
otherwise read-only: every change is a service call with an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action
from unfold.enums import ActionVariant

from accounts import services
from accounts.models import CreditListAppeal, CreditListEntry
from accounts.services import credit_list
from marketplace.admin import ModelAdmin, ReadOnlyInlineMixin, ReasonForm, TabularInline
from marketplace.errors import DomainError


def _reason_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    obj: Any,
    *,
    title: str,
    submit: str,
    facts: list[tuple[Any, Any]],
    call: Callable[[str], object],
    done: str,
) -> HttpResponse:
    """A detail action that needs a reason: GET shows the form, a valid POST calls the service
    and returns to the object's page with the outcome."""
    form = ReasonForm(request.POST if request.method == "POST" else None)
    opts = modeladmin.model._meta
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data["reason"])
        except DomainError as exc:
            modeladmin.message_user(request, str(exc.message), messages.ERROR)
        else:
            modeladmin.message_user(request, done, messages.SUCCESS)
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "submit": submit,
        "object": obj,
        "facts": facts,
        "opts": opts,
        "app_label": opts.app_label,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/accounts/detail_reason.html", context)


class CreditListEntryForm(forms.ModelForm):
    class Meta:
        model = CreditListEntry
        fields = ("kind", "user", "organization", "reason", "evidence", "starts_at", "expires_at")
        help_texts = {
            "evidence": _("What the entry rests on: documents, decisions, contract numbers."),
            "user": _("Either a person or an organization."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("user")) == bool(data.get("organization")):
            raise forms.ValidationError(_("Choose either a person or an organization."))
        return data


class CreditListAppealInline(ReadOnlyInlineMixin, TabularInline):
    model = CreditListAppeal
    fields = ("filed_at", "filed_by", "status", "decided_by", "decision_reason")
    readonly_fields = fields


@admin.register(CreditListEntry)
class CreditListEntryAdmin(ModelAdmin):
    form = CreditListEntryForm
    list_display = (
        "party_column",
        "kind",
        "starts_at",
        "expires_at",
        "state_column",
        "created_by",
    )
    list_filter = ("kind", ("lifted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "user__name", "organization__name", "reason")
    list_select_related = ("user", "organization", "created_by")
    autocomplete_fields = ("user", "organization")
    inlines = [CreditListAppealInline]
    actions_detail = ["lift_detail"]
    readonly_fields = ("created_by", "created_at", "lifted_at", "lifted_by", "lift_reason")

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return (*CreditListEntryForm.Meta.fields, *self.readonly_fields)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return CreditListEntryForm.Meta.fields
        return (*CreditListEntryForm.Meta.fields, *self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_lift_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(credit_list.LIFT_PERMISSION))

    def get_actions_detail(self, request: HttpRequest, object_id: Any) -> list[Any]:
        live = CreditListEntry.objects.filter(pk=object_id, lifted_at__isnull=True).exists()
        return super().get_actions_detail(request, object_id) if live else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Entries are written by the service only (with its audit row)."""
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        try:
            entry = services.credit_list_add(
                actor=request.user,
                kind=data["kind"],
                user=data.get("user"),
                organization=data.get("organization"),
                reason=data["reason"],
                evidence=data["evidence"],
                starts_at=data["starts_at"],
                expires_at=data["expires_at"],
            )
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = entry.pk
        obj.created_by = entry.created_by

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # nothing related is edited here

    @admin.display(description=_("listed party"))
    def party_column(self, entry: CreditListEntry) -> str:
        return entry.party_name

    @admin.display(description=_("applies now"), boolean=True)
    def state_column(self, entry: CreditListEntry) -> bool:
        return entry.is_active(timezone.now())

    @action(
        description=_("Lift with a reason…"),
        url_path="lift",
        permissions=["lift"],
        variant=ActionVariant.DANGER,
    )
    def lift_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = get_object_or_404(CreditListEntry, pk=object_id)
        return _reason_page(
            self,
            request,
            entry,
            title=str(_("Lift this entry")),
            submit=str(_("Lift")),
            facts=[(_("listed party"), entry.party_name), (_("reason"), entry.reason)],
            call=lambda reason: services.credit_list_lift(
                actor=request.user, entry=entry, reason=reason
            ),
            done=str(_("The entry is lifted.")),
        )


@admin.register(CreditListAppeal)
class CreditListAppealAdmin(ModelAdmin):
    list_display = ("entry", "filed_by", "status", "filed_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("filed_by__email", "statement", "entry__organization__name")
    list_select_related = ("entry__user", "entry__organization", "filed_by", "decided_by")
    ordering = ("status", "filed_at")
    fields = (
        "entry",
        "entry_reason",
        "entry_evidence",
        "filed_by",
        "statement",
        "status",
        "filed_at",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    readonly_fields = fields
    actions_detail = ["uphold_detail", "dismiss_detail"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(credit_list.APPEAL_PERMISSION))

    def get_actions_detail(self, request: HttpRequest, object_id: Any) -> list[Any]:
        pending = CreditListAppeal.objects.filter(
            pk=object_id, status=CreditListAppeal.Status.PENDING
        ).exists()
        return super().get_actions_detail(request, object_id) if pending else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[CreditListAppeal]:
        return super().get_queryset(request).select_related("entry")

    @admin.display(description=_("reason for the entry"))
    def entry_reason(self, appeal: CreditListAppeal) -> str:
        return appeal.entry.reason

    @admin.display(description=_("evidence for the entry"))
    def entry_evidence(self, appeal: CreditListAppeal) -> str:
        return appeal.entry.evidence

    def _decide(self, request: HttpRequest, object_id: str, *, uphold: bool) -> HttpResponse:
        appeal = get_object_or_404(CreditListAppeal.objects.select_related("entry"), pk=object_id)
        return _reason_page(
            self,
            request,
            appeal,
            title=str(_("Uphold this appeal") if uphold else _("Dismiss this appeal")),
            submit=str(_("Uphold and lift the entry") if uphold else _("Dismiss")),
            facts=[
                (_("entry"), str(appeal.entry)),
                (_("reason for the entry"), appeal.entry.reason),
                (_("statement"), appeal.statement),
            ],
            call=lambda reason: services.credit_appeal_decide(
                actor=request.user, appeal=appeal, uphold=uphold, reason=reason
            ),
            done=str(_("The appeal is decided.")),
        )

    @action(
        description=_("Uphold (lift the entry)…"),
        url_path="uphold",
        permissions=["decide"],
        variant=ActionVariant.PRIMARY,
    )
    def uphold_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, uphold=True)

    @action(
        description=_("Dismiss…"),
        url_path="dismiss",
        permissions=["decide"],
        variant=ActionVariant.DANGER,
    )
    def dismiss_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, uphold=False)
