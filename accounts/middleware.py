"""A sign-in page the limit refused answers 429 with Retry-After, as the API does."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.adapters import RETRY_AFTER_ATTRIBUTE


class SignInLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        retry_after = getattr(request, RETRY_AFTER_ATTRIBUTE, None)
        # The web form re-renders with its error (200); allauth's headless API answers 400:
        # either way, a sign-in the limit refused is a 429, as the API token endpoint answers.
        if retry_after:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response
