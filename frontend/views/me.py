"""The signed-in user's own pages: profile and language, notifications."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.adapters import set_language_cookie
from accounts.models import User
from accounts.selectors import (
    notification_email_preferences,
    notification_get_for_user,
    notifications_for_user,
    notifications_grouped,
    notifications_unread_count,
)
from frontend.forms import ProfileForm
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_profiles import PictureForm
from frontend.templatetags.ui import safe_link
from frontend.views._helpers import is_htmx, paginate, signed_in_user
from marketplace.errors import DomainError, NotFound


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["language"]
            try:
                account_services.user_profile_update(
                    user=user,
                    name=form.cleaned_data["name"],
                    language=language,
                    role=form.cleaned_data["role"] or user.role,
                )
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                translation.activate(language)
                messages.success(request, _("Your profile is saved."))
                response = redirect("frontend:profile")
                # The UI follows the saved language from the next page on.
                set_language_cookie(response, language)
                return response
    else:
        form = ProfileForm(
            initial={"name": user.name, "language": user.language, "role": user.role}
        )
    return render(
        request, "frontend/me/profile.html", {"form": form, "picture_form": PictureForm()}
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = paginate(request, notifications_for_user(user=request.user))
    return render(
        request,
        "frontend/me/notifications.html",
        {
            "page_obj": page,
            "groups": notifications_grouped(page.object_list),
            "unread_count": notifications_unread_count(user=request.user),
        },
    )


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Following a notification marks it (and the unread ones grouped with it) read, then
    goes to its page; one that leads nowhere comes back to the list."""
    try:
        notification = notification_get_for_user(user=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    target = account_services.notification_open(user=request.user, notification=notification)
    return redirect(safe_link(target) or "frontend:notifications")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification also come by email."""
    rows = notification_email_preferences(user=request.user)
    if request.method == "POST":
        chosen = request.POST.getlist("email")
        try:
            account_services.notification_email_preferences_set(
                user=request.user, emailed_kinds=chosen
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your email choices are saved."))
            return redirect("frontend:notification_preferences")
    return render(request, "frontend/me/notification_preferences.html", {"rows": rows})


@login_required
@require_POST
def notifications_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = account_services.notifications_mark_read(user=request.user)
    if is_htmx(request):
        page = paginate(request, notifications_for_user(user=request.user))
        return render(
            request,
            "frontend/me/_notification_list.html",
            {
                "page_obj": page,
                "groups": notifications_grouped(page.object_list),
                "unread_count": 0,
                "oob_bell": True,
            },
        )
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("frontend:notifications")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's set_language (cookie, redirect to `next`), and
    for a signed-in user the choice is also saved to the account, so the next sign-in keeps it."""
    language = request.POST.get("language", "")
    user = request.user
    if (
        isinstance(user, User)
        and language in dict(settings.LANGUAGES)
        and language != user.language
    ):
        # If the account cannot take it (e.g. it is suspended) the switch still applies here.
        with contextlib.suppress(DomainError):
            account_services.user_profile_update(user=user, name=user.name, language=language)
    return i18n.set_language(request)
