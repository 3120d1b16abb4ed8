"""The piece-work API: posting, funding, claims, deliveries, decisions, closing. Thin: each
view parses, calls one service or selector, and renders."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import organization_get_for_user
from marketplace.api import (
    FenField,
    Pagination,
    StrictIntegerField,
    paginated_response,
    validated,
    with_errors,
)
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY
from piecework import selectors, services
from piecework.api.serializers import (
    ClaimOutputSerializer,
    PieceworkOutputSerializer,
    UnitDeliveryOutputSerializer,
)
from piecework.models import MAX_REVIEW_DAYS, Terms
from tasks.models import Task

TAG = ["piecework"]


def piecework_data(*, user: Any, terms: Terms) -> Any:
    terms = Terms.objects.select_related("task", "task__organization").get(pk=terms.pk)
    context = {
        "capabilities": selectors.piecework_capabilities(user=user, terms=terms),
        "counts": selectors.unit_counts(terms=terms),
    }
    return PieceworkOutputSerializer(terms, context=context).data


def _terms(request: Request, task_id: int) -> Terms:
    return selectors.piecework_get_for_user(user=request.user, task_id=task_id)


class PieceworkCreateInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="The enterprise or government unit.")
    kind = serializers.ChoiceField(choices=Task.Kind.choices)
    title = serializers.CharField(max_length=120)
    summary = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=20000)
    skills = serializers.ListField(child=StrictIntegerField(), max_length=50, min_length=1)
    unit_name = serializers.CharField(max_length=80, help_text='For example "一套标注图像".')
    unit_description = serializers.CharField(max_length=4000)
    unit_price = FenField(help_text="What one accepted unit pays, in fen (more than 0).")
    units_total = StrictIntegerField(min_value=1, max_value=10_000)
    per_provider_cap = StrictIntegerField(
        min_value=1, help_text="Units one provider may hold at most (≤ units_total)."
    )
    review_days = StrictIntegerField(
        default=3,
        min_value=1,
        max_value=MAX_REVIEW_DAYS,
        help_text="Days to review a delivered unit; silence accepts it.",
    )
    closes_at = serializers.DateTimeField(help_text="Claims and deliveries close.")
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    region = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(
        choices=Task.Visibility.choices, default=Task.Visibility.PUBLIC
    )
    ip_terms = serializers.ChoiceField(choices=Task.IpTerms.choices, default=Task.IpTerms.TRANSFER)
    ip_terms_custom = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    nda_required = serializers.BooleanField(default=False)


class PieceworkCollectionApi(APIView):
    @extend_schema(
        tags=TAG,
        request=PieceworkCreateInputSerializer,
        responses=with_errors({201: PieceworkOutputSerializer}, 400, 403, 404),
        description="Write a draft piece-work task (mode piecework): a unit, its price, the "
        "number of units, a per-provider cap within it, a review window and a deadline. The "
        "escrow you fund is units × price.",
    )
    def post(self, request: Request) -> Response:
        data = validated(PieceworkCreateInputSerializer, request.data)
        organization = organization_get_for_user(
            user=request.user, organization_id=data.pop("organization")
        )
        terms = services.piecework_create(
            actor=request.user,
            organization=organization,
            skills=dict.fromkeys(data.pop("skills"), 3),
            **data,
        )
        return Response(piecework_data(user=request.user, terms=terms), status=201)


class PieceworkDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: PieceworkOutputSerializer}, 404),
        description="The piece-work terms of a task: unit, price, units left, cap, review "
        "window, and what you may do.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        return Response(piecework_data(user=request.user, terms=_terms(request, task_id)))


class PieceworkSubmitApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: PieceworkOutputSerializer}, 400, 403, 404, 409),
        description="The poster finishes the draft: it waits for the escrow funding.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        terms = services.piecework_submit(actor=request.user, terms=_terms(request, task_id))
        return Response(piecework_data(user=request.user, terms=terms))


class PieceworkFundingOutputSerializer(serializers.Serializer):
    payment_id = serializers.IntegerField()
    status = serializers.CharField()
    amount = serializers.IntegerField()
    client_secret = serializers.CharField(allow_blank=True)
    piecework = PieceworkOutputSerializer()


class PieceworkFundApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: PieceworkFundingOutputSerializer}, 403, 404, 409),
        description="Pay units × price into the task's pool. The sandbox pays at once and "
        "the task opens; with Stripe, confirm the PaymentIntent with client_secret.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        terms = _terms(request, task_id)
        payment = services.piecework_fund_start(actor=request.user, terms=terms)
        terms.refresh_from_db()
        return Response(
            {
                "payment_id": payment.pk,
                "status": payment.status,
                "amount": payment.amount,
                "client_secret": getattr(payment, "client_secret", "") or "",
                "piecework": piecework_data(user=request.user, terms=terms),
            }
        )


class UnitClaimInputSerializer(serializers.Serializer):
    units = StrictIntegerField(min_value=1, help_text="How many more units to take.")


class PieceworkClaimsApi(APIView):
    @extend_schema(
        tags=TAG,
        request=UnitClaimInputSerializer,
        responses=with_errors({201: ClaimOutputSerializer}, 400, 403, 404, 409),
        description="Claim units for your provider profile (the bid eligibility rules apply): "
        "never more than the units left or the per-provider cap (409, nothing claimed).",
    )
    def post(self, request: Request, task_id: int) -> Response:
        terms = _terms(request, task_id)
        data = validated(UnitClaimInputSerializer, request.data)
        claim = services.piecework_claim(actor=request.user, terms=terms, units=data["units"])
        return Response(ClaimOutputSerializer(claim).data, status=status.HTTP_201_CREATED)


class UnitDeliveryCreateInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=8000)
    files = serializers.ListField(child=serializers.FileField(), max_length=10, min_length=1)


class PieceworkDeliveriesApi(APIView):
    pagination_class = Pagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: UnitDeliveryOutputSerializer(many=True)}, 404),
        description="The task's deliveries you may read: all of them (the review queue, "
        "waiting first) for the poster's side, your own otherwise.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        deliveries = selectors.deliveries_for_user(
            user=request.user, terms=_terms(request, task_id)
        )
        return paginated_response(
            serializer_class=UnitDeliveryOutputSerializer,
            queryset=deliveries,
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": UnitDeliveryCreateInputSerializer},
        responses=with_errors({201: UnitDeliveryOutputSerializer}, 400, 403, 404, 409),
        description="Deliver one unit you claimed, before the deadline. Files are checked by "
        "content, and each one's SHA-256 and time received are recorded.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        terms = _terms(request, task_id)
        data = validated(UnitDeliveryCreateInputSerializer, request.data)
        delivery = services.piecework_deliver(actor=request.user, terms=terms, **data)
        return Response(UnitDeliveryOutputSerializer(delivery).data, status=status.HTTP_201_CREATED)


class MyDeliveriesApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: UnitDeliveryOutputSerializer(many=True)}, 401),
        description="Every unit your provider profiles delivered, newest first, with its "
        "decision and the contract that paid it.",
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            serializer_class=UnitDeliveryOutputSerializer,
            queryset=selectors.deliveries_of_provider(user=request.user),
            request=request,
            view=self,
        )


class UnitAcceptApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: UnitDeliveryOutputSerializer}, 403, 404, 409),
        description="The poster accepts a delivered unit: it is paid at once from the pool.",
    )
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = selectors.delivery_get_for_user(user=request.user, delivery_id=delivery_id)
        delivery = services.unit_accept(actor=request.user, delivery=delivery)
        return Response(UnitDeliveryOutputSerializer(delivery).data)


class UnitRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="The provider reads it.")


class UnitRejectApi(APIView):
    @extend_schema(
        tags=TAG,
        request=UnitRejectInputSerializer,
        responses=with_errors({200: UnitDeliveryOutputSerializer}, 400, 403, 404, 409),
        description="The poster rejects a delivered unit with a reason; the unit is "
        "claimable again and its money stays in the pool.",
    )
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = selectors.delivery_get_for_user(user=request.user, delivery_id=delivery_id)
        data = validated(UnitRejectInputSerializer, request.data)
        delivery = services.unit_reject(actor=request.user, delivery=delivery, **data)
        return Response(UnitDeliveryOutputSerializer(delivery).data)


class PieceworkCloseApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: PieceworkOutputSerializer}, 403, 404, 409),
        description="The poster closes the task (refused while a unit waits for review): "
        "whatever the pool still holds returns.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        terms = services.piecework_close(actor=request.user, terms=_terms(request, task_id))
        assert terms is not None
        return Response(piecework_data(user=request.user, terms=terms))
