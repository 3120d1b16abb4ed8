"""allauth hooks: what a new user gets and how account emails are sent."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.services.signin import (
    TooManySignInAttempts,
    credentials_email,
    signin_check,
    signin_failed,
)

# Set on the request when the sign-in limit refused it; SignInLimitMiddleware turns the page
# into a 429 with Retry-After, as the API answers.
RETRY_AFTER_ATTRIBUTE = "signin_retry_after"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True))

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "").strip()
        role = form.cleaned_data.get("role") or ""
        if role in user.Role.values:
            user.role = role
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.language = language
        if commit:
            user.save()
        return user

    # The sign-in limit: the project's own (accounts.services.signin), shared with the API
    # token endpoint and counted in the database, instead of allauth's cache-kept
    # `login_failed` limit, which only the web form consulted.
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            signin_check(request=request, email=credentials_email(credentials))
        except TooManySignInAttempts as locked:
            setattr(request, RETRY_AFTER_ATTRIBUTE, locked.retry_after)
            raise self.validation_error("too_many_login_attempts") from locked

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        signin_failed(request=request, email=credentials_email(credentials))

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        """After signing in, the UI speaks the language the user saved (LocaleMiddleware reads
        the cookie from the next request on)."""
        response = super().post_login(request, user, **kwargs)
        if user.language in dict(settings.LANGUAGES):
            set_language_cookie(response, user.language)
        return response


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember `language` for the browser the way Django's set_language view does."""
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
