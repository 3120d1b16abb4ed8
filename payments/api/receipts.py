"""Receipts in the API: a list, one receipt, and the same list as CSV."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import (
    AnyAcceptNegotiation,
    Pagination,
    paginated_response,
    validated,
    with_errors,
)
from payments.models import Receipt
from payments.receipts import receipt_get_for_user, receipts_csv, receipts_visible_to

TAG = ["payments"]


class ReceiptFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Receipt.Kind.choices, required=False)
    organization = serializers.IntegerField(
        min_value=1, required=False, help_text="Only receipts addressed to this organization."
    )
    issued_from = serializers.DateField(required=False, help_text="Issued on or after (date).")
    issued_to = serializers.DateField(required=False, help_text="Issued on or before (date).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("issued_from"), attrs.get("issued_to")
        if start and end and start > end:
            raise serializers.ValidationError({"issued_to": "Must not be before issued_from."})
        return attrs


FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Receipt.Kind.values),
    OpenApiParameter("organization", OpenApiTypes.INT, description="An organization's id."),
    OpenApiParameter("issued_from", OpenApiTypes.DATE),
    OpenApiParameter("issued_to", OpenApiTypes.DATE),
]


def _filtered(request: Request) -> QuerySet[Receipt]:
    """The caller's receipts (receipts_visible_to), narrowed by the query; bad input is a 400."""
    data = validated(ReceiptFilterSerializer, request.query_params.dict())
    receipts = receipts_visible_to(user=request.user)
    if "kind" in data:
        receipts = receipts.filter(kind=data["kind"])
    if "organization" in data:
        receipts = receipts.filter(organization_id=data["organization"])
    if "issued_from" in data:
        receipts = receipts.filter(issue_date__gte=data["issued_from"])
    if "issued_to" in data:
        receipts = receipts.filter(issue_date__lte=data["issued_to"])
    return receipts


class ReceiptOutputSerializer(serializers.ModelSerializer):
    contract = serializers.IntegerField(source="contract_id")
    task_title = serializers.CharField(source="contract.task.title")
    milestone_position = serializers.SerializerMethodField()
    organization = serializers.IntegerField(source="organization_id", allow_null=True)
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    amount = serializers.IntegerField(help_text="Including tax (价税合计), in fen.")
    tax_amount = serializers.IntegerField(help_text="The tax inside the amount, in fen.")
    amount_excluding_tax = serializers.SerializerMethodField(help_text="In fen.")
    tax_rate = serializers.CharField(source="tax_rate_percent", help_text='E.g. "6%".')

    class Meta:
        model = Receipt
        fields = [
            "id",
            "number",
            "kind",
            "issue_date",
            "contract",
            "task_title",
            "milestone_position",
            "organization",
            "provider",
            "buyer_type",
            "buyer_name",
            "buyer_taxpayer_id",
            "seller_name",
            "seller_taxpayer_id",
            "item_name",
            "currency",
            "amount",
            "tax_rate_bps",
            "tax_rate",
            "tax_amount",
            "amount_excluding_tax",
            "einvoice_status",
            "einvoice_number",
        ]

    def get_milestone_position(self, obj: Receipt) -> int | None:
        return obj.milestone.position if obj.milestone else None

    def get_amount_excluding_tax(self, obj: Receipt) -> int:
        return obj.net.amount


class ReceiptListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        parameters=FILTERS,
        responses=with_errors({200: ReceiptOutputSerializer(many=True)}, 400, 403),
        description=(
            "Receipts addressed to you: your organizations' escrow fundings (owners and admins) "
            "and, for the provider profiles you act for, payouts and platform service fees. "
            "Each has the fields of a VAT e-invoice; amounts are integers in fen."
        ),
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            serializer_class=ReceiptOutputSerializer,
            queryset=_filtered(request),
            request=request,
            view=self,
        )


class ReceiptDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ReceiptOutputSerializer}, 403, 404),
        description="One of your receipts; another's answers 404.",
    )
    def get(self, request: Request, receipt_id: int) -> Response:
        receipt = receipt_get_for_user(user=request.user, receipt_id=receipt_id)
        return Response(ReceiptOutputSerializer(receipt).data)


class ReceiptCsvApi(APIView):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        tags=TAG,
        parameters=FILTERS,
        responses=with_errors(
            {
                (200, "text/csv"): OpenApiResponse(
                    OpenApiTypes.STR,
                    description="UTF-8 with a byte-order mark; the header row in the request's "
                    "language; amounts in yuan with two decimals.",
                )
            },
            400,
            403,
        ),
        description="The same receipts as the list (same filters, no pages), as CSV.",
    )
    def get(self, request: Request) -> HttpResponse:
        body = receipts_csv(_filtered(request))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = f"receipts-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
