"""Payments in the API: funding a contract's escrow."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import contract_get_for_user
from marketplace.api import FenField, validated, with_errors
from marketplace.money import Money
from payments.models import VoucherSpend
from payments.services import SCOPES, Funding, escrow_fund_start


class EscrowFundInputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=SCOPES, default="all", help_text="Fund every unfunded milestone, or the next one."
    )
    voucher_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="One of your organization's innovation vouchers to pay part of the funding "
        "(GET /api/v1/organizations/{id}/vouchers/).",
    )
    voucher_amount = FenField(
        required=False,
        allow_null=True,
        help_text="How much the voucher pays, in fen; by default the most it may: "
        "min(what is left on it, its programme's share of the amount funded).",
    )


class VoucherPartOutputSerializer(serializers.Serializer):
    voucher_id = serializers.IntegerField()
    code = serializers.CharField(source="voucher.code")
    amount = serializers.IntegerField(help_text="What the voucher pays, in fen.")
    status = serializers.ChoiceField(
        choices=VoucherSpend.Status.choices,
        help_text="reserved while the card payment is pending, posted once it succeeded.",
    )


class FundingOutputSerializer(serializers.Serializer):
    """The payment's fields (empty when a voucher pays everything) and the voucher part."""

    id = serializers.IntegerField(
        source="payment.id", allow_null=True, help_text="The payment; null without a card part."
    )
    gateway = serializers.SerializerMethodField(
        help_text='"sandbox" (no real money), "stripe", or "voucher" when it pays everything.'
    )
    status = serializers.SerializerMethodField(
        help_text="pending until the money arrives, then succeeded."
    )
    amount = serializers.SerializerMethodField(help_text="Paid by card, in minor units (fen).")
    currency = serializers.CharField(source="total.currency")
    client_secret = serializers.SerializerMethodField(
        help_text="For Stripe.js to confirm the payment; empty in the sandbox."
    )
    total = serializers.IntegerField(source="total.amount", help_text="Funded in all, in fen.")
    voucher = VoucherPartOutputSerializer(
        source="voucher_spend", allow_null=True, help_text="The voucher part, if any."
    )
    publishable_key = serializers.SerializerMethodField()

    def get_publishable_key(self, funding: Funding) -> str:
        return str(settings.STRIPE_PUBLISHABLE_KEY or "")

    def get_gateway(self, funding: Funding) -> str:
        return funding.payment.gateway if funding.payment else "voucher"

    def get_status(self, funding: Funding) -> str:
        return "succeeded" if funding.succeeded else "pending"

    def get_amount(self, funding: Funding) -> int:
        return int(funding.card_part.amount)

    def get_client_secret(self, funding: Funding) -> str:
        return funding.payment.client_secret if funding.payment else ""


class EscrowFundApi(APIView):
    @extend_schema(
        tags=["payments"],
        request=EscrowFundInputSerializer,
        responses=with_errors({201: FundingOutputSerializer}, 400, 403, 404, 409),
        description=(
            "The poster's owners and admins pay the escrow of all unfunded milestones or the "
            "next one, optionally with one of the organization's innovation vouchers paying "
            "part (up to its programme's share). In the sandbox the escrow is funded at once "
            "(no real money); with Stripe the payment is pending until Stripe confirms it, and "
            "the voucher part is reserved until then."
        ),
    )
    def post(self, request: Request, contract_id: int) -> Response:
        contract = contract_get_for_user(user=request.user, contract_id=contract_id)
        data = validated(EscrowFundInputSerializer, request.data)
        amount = data.get("voucher_amount")
        funding = escrow_fund_start(
            actor=request.user,
            contract=contract,
            scope=data["scope"],
            voucher_id=data.get("voucher_id"),
            voucher_amount=Money(amount, contract.currency) if amount is not None else None,
        )
        return Response(FundingOutputSerializer(funding).data, status=status.HTTP_201_CREATED)
