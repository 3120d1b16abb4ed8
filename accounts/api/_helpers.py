"""Small pieces shared by the accounts API views."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import Pagination


def paginated_response(
    *,
    serializer_class: type[serializers.Serializer],
    queryset: QuerySet[Any] | list[Any],
    request: Request,
    view: APIView,
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of `queryset` in the project's pagination envelope (count, next, previous)."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    assert page is not None  # a page size is always configured
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validate request input; bad input raises a 400 with field errors before any write."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
