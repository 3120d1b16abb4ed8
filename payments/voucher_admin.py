"""Innovation vouchers in the back office: finance staff create programmes and issue vouchers
(an action with a form) through the services; vouchers, claims and returns are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Organization
from marketplace.admin import ModelAdmin, ReadOnlyAdminMixin
from marketplace.errors import DomainError
from marketplace.money import Money
from payments.models import (
    Voucher,
    VoucherClaim,
    VoucherProgramme,
    VoucherReturn,
)
from payments.services.vouchers import (
    MAX_ISSUE,
    voucher_issue,
    voucher_programme_create,
    voucher_programme_validate,
)
from payments.voucher_selectors import user_is_finance
from tasks.models import Task


def _apply(form: forms.BaseForm, exc: DomainError) -> None:
    """A service's refusal as form errors, on the fields it names."""
    if not exc.fields:
        form.add_error(None, str(exc.message))
    for name, msgs in exc.fields.items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, str(msg))


class ProgrammeAdminForm(forms.ModelForm):
    budget_yuan = forms.CharField(label=_("Budget (yuan)"), help_text=_("e.g. 2000000"))
    face_value_yuan = forms.CharField(
        label=_("Voucher face value (yuan)"), help_text=_("e.g. 50000")
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Eligible task kinds"),
        choices=Task.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = VoucherProgramme
        fields = ["issuer", "name", "valid_from", "valid_until", "max_share_bps"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.GOVERNMENT
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            budget = Money.parse(data.get("budget_yuan", ""))
        except DomainError as exc:
            self.add_error("budget_yuan", str(exc.message))
            return data
        try:
            face = Money.parse(data.get("face_value_yuan", ""))
        except DomainError as exc:
            self.add_error("face_value_yuan", str(exc.message))
            return data
        data["budget"], data["face_value"] = budget, face
        if self.errors:
            return data
        try:
            voucher_programme_validate(
                issuer=data.get("issuer"),
                name=data.get("name", ""),
                budget=budget,
                face_value=face,
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                eligible_kinds=data.get("eligible_kinds", []),
                max_share_bps=data.get("max_share_bps") or 0,
            )
        except DomainError as exc:
            renamed = {"budget": "budget_yuan", "face_value": "face_value_yuan"}
            exc.fields = {renamed.get(k, k): v for k, v in exc.fields.items()}
            _apply(self, exc)
        return data


class IssueForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.exclude(kind=Organization.Kind.GOVERNMENT),
        help_text=_("An enterprise or a micro-firm."),
    )
    count = forms.IntegerField(label=_("How many vouchers"), min_value=1, max_value=MAX_ISSUE)


@admin.register(VoucherProgramme)
class VoucherProgrammeAdmin(ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ["name", "issuer", "budget", "face_value", "issued_total", "valid_until"]
    list_filter = ["issuer"]
    search_fields = ["name", "issuer__name"]
    actions = ["issue_vouchers"]
    readonly_fields = [
        "issuer",
        "name",
        "budget",
        "face_value",
        "currency",
        "valid_from",
        "valid_until",
        "eligible_kinds",
        "max_share_bps",
        "issued_total",
        "created_by",
        "created_at",
    ]

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:
            # A programme's terms do not change once its budget is in the ledger.
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The changelist needs it for the issue action; a programme itself is read-only.
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                "issuer",
                "name",
                "budget_yuan",
                "face_value_yuan",
                "valid_from",
                "valid_until",
                "eligible_kinds",
                "max_share_bps",
            ]
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_is_finance(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A new programme goes through the service (its budget is posted to the ledger)."""
        if change:
            return
        data = form.cleaned_data
        created = voucher_programme_create(
            actor=request.user,
            issuer=data["issuer"],
            name=data["name"],
            budget=data["budget"],
            face_value=data["face_value"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            eligible_kinds=data["eligible_kinds"],
            max_share_bps=data["max_share_bps"],
        )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    @admin.action(description=_("Issue vouchers to an organization"))
    def issue_vouchers(
        self, request: HttpRequest, queryset: QuerySet[VoucherProgramme]
    ) -> HttpResponse | None:
        programmes = list(queryset)
        form = IssueForm(request.POST if "apply" in request.POST else None)
        if len(programmes) != 1:
            self.message_user(request, _("Choose one programme to issue from."), messages.ERROR)
            return None
        if "apply" in request.POST and form.is_valid():
            try:
                vouchers = voucher_issue(
                    actor=request.user,
                    programme=programmes[0],
                    organization=form.cleaned_data["organization"],
                    count=form.cleaned_data["count"],
                )
            except DomainError as exc:
                # Shown above the form (a refusal such as over_budget names no field).
                self.message_user(request, str(exc.message), messages.ERROR)
                _apply(form, exc)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d voucher issued to %(org)s.",
                        "%(n)d vouchers issued to %(org)s.",
                        len(vouchers),
                    )
                    % {"n": len(vouchers), "org": form.cleaned_data["organization"].name},
                    messages.SUCCESS,
                )
                return None
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue vouchers"),
            "form": form,
            "objects": programmes,
            "action": "issue_vouchers",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": opts,
            "app_label": opts.app_label,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/marketplace/reason_action.html", context)


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["code", "programme", "organization", "face_value", "valid_until", "expired_at"]
    list_filter = ["programme"]
    search_fields = ["code", "organization__name"]


@admin.register(VoucherClaim)
class VoucherClaimAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["reference", "programme", "voucher", "contract", "amount", "created_at"]
    list_filter = ["programme"]


@admin.register(VoucherReturn)
class VoucherReturnAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["reference", "programme", "voucher", "kind", "amount", "created_at"]
    list_filter = ["programme", "kind"]
