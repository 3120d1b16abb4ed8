"""Pages answer errors with the designed pages, never Django's bare ones."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve

from frontend.views.errors import method_not_allowed

# Paths that answer in their own format (JSON bodies, allauth's headless API, Stripe's webhook)
# or belong to the back office.
NOT_PAGES = ("/api/", "/_allauth/", "/admin/", "/payments/stripe/", "/i18n/")


def page_for(path: str) -> str:
    """The nearest page above `path`: `/tasks/5/bids/3/withdraw/` → `/tasks/5/bids/3/`.

    A GET of an action's URL (a reload after a failed upload, a bookmarked form target) lands
    on the page the action belongs to; if that one only accepts POST too, the next GET climbs
    one more level, so the chain always ends, at the latest on the home page."""
    parts = [part for part in path.split("/") if part]
    while parts:
        parts.pop()
        candidate = "/" + "/".join(parts) + ("/" if parts else "")
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


class PageErrorMiddleware:
    """A 405 on a page: a GET or HEAD goes to its page, any other method gets the designed
    405 page (with the Allow header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(NOT_PAGES) or request.path.startswith(settings.STATIC_URL):
            return response
        if response.status_code == 405 and not response.content:
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(page_for(request.path))
            return method_not_allowed(request, response.get("Allow", ""))
        return response
