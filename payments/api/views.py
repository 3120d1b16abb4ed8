"""Payments in the API: funding a contract's escrow."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import contract_get_for_user
from marketplace.api import validated, with_errors
from payments.services import SCOPES, escrow_fund


class EscrowFundInputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=SCOPES, default="all", help_text="Fund every unfunded milestone, or the next one."
    )


class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    gateway = serializers.CharField(help_text='"sandbox" (no real money) or "stripe".')
    status = serializers.CharField(help_text="pending until the money arrives, then succeeded.")
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    client_secret = serializers.CharField(
        help_text="For Stripe.js to confirm the payment; empty in the sandbox."
    )
    publishable_key = serializers.SerializerMethodField()

    def get_publishable_key(self, obj: object) -> str:
        return str(settings.STRIPE_PUBLISHABLE_KEY or "")


class EscrowFundApi(APIView):
    @extend_schema(
        tags=["payments"],
        request=EscrowFundInputSerializer,
        responses=with_errors({201: PaymentOutputSerializer}, 400, 403, 404, 409),
        description=(
            "The poster's owners and admins pay the escrow of all unfunded milestones or the "
            "next one. In the sandbox the escrow is funded at once (no real money); with Stripe "
            "the payment is pending until Stripe confirms it."
        ),
    )
    def post(self, request: Request, contract_id: int) -> Response:
        contract = contract_get_for_user(user=request.user, contract_id=contract_id)
        data = validated(EscrowFundInputSerializer, request.data)
        payment = escrow_fund(actor=request.user, contract=contract, scope=data["scope"])
        return Response(PaymentOutputSerializer(payment).data, status=status.HTTP_201_CREATED)
