"""The designed error pages (404, 403, 405, 500): `handler404` and friends in marketplace.urls.

Django uses these with DEBUG off (the demo, `make run`, runs so: README); a view's 405 has an
empty body, which `frontend.middleware.PageErrorMiddleware` replaces.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = render(request, "405.html", status=405)
    if allowed:
        response["Allow"] = allowed
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The designed page with the site's layout; if that cannot render (the error may be in
    what the layout needs: the database, a context processor), a plain page that needs
    nothing."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the designed 500 page could not render")
        return HttpResponseServerError(loader.get_template("500_plain.html").render())
