"""The two floors of bench/hotpaths.py, served only when settings.BENCH_FLOORS is on.

An empty Django view and an empty DRF view with the API's authentication, permission and
throttles: what a request costs before any of our code runs. Each hot path is read as a
ratio to these, measured in the same run on the same server.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def empty_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


class EmptyApi(APIView):
    """The API's default authentication classes, IsAuthenticated and throttles."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response({"ok": True})
