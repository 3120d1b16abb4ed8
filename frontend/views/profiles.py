"""Pictures (avatar, logo), favourites (stars and the Favourites page), and inviting a provider
to a task from their profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.selectors import provider_favourites_for_user, provider_profile_get_public
from frontend.forms_profiles import PictureForm
from frontend.views._helpers import get_or_404, managed_organization, signed_in_user
from marketplace.errors import DomainError
from tasks import services as task_services
from tasks.selectors import task_favourites_for_user, task_get_for_user


def _back(request: HttpRequest, default: str) -> str:
    """The page the form came from, if it is on this site."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _picture_error(request: HttpRequest, form: PictureForm, exc: DomainError | None) -> None:
    if exc is not None:
        messages.error(request, str(exc.message))
        return
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


# --- pictures ---------------------------------------------------------------------------------


@login_required
@require_POST
def my_avatar(request: HttpRequest) -> HttpResponse:
    """Upload (or with `remove`, drop) my avatar; errors come back as a message on the page."""
    user = signed_in_user(request)
    back = _back(request, reverse("frontend:profile"))
    if "remove" in request.POST:
        try:
            account_services.user_avatar_set(user=user, upload=None)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your picture is removed."))
        return redirect(back)
    form = PictureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            account_services.user_avatar_set(user=user, upload=form.cleaned_data["file"])
        except DomainError as exc:
            _picture_error(request, form, exc)
        else:
            messages.success(request, _("Your picture is saved."))
    else:
        _picture_error(request, form, None)
    return redirect(back)


@login_required
@require_POST
def org_logo(request: HttpRequest, slug: str) -> HttpResponse:
    organization, _membership = managed_organization(request, slug)
    back = _back(request, reverse("frontend:org_settings", args=[organization.slug]))
    if "remove" in request.POST:
        try:
            account_services.organization_logo_set(
                actor=request.user, organization=organization, upload=None
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The logo is removed."))
        return redirect(back)
    form = PictureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            account_services.organization_logo_set(
                actor=request.user, organization=organization, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            _picture_error(request, form, exc)
        else:
            messages.success(request, _("The logo is saved."))
    else:
        _picture_error(request, form, None)
    return redirect(back)


# --- favourites -------------------------------------------------------------------------------


@login_required
def favourites(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/me/favourites.html",
        {
            "task_favourites": list(task_favourites_for_user(user=request.user)),
            "provider_favourites": list(
                provider_favourites_for_user(user=request.user).prefetch_related(
                    "profile__skill_levels__skill"
                )
            ),
        },
    )


@login_required
@require_POST
def task_favourite(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_or_404(task_get_for_user, user=request.user, task_id=task_id)
    back = _back(request, reverse("frontend:task_detail", args=[task.pk]))
    try:
        if request.POST.get("favourite") == "0":
            task_services.task_favourite_remove(user=request.user, task=task)
            messages.success(request, _("Removed from your favourites."))
        else:
            task_services.task_favourite_add(user=request.user, task=task)
            messages.success(request, _("Added to your favourites."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(back)


@login_required
@require_POST
def provider_favourite(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_or_404(provider_profile_get_public, user=request.user, profile_id=profile_id)
    back = _back(request, reverse("frontend:provider_detail", args=[profile.pk]))
    try:
        if request.POST.get("favourite") == "0":
            account_services.provider_favourite_remove(user=request.user, profile=profile)
            messages.success(request, _("Removed from your favourites."))
        else:
            account_services.provider_favourite_add(user=request.user, profile=profile)
            messages.success(request, _("Added to your favourites."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(back)


# --- inviting from a profile ----------------------------------------------------------------


@login_required
@require_POST
def provider_invite(request: HttpRequest, profile_id: int) -> HttpResponse:
    """Invite the provider to one of my organizations' tasks, through the tasks service."""
    provider = get_or_404(provider_profile_get_public, user=request.user, profile_id=profile_id)
    back = reverse("frontend:provider_detail", args=[provider.pk]) + "#invite"
    try:
        task_id = int(request.POST.get("task", ""))
    except ValueError:
        messages.error(request, _("Choose one of your organizations' tasks."))
        return redirect(back)
    # The service decides and says why not: someone else's task, bidding closed, already invited.
    task = get_or_404(task_get_for_user, user=request.user, task_id=task_id)
    try:
        task_services.task_invite_provider(actor=request.user, task=task, provider=provider)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(name)s is invited to “%(task)s”.")
            % {"name": provider.display_name, "task": task.title},
        )
    return redirect(back)
