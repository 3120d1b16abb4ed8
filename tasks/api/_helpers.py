"""Small pieces shared by the tasks and bids APIs: input parsing, pages, errors, downloads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import Pagination


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validate request input; bad input raises a 400 with field errors before any write."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def form_data(request: Request) -> dict[str, Any]:
    """A multipart or JSON body as a plain dict (one value per key). From a QueryDict DRF
    reads a missing boolean as False, which would override a field's default."""
    data = request.data
    if isinstance(data, QueryDict):
        return data.dict()
    return dict(data)


def paginate(
    *, view: APIView, request: Request, queryset: QuerySet[Any]
) -> tuple[Pagination, list[Any]]:
    """One page of `queryset`; render it with `paginated(paginator, data)`."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    assert page is not None  # a page size is always configured
    return paginator, list(page)


def paginated(paginator: Pagination, data: Any) -> Response:
    """The project's pagination envelope: count, next, previous, results."""
    return paginator.get_paginated_response(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: 100.5, 100.0, "100" and true are refused, so an amount
    is never rounded or guessed."""

    default_error_messages = {"not_integer": _("Send a whole number (a JSON integer).")}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer")
        return super().to_internal_value(data)


class FenField(StrictIntegerField):
    """An amount of money in minor units (fen for CNY), as a JSON integer."""

    default_error_messages = {
        "not_integer": _("Send the amount in fen as a whole number, e.g. 1250000 for ¥12,500.")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Amount in minor units (fen), an integer.")
        super().__init__(**kwargs)


# --- errors, for the schema: the body marketplace.api.exception_handler writes --------------------


class ApiErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. not_found, invalid_state.")
    message = serializers.CharField(help_text="Safe to show to the user.")
    # A declared field named like Serializer.fields: DRF's metaclass takes it out of the class.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages, for validation errors only.",
    )


class ApiErrorSerializer(serializers.Serializer):
    error = ApiErrorDetailSerializer()


def with_errors(responses: dict[Any, Any], *codes: int) -> dict[Any, Any]:
    """`responses` plus the error body for each status in `codes`."""
    return {**responses, **dict.fromkeys(codes, ApiErrorSerializer)}


# --- downloads ------------------------------------------------------------------------------------


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """File downloads answer with the file whatever the Accept header asks for (errors are JSON)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


def file_download(*, stored: FieldFile, name: str, content_type: str) -> FileResponse:
    """The stored file as an attachment under its original name, with the type its content was
    detected as; the browser must neither sniff nor render it."""
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
