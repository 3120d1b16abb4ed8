"""Shared pieces of the REST API: one error body, one pagination."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.errors import DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _field_errors(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                flat: list[str] = []
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, msgs in _field_errors(item).items():
                            out[f"{key}.{index}.{sub}"] = msgs
                    else:
                        flat.append(str(item))
                if flat:
                    out[key] = flat
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def error_response(
    status_code: int, code: str, message: str, fields: dict | None = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return Response({"error": body}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error leaves as {"error": {"code", "message", "fields"?}}."""
    if isinstance(exc, DomainError):
        body = exc.as_dict()
        refused = error_response(exc.status_code, body["code"], body["message"], body.get("fields"))
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            refused["Retry-After"] = str(retry_after)
        return refused
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        response.data = {
            "error": {
                "code": "invalid",
                "message": _("Some fields are not valid."),
                "fields": fields,
            }
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = {"error": {"code": code, "message": str(detail)}}
    return response


# --- input, pages and the error schema, shared by every app's API ----------------------------


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
    *, view: APIView, request: Request, queryset: QuerySet[Any] | list[Any]
) -> tuple[Pagination, list[Any]]:
    """One page of `queryset`; render it with `paginated(paginator, data)`."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    assert page is not None  # a page size is always configured
    return paginator, list(page)


def paginated(paginator: Pagination, data: Any) -> Response:
    """The project's pagination envelope: count, next, previous, results."""
    return paginator.get_paginated_response(data)


def paginated_response(
    *,
    serializer_class: type[serializers.Serializer],
    queryset: QuerySet[Any] | list[Any],
    request: Request,
    view: APIView,
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of `queryset`, serialized, in the pagination envelope."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    assert page is not None  # a page size is always configured
    return paginated(paginator, serializer_class(page, many=True, context=context or {}).data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: 100.5, 100.0, "100" and true are refused, so an amount
    is never rounded or guessed."""

    default_error_messages = {"not_integer": gettext_lazy("Send a whole number (a JSON integer).")}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer")
        return super().to_internal_value(data)


class FenField(StrictIntegerField):
    """An amount of money in minor units (fen for CNY), as a JSON integer."""

    default_error_messages = {
        "not_integer": gettext_lazy(
            "Send the amount in fen as a whole number, e.g. 1250000 for ¥12,500."
        )
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


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """File downloads answer with the file whatever the Accept header asks for (errors are JSON)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)
