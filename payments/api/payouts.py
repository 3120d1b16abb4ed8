"""Payouts and funding attempts in the API: a provider's payout account, its onboarding link,
the sandbox's activation, and the state of a contract's escrow payment."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import contract_capabilities, contract_get_for_user
from marketplace.api import validated, with_errors
from payments.selectors import (
    FundingSources,
    VoucherPart,
    contract_funding_sources,
    contract_funding_state,
    payout_statuses,
)
from payments.services.connect import (
    HOLDER_NAME_MAX,
    payout_account_link,
    payout_account_sandbox_activate,
    payout_provider_get_for_user,
)


class PendingPayoutSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract_id")
    milestone = serializers.IntegerField(source="milestone.position")
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()


class PayoutAccountSerializer(serializers.Serializer):
    provider = serializers.IntegerField(source="provider.pk")
    state = serializers.ChoiceField(
        choices=["none", "incomplete", "restricted", "active"],
        help_text="active: releases are transferred; otherwise they wait as pending payouts.",
    )
    account_id = serializers.SerializerMethodField()
    transfers_active = serializers.SerializerMethodField()
    requirements_due = serializers.ListField(
        source="missing",
        child=serializers.CharField(),
        help_text="Stripe's requirements.currently_due.",
    )
    disabled_reason = serializers.SerializerMethodField()
    pending_total = serializers.IntegerField(source="pending_total.amount")
    pending = PendingPayoutSerializer(many=True)

    def get_account_id(self, obj: Any) -> str:
        return str(obj.account.external_id) if obj.account else ""

    def get_transfers_active(self, obj: Any) -> bool:
        return bool(obj.account and obj.account.transfers_active)

    def get_disabled_reason(self, obj: Any) -> str:
        return str(obj.account.disabled_reason) if obj.account else ""


class PayoutLinkInputSerializer(serializers.Serializer):
    return_url = serializers.URLField(
        required=False, help_text="Where Stripe sends the provider back; the payouts page if empty."
    )
    refresh_url = serializers.URLField(
        required=False, help_text="Where Stripe sends the provider when the link expired."
    )


class PayoutLinkSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Stripe's onboarding link, or the sandbox form's path.")


class SandboxActivateInputSerializer(serializers.Serializer):
    holder_name = serializers.CharField(max_length=HOLDER_NAME_MAX)


def _status(request: Request, provider_id: int) -> Any:
    provider = payout_provider_get_for_user(user=request.user, provider_id=provider_id)
    return provider, payout_statuses(profile_ids=[provider.pk])[0]


class PayoutAccountApi(APIView):
    @extend_schema(
        tags=["payments"],
        responses=with_errors({200: PayoutAccountSerializer}, 403, 404),
        description="The provider's payout account: state, what Stripe still needs, and the "
        "payouts waiting for it. Only the provider's own operators see it (404 otherwise).",
    )
    def get(self, request: Request, provider_id: int) -> Response:
        _provider, status = _status(request, provider_id)
        return Response(PayoutAccountSerializer(status).data)


class PayoutLinkApi(APIView):
    @extend_schema(
        tags=["payments"],
        request=PayoutLinkInputSerializer,
        responses=with_errors({201: PayoutLinkSerializer}, 400, 403, 404, 409),
        description="Open the payout account if needed (a Connect Express account) and return "
        "the onboarding link to send the provider to. 409 when it is active with nothing due.",
    )
    def post(self, request: Request, provider_id: int) -> Response:
        provider = payout_provider_get_for_user(user=request.user, provider_id=provider_id)
        data = validated(PayoutLinkInputSerializer, request.data)
        payouts = request.build_absolute_uri(reverse("frontend:payouts"))
        url = payout_account_link(
            actor=request.user,
            provider=provider,
            refresh_url=data.get("refresh_url")
            or request.build_absolute_uri(reverse("frontend:payouts_refresh", args=[provider.pk])),
            return_url=data.get("return_url") or f"{payouts}?returned=1",
        )
        return Response({"url": url}, status=201)


class PayoutSandboxActivateApi(APIView):
    @extend_schema(
        tags=["payments"],
        request=SandboxActivateInputSerializer,
        responses=with_errors({200: PayoutAccountSerializer}, 400, 403, 404, 409),
        description="Sandbox only (no real money): activate the provider's sandbox payout "
        "account, as Stripe's onboarding would; pending payouts are then paid.",
    )
    def post(self, request: Request, provider_id: int) -> Response:
        provider = payout_provider_get_for_user(user=request.user, provider_id=provider_id)
        data = validated(SandboxActivateInputSerializer, request.data)
        payout_account_sandbox_activate(
            actor=request.user, provider=provider, holder_name=data["holder_name"]
        )
        return Response(PayoutAccountSerializer(payout_statuses(profile_ids=[provider.pk])[0]).data)


class VoucherPartSerializer(serializers.Serializer):
    programme = serializers.IntegerField(source="programme_id", help_text="The voucher programme.")
    programme_name = serializers.CharField()
    issuer_name = serializers.CharField(help_text="The government unit issuing the programme.")
    voucher_code = serializers.CharField()
    amount = serializers.SerializerMethodField(help_text="In minor units (fen).")
    status = serializers.ChoiceField(
        choices=["posted", "reserved"],
        help_text="posted: paid into escrow; reserved: waits for the card part's payment.",
    )

    def get_amount(self, part: VoucherPart) -> int:
        return int(part.amount.amount)


class FundingSourcesSerializer(serializers.Serializer):
    currency = serializers.SerializerMethodField()
    card = serializers.SerializerMethodField(help_text="Succeeded card payments, in fen.")
    vouchers = VoucherPartSerializer(many=True, help_text="Each voucher's part, by programme.")
    voucher_total = serializers.SerializerMethodField(help_text="Posted voucher parts, in fen.")
    total = serializers.SerializerMethodField(help_text="Card plus posted voucher parts, in fen.")

    def get_currency(self, sources: FundingSources) -> str:
        return sources.card.currency

    def get_card(self, sources: FundingSources) -> int:
        return int(sources.card.amount)

    def get_voucher_total(self, sources: FundingSources) -> int:
        return int(sources.voucher_total.amount)

    def get_total(self, sources: FundingSources) -> int:
        return int(sources.total.amount)


class FundingStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["none", "processing", "succeeded", "failed"],
        help_text="The latest escrow payment: processing until Stripe's webhook confirms it.",
    )
    payment = serializers.IntegerField(allow_null=True)
    amount = serializers.IntegerField(allow_null=True, help_text="In minor units (fen).")
    currency = serializers.CharField(allow_blank=True)
    failure_message = serializers.CharField(allow_blank=True)
    client_secret = serializers.CharField(
        allow_blank=True, help_text="For Stripe.js, while the payment waits; deciders only."
    )
    sources = FundingSourcesSerializer(
        help_text="Where the escrow money came from: card payments and voucher programmes."
    )


class FundingStateApi(APIView):
    @extend_schema(
        tags=["payments"],
        responses=with_errors({200: FundingStateSerializer}, 403, 404),
        description="The state of the contract's latest escrow payment and where the escrow "
        "money came from (card, voucher programmes), for both sides; the client secret only "
        "for the poster's owners and admins.",
    )
    def get(self, request: Request, contract_id: int) -> Response:
        contract = contract_get_for_user(user=request.user, contract_id=contract_id)
        latest = contract_funding_state(contract_id=contract.pk).latest
        decides = contract_capabilities(user=request.user, contract=contract).decides
        if latest is None:
            body: dict[str, Any] = {
                "state": "none",
                "payment": None,
                "amount": None,
                "currency": "",
                "failure_message": "",
                "client_secret": "",
            }
        else:
            state = {"pending": "processing"}.get(latest.status, latest.status)
            body = {
                "state": state,
                "payment": latest.pk,
                "amount": latest.amount,
                "currency": latest.currency,
                "failure_message": latest.failure_message if decides else "",
                "client_secret": latest.client_secret
                if decides and latest.status == "pending"
                else "",
            }
        body["sources"] = contract_funding_sources(
            contract_id=contract.pk, currency=contract.currency
        )
        return Response(FundingStateSerializer(body).data)
