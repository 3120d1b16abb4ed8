"""Provider profiles: edit mine, edit a micro-firm's, the public page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Organization, ProviderProfile
from accounts.selectors import (
    membership_get,
    portfolio_entries_for_profile,
    provider_is_favourite,
    provider_profile_for_organization,
    provider_profile_get_public,
    provider_profile_mine,
    skills_grouped,
    user_can_act_for_provider,
)
from frontend.forms import ProviderProfileForm, SkillsForm
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_profiles import InviteToTaskForm, PictureForm
from frontend.views._helpers import get_or_404, managed_organization
from marketplace.errors import DomainError, NotFound
from tasks.selectors import tasks_invitable_for_provider


def _profile_initial(profile: ProviderProfile | None) -> dict[str, Any]:
    if profile is None:
        return {"availability": ProviderProfile.Availability.AVAILABLE, "years_experience": 0}
    money = profile.day_rate_money
    return {
        "headline": profile.headline,
        "bio": profile.bio,
        "day_rate": money.major_str() if money is not None else "",
        "currency": profile.currency,
        "region": profile.region,
        "availability": profile.availability,
        "years_experience": profile.years_experience,
    }


def _skills_initial(profile: ProviderProfile | None) -> dict[str, int]:
    if profile is None:
        return {}
    # The profile comes from an accounts selector that prefetches its skill levels.
    return {f"skill_{level.skill_id}": level.level for level in profile.skill_levels.all()}


def _edit(
    request: HttpRequest,
    *,
    profile: ProviderProfile | None,
    organization: Organization | None,
) -> HttpResponse:
    groups = skills_grouped()
    all_skills = [skill for _category, skills in groups for skill in skills]
    if request.method == "POST":
        form = ProviderProfileForm(request.POST)
        skills_form = SkillsForm(request.POST, skills=all_skills)
        if form.is_valid() and skills_form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    saved = account_services.provider_profile_save(
                        actor=request.user,
                        organization=organization,
                        headline=data["headline"],
                        bio=data["bio"],
                        day_rate=data["day_rate_fen"],
                        currency=data["currency"],
                        region=data["region"],
                        availability=data["availability"],
                        years_experience=data["years_experience"],
                    )
                    account_services.provider_skills_set(
                        actor=request.user, profile=saved, skills=skills_form.selected_levels()
                    )
            except DomainError as exc:
                skill_errors = exc.fields.pop("skills", [])
                for message in skill_errors:
                    skills_form.add_error(None, str(message))
                if exc.fields or not skill_errors:
                    form_apply_domain_error(form, exc)
            else:
                messages.success(request, _("The provider profile is saved."))
                return redirect("frontend:provider_detail", profile_id=saved.pk)
    else:
        form = ProviderProfileForm(initial=_profile_initial(profile))
        skills_form = SkillsForm(initial=_skills_initial(profile), skills=all_skills)
    picker = []
    for category, skills in groups:
        fields = [skills_form[skills_form.skill_fields[skill.pk]] for skill in skills]
        category.has_selection = any(field.value() for field in fields)  # type: ignore[attr-defined]
        picker.append((category, fields))
    return render(
        request,
        "frontend/provider/edit.html",
        {
            "form": form,
            "skills_form": skills_form,
            "picker": picker,
            "profile": profile,
            "organization": organization,
            "picture_form": PictureForm(),
        },
    )


@login_required
def provider_edit(request: HttpRequest) -> HttpResponse:
    try:
        profile: ProviderProfile | None = provider_profile_mine(user=request.user)
    except NotFound:
        profile = None
    return _edit(request, profile=profile, organization=None)


@login_required
def org_provider_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organization, _membership = managed_organization(request, slug)
    if organization.kind != Organization.Kind.MICROFIRM:
        raise Http404
    profile = provider_profile_for_organization(organization=organization)
    return _edit(request, profile=profile, organization=organization)


def provider_detail(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_or_404(provider_profile_get_public, user=request.user, profile_id=profile_id)
    can_edit = user_can_act_for_provider(user=request.user, profile=profile)
    edit_url = None
    if can_edit:
        if profile.organization_id:
            edit_url = reverse(
                "frontend:org_provider_edit",
                kwargs={"slug": profile.organization.slug},  # type: ignore[union-attr]
            )
        else:
            edit_url = reverse("frontend:provider_edit")
    levels = list(profile.skill_levels.all())
    invitable = (
        [] if can_edit else tasks_invitable_for_provider(user=request.user, provider=profile)
    )
    open_to_invite = [item for item in invitable if not item.already_invited]
    return render(
        request,
        "frontend/provider/detail.html",
        {
            "profile": profile,
            "skill_levels": levels,
            "can_edit": can_edit,
            "edit_url": edit_url,
            "entries": portfolio_entries_for_profile(profile=profile),
            "is_favourite": provider_is_favourite(user=request.user, profile=profile),
            "invitable": invitable,
            "invite_form": InviteToTaskForm(
                tasks=invitable,
                initial={"task": open_to_invite[0].task.pk if open_to_invite else None},
            ),
            "contact": settings.MODERATION_CONTACT_EMAIL,
            "is_member": profile.organization is not None
            and membership_get(user=request.user, organization=profile.organization) is not None,
        },
    )
