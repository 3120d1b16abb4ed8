"""Portfolio entries (案例) of a provider: the provider manages them; the profile shows them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import PortfolioEntry, ProviderProfile, Skill
from accounts.selectors import (
    portfolio_entries_for_profile,
    portfolio_entry_get_for_user,
    portfolio_file_get_for_user,
    provider_profile_get_for_user,
)
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_profiles import PortfolioEntryForm, PortfolioFileForm
from frontend.views._helpers import get_or_404
from marketplace.errors import DomainError, ValidationFailed


def _skill_choices(profile: ProviderProfile, entry: PortfolioEntry | None = None) -> list[Skill]:
    """The profile's skills, and any the entry already names."""
    skills = [level.skill for level in profile.skill_levels.all()]
    if entry is not None:
        known = {skill.pk for skill in skills}
        skills += [skill for skill in entry.skills.all() if skill.pk not in known]
    return skills


def _entry_values(form: PortfolioEntryForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "year": data["year"],
        "client": data["client"],
        "skill_ids": list(data["skills"]),
    }


def _manage_url(profile_id: int) -> str:
    return reverse("frontend:portfolio_manage", args=[profile_id])


@login_required
def portfolio_manage(request: HttpRequest, profile_id: int) -> HttpResponse:
    """The provider's list of entries, with the form to add one."""
    profile = get_or_404(provider_profile_get_for_user, user=request.user, profile_id=profile_id)
    skills = _skill_choices(profile)
    status = 200
    if request.method == "POST":
        form = PortfolioEntryForm(request.POST, skills=skills)
        if form.is_valid():
            try:
                entry = account_services.portfolio_entry_create(
                    actor=request.user, profile=profile, **_entry_values(form)
                )
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is added. Add images or files to it below.")
                    % {"title": entry.title},
                )
                return redirect("frontend:portfolio_entry_edit", entry_id=entry.pk)
        status = 400
    else:
        form = PortfolioEntryForm(skills=skills)
    return render(
        request,
        "frontend/provider/portfolio.html",
        {
            "profile": profile,
            "entries": portfolio_entries_for_profile(profile=profile),
            "form": form,
        },
        status=status,
    )


@login_required
def portfolio_entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_or_404(portfolio_entry_get_for_user, user=request.user, entry_id=entry_id)
    profile = get_or_404(
        provider_profile_get_for_user, user=request.user, profile_id=entry.profile_id
    )
    skills = _skill_choices(profile, entry)
    status = 200
    file_form = PortfolioFileForm()
    if request.method == "POST":
        form = PortfolioEntryForm(request.POST, skills=skills)
        if form.is_valid():
            try:
                account_services.portfolio_entry_update(
                    actor=request.user, entry=entry, **_entry_values(form)
                )
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(request, _("The entry is saved."))
                return redirect(_manage_url(profile.pk))
        status = 400
    else:
        form = PortfolioEntryForm(
            skills=skills,
            initial={
                "title": entry.title,
                "description": entry.description,
                "year": entry.year,
                "client": entry.client,
                "skills": [skill.pk for skill in entry.skills.all()],
            },
        )
    return _render_entry(request, entry, profile, form, file_form, status)


def _render_entry(
    request: HttpRequest,
    entry: PortfolioEntry,
    profile: ProviderProfile,
    form: PortfolioEntryForm,
    file_form: PortfolioFileForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "frontend/provider/portfolio_entry.html",
        {
            "entry": entry,
            "profile": profile,
            "form": form,
            "file_form": file_form,
            "files": list(entry.files.all()),
        },
        status=status,
    )


@login_required
@require_POST
def portfolio_entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_or_404(portfolio_entry_get_for_user, user=request.user, entry_id=entry_id)
    try:
        account_services.portfolio_entry_delete(actor=request.user, entry=entry)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("“%(title)s” is deleted.") % {"title": entry.title})
    return redirect(_manage_url(entry.profile_id))


@login_required
@require_POST
def portfolio_entry_move(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_or_404(portfolio_entry_get_for_user, user=request.user, entry_id=entry_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        account_services.portfolio_entry_move(actor=request.user, entry=entry, offset=offset)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(_manage_url(entry.profile_id) + f"#entry-{entry.pk}")


@login_required
@require_POST
def portfolio_file_add(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_or_404(portfolio_entry_get_for_user, user=request.user, entry_id=entry_id)
    file_form = PortfolioFileForm(request.POST, request.FILES)
    if file_form.is_valid():
        try:
            item = account_services.portfolio_file_add(
                actor=request.user, entry=entry, upload=file_form.cleaned_data["file"]
            )
        except ValidationFailed as exc:
            # The file checks speak about the file: show them beside it.
            if exc.fields:
                form_apply_domain_error(file_form, exc)
            else:
                file_form.add_error("file", str(exc.message))
        except DomainError as exc:
            form_apply_domain_error(file_form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": item.original_name})
            return redirect(reverse("frontend:portfolio_entry_edit", args=[entry.pk]) + "#files")
    profile = get_or_404(
        provider_profile_get_for_user, user=request.user, profile_id=entry.profile_id
    )
    form = PortfolioEntryForm(
        skills=_skill_choices(profile, entry),
        initial={
            "title": entry.title,
            "description": entry.description,
            "year": entry.year,
            "client": entry.client,
            "skills": [skill.pk for skill in entry.skills.all()],
        },
    )
    return _render_entry(request, entry, profile, form, file_form, status=400)


@login_required
@require_POST
def portfolio_file_remove(request: HttpRequest, file_id: int) -> HttpResponse:
    item = get_or_404(portfolio_file_get_for_user, user=request.user, file_id=file_id)
    try:
        account_services.portfolio_file_remove(actor=request.user, item=item)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": item.original_name})
    return redirect(reverse("frontend:portfolio_entry_edit", args=[item.entry_id]) + "#files")
