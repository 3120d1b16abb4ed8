"""The signed-in user's own pages: profile and language, notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.selectors import notifications_for_user, notifications_unread_count
from frontend.forms import ProfileForm
from frontend.views._helpers import is_htmx, paginate


def _profile_save(*, user: object, name: str, language: str) -> None:
    """Save the user's own display name and language.

    accounts.services has no service for this yet; this is the one place the web app writes
    the user row, to be replaced by accounts.services.user_profile_update when it exists.
    """
    with transaction.atomic():
        user.name = name  # type: ignore[attr-defined]
        user.language = language  # type: ignore[attr-defined]
        user.save(update_fields=["name", "language"])  # type: ignore[attr-defined]


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["language"]
            _profile_save(user=user, name=form.cleaned_data["name"].strip(), language=language)
            translation.activate(language)
            messages.success(request, _("Your profile is saved."))
            response = redirect("frontend:profile")
            # The UI follows the saved language from the next page on (LocaleMiddleware reads it).
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
    else:
        form = ProfileForm(initial={"name": user.name, "language": user.language})
    return render(request, "frontend/me/profile.html", {"form": form})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = paginate(request, notifications_for_user(user=request.user))
    return render(
        request,
        "frontend/me/notifications.html",
        {"page_obj": page, "unread_count": notifications_unread_count(user=request.user)},
    )


@login_required
@require_POST
def notifications_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = account_services.notifications_mark_read(user=request.user)
    if is_htmx(request):
        page = paginate(request, notifications_for_user(user=request.user))
        return render(
            request,
            "frontend/me/_notification_list.html",
            {"page_obj": page, "unread_count": 0, "oob_bell": True},
        )
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("frontend:notifications")
