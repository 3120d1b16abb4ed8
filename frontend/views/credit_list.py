"""The credit red/black list (诚信红黑榜): the public page of entries that apply now, and the
listed party's own page, where they see every entry about them and appeal."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import CreditListAppeal, CreditListEntry
from accounts.selectors import (
    credit_list_active,
    credit_list_entries_for_user,
    credit_list_entry_get_for_party,
)
from frontend.forms_errors import form_apply_domain_error
from frontend.views._helpers import get_or_404, signed_in_user
from marketplace.errors import DomainError


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Your statement"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Say why the entry is wrong or should end, and what shows it. A moderator decides."
        ),
    )


def credit_list_public(request: HttpRequest) -> HttpResponse:
    """Everyone sees the entries that apply now: who, which list, why, until when."""
    entries = list(credit_list_active())
    return render(
        request,
        "frontend/credit_list/public.html",
        {
            "red": [e for e in entries if e.kind == CreditListEntry.Kind.RED],
            "black": [e for e in entries if e.kind == CreditListEntry.Kind.BLACK],
        },
    )


def _mine_context(request: HttpRequest, forms_by_entry: dict[int, AppealForm]) -> dict:
    user = signed_in_user(request)
    rows = []
    for entry in credit_list_entries_for_user(user=user):
        appeals = list(entry.appeals.all())
        pending = any(a.status == CreditListAppeal.Status.PENDING for a in appeals)
        rows.append(
            {
                "entry": entry,
                "active": entry.is_active(),
                "appeals": appeals,
                "can_appeal": entry.is_active() and not pending,
                "form": forms_by_entry.get(entry.pk) or AppealForm(prefix=f"e{entry.pk}"),
            }
        )
    return {"rows": rows}


@login_required
def credit_list_mine(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/credit_list/mine.html", _mine_context(request, {}))


@login_required
@require_POST
def credit_list_appeal(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = signed_in_user(request)
    entry = get_or_404(credit_list_entry_get_for_party, user=user, entry_id=entry_id)
    form = AppealForm(request.POST, prefix=f"e{entry.pk}")
    if form.is_valid():
        try:
            account_services.credit_appeal_file(
                actor=user, entry=entry, statement=form.cleaned_data["statement"]
            )
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your appeal is filed. A moderator will decide it."))
            return redirect("frontend:credit_list_mine")
    return render(
        request,
        "frontend/credit_list/mine.html",
        _mine_context(request, {entry.pk: form}),
        status=400,
    )
