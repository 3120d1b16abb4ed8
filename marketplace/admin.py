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
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin as ThemedModelAdmin
from unfold.admin import StackedInline as ThemedStackedInline
from unfold.admin import TabularInline as ThemedTabularInline

from marketplace.errors import DomainError


class ModelAdmin(ThemedModelAdmin):
    """The base of every model admin in the back office."""


class TabularInline(ThemedTabularInline):
    pass


class StackedInline(ThemedStackedInline):
    pass


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
