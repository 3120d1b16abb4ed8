"""Back-office pieces every app's admin shares.

Every model admin and inline derives from `ModelAdmin`, `TabularInline` or `StackedInline` here:
the back office's theme (django-unfold) styles only admins built on its classes, and one base
keeps what all of them share in one place.

Staff change state only through services: a refusal is a domain error reported per object
(`run_service_on_each`), an action that needs a reason asks for it on an intermediate page
(`reason_action`), and rows that only services write are read-only (`ReadOnlyAdminMixin`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin as ThemedModelAdmin
from unfold.admin import StackedInline as ThemedStackedInline
from unfold.admin import TabularInline as ThemedTabularInline

from marketplace.audit import audit_trail
from marketplace.errors import DomainError
from marketplace.models import AuditEvent
from marketplace.money import DEFAULT_CURRENCY, Money

# Integer fields holding minor units (fen) that the back office shows as money: by name, on
# models that also carry a `currency` field.
MONEY_FIELD_NAMES = frozenset(
    {"amount", "budget", "budget_min", "budget_max", "face_value", "fee", "total", "refund",
     "release", "held", "day_rate"}
)  # fmt: skip


def backoffice_styles(request: HttpRequest) -> str:
    """Our stylesheet for the few classes unfold's compiled CSS lacks (UNFOLD["STYLES"])."""
    return static("marketplace/admin.css")


def _money_fields(model: type[Model]) -> list[str]:
    names = {f.name for f in model._meta.fields}
    if "currency" not in names:
        return []
    return [
        f.name
        for f in model._meta.fields
        if f.name in MONEY_FIELD_NAMES and isinstance(f, models.IntegerField)
    ]


def money_column(name: str, description: Any) -> Callable[[Any], str]:
    """A list column showing a fen field as money in the row's currency (¥1,234.50)."""

    @admin.display(description=description, ordering=name)
    def column(obj: Any) -> str:
        value = getattr(obj, name)
        if value is None:
            return "-"
        return Money(int(value), getattr(obj, "currency", None) or DEFAULT_CURRENCY).format()

    column.__name__ = f"{name}_money"
    return column


def _money_contents(contents: str) -> str:
    """A read-only fen field on a change page, as money (every amount here is CNY)."""
    digits = "".join(ch for ch in str(contents) if ch.isdigit() or ch == "-")
    if not digits or digits == "-":
        return contents
    return Money(int(digits), DEFAULT_CURRENCY).format()


class ModelAdmin(ThemedModelAdmin):
    """The base of every model admin in the back office.

    What every admin gets here: fen fields shown as money (list columns and read-only fields),
    and the object's audit trail (marketplace.audit) under its change page, so every staff
    action on it can be read where it was taken. "View on site" comes from the model's
    get_absolute_url.
    """

    change_form_after_template = "admin/marketplace/_audit_trail.html"

    def __init__(self, model: type[Model], admin_site: Any) -> None:
        super().__init__(model, admin_site)
        self._money = _money_fields(model)
        preprocess: dict[str, Any] = dict(getattr(self, "readonly_preprocess_fields", {}))
        for name in self._money:
            preprocess.setdefault(name, _money_contents)
        self.readonly_preprocess_fields = preprocess

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = super().get_list_display(request)
        if not self._money:
            return columns
        fields = {f.name: f for f in self.model._meta.fields}
        return type(columns)(
            money_column(c, fields[c].verbose_name)
            if isinstance(c, str) and c in self._money
            else c
            for c in columns
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Model | None = None,
    ) -> Any:
        if (
            obj is not None
            and obj.pk is not None
            and request.user.has_perm("marketplace.view_auditevent")
        ):
            context["audit_events"] = list(audit_trail(obj)[:50])
            context["audit_shown"] = True
        return super().render_change_form(request, context, add, change, form_url, obj)


class _MoneyInlineMixin:
    """Inlines show their fen fields as money too."""

    def __init__(self, parent_model: type[Model], admin_site: Any) -> None:
        super().__init__(parent_model, admin_site)  # type: ignore[call-arg]
        preprocess: dict[str, Any] = dict(getattr(self, "readonly_preprocess_fields", {}))
        for name in _money_fields(self.model):  # type: ignore[attr-defined]
            preprocess.setdefault(name, _money_contents)
        self.readonly_preprocess_fields = preprocess


class TabularInline(_MoneyInlineMixin, ThemedTabularInline):
    pass


class StackedInline(_MoneyInlineMixin, ThemedStackedInline):
    pass


def waiting_first_filter(
    *, field: str, waiting: str, choices: list[tuple[str, Any]], title: Any = None
) -> type[admin.SimpleListFilter]:
    """A status filter that shows the waiting rows unless asked for another status or all:
    a queue opens on what still needs someone."""

    class WaitingFirstFilter(admin.SimpleListFilter):
        parameter_name = f"{field}__exact"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
            return [(value, label) for value, label in choices if value != waiting] + [
                ("all", _("All"))
            ]

        def choices(self, changelist: Any) -> Any:
            yield {
                "selected": self.value() is None,
                "query_string": changelist.get_query_string(remove=[self.parameter_name]),
                "display": dict(choices).get(waiting, _("Waiting")),
            }
            for lookup, label in self.lookup_choices:
                yield {
                    "selected": self.value() == lookup,
                    "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                    "display": label,
                }

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            if self.value() == "all":
                return queryset
            return queryset.filter(**{field: self.value() or waiting})

    WaitingFirstFilter.title = title or _("status")
    return WaitingFirstFilter


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Shown to the people concerned."),
    )


def run_service_on_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    call: Callable[[Any], object],
    done: Callable[[int], str],
) -> None:
    """Call one service per selected object; each runs in its own transaction.

    A refusal (a domain error) is reported for that object and the others go on.
    """
    succeeded = 0
    for obj in queryset:
        try:
            call(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, done(succeeded), messages.SUCCESS)


def reason_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    action: str,
    title: str,
    call: Callable[[Any, str], object],
    done: Callable[[int], str],
) -> HttpResponse | None:
    """An action that needs a reason: an intermediate page with a form, then the service."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        reason = form.cleaned_data["reason"]
        run_service_on_each(modeladmin, request, queryset, lambda obj: call(obj, reason), done)
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": list(queryset),
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": opts,
        "app_label": opts.app_label,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/marketplace/reason_action.html", context)


class ConfirmForm(forms.Form):
    """A detail action without a reason still confirms with a POST (a link must not act)."""

    confirm = forms.BooleanField(initial=True, widget=forms.HiddenInput)


def detail_action_view(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    object_id: str,
    *,
    title: str,
    call: Callable[..., object],
    done: str,
    needs_reason: bool = True,
    description: str = "",
    quote: Callable[[Any], list[tuple[str, str]]] | None = None,
) -> HttpResponse:
    """A button on an object's change page (unfold's actions_detail): a page asking for the
    reason (or a confirmation), then one service call; a refusal is shown on the change page.
    `quote` gives (label, text) pairs the staff member acts on, quoted above the form (the
    reported text and the report's reason, for instance)."""
    from django.shortcuts import redirect
    from django.urls import reverse

    obj = modeladmin.get_object(request, object_id)
    opts = modeladmin.model._meta
    if obj is None:
        raise PermissionDenied
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    form_class = ReasonForm if needs_reason else ConfirmForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if needs_reason:
                call(obj, form.cleaned_data["reason"])
            else:
                call(obj)
        except DomainError as exc:
            if exc.fields and needs_reason:
                for name, problems in exc.fields.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, str(problem))
            else:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
                return redirect(change_url)
        else:
            modeladmin.message_user(request, done, messages.SUCCESS)
            return redirect(change_url)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "description": description,
        "quoted": quote(obj) if quote else [],
        "form": form,
        "object": obj,
        "change_url": change_url,
        "opts": opts,
        "app_label": opts.app_label,
    }
    request.current_app = modeladmin.admin_site.name
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "admin/marketplace/detail_action.html", context, status=status)


class ReadOnlyAdminMixin:
    """Rows that only services write: staff may look, and act through the admin actions."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The changelist still needs the model's change permission for its actions.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Every recorded action, newest first; each object's own trail is under its change page."""

    list_display = ("created_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("action", "actor__email", "target_id")
    list_select_related = ("actor", "target_type")
    readonly_fields = ("created_at", "actor", "action", "target_type", "target_id", "data")
    fields = readonly_fields
    change_form_after_template = ""  # its own trail would be the rows themselves
