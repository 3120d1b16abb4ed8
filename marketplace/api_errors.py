"""One error body for every response under /api/: the parts DRF's exception handler never sees.

DRF's handler (marketplace.api.exception_handler) shapes the errors its views raise. What
happens before a view runs, or outside DRF, is shaped here:
- a path or id no route matches (`/api/v1/tasks/abc/`) answers 404 with the error body, not
  Django's HTML page (the catch-all route at the end of the API's URLs);
- a body larger than the API accepts answers 413 before anything reads it;
- any other non-JSON error Django itself produced (a 400 for a suspicious multipart body, a
  500) is rewritten into the error body.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be read.")),
        401: ("not_authenticated", _("Sign in or send an API token.")),
        403: ("not_allowed", _("You may not do this.")),
        404: ("not_found", _("Nothing is here: check the path and the id.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        413: ("too_large", _("The request body is too large.")),
        415: ("unsupported_media_type", _("Send JSON or multipart form data.")),
        429: ("throttled", _("Too many requests. Try again later.")),
        500: ("server_error", _("Something went wrong on our side. Try again later.")),
    }


def api_error(status: int, code: str | None = None, message: str | None = None) -> JsonResponse:
    default_code, default_message = _messages().get(
        status, ("error", _("The request failed.")) if status < 500 else _messages()[500]
    )
    body = {"error": {"code": code or default_code, "message": message or default_message}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """The API's catch-all route: no operation lives at this path."""
    return api_error(404)


def body_limit(request: HttpRequest) -> int:
    """Multipart bodies carry uploads (each checked again by its own limit); others are JSON."""
    if request.content_type == "multipart/form-data":
        return int(settings.API_MAX_MULTIPART_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class ApiErrorBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return api_error(400, message=_("The Content-Length header is not a number."))
        if length > body_limit(request):
            return api_error(413)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_error_body(response):
            shaped = api_error(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response


def _is_error_body(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    if getattr(response, "streaming", False):
        return True
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)
