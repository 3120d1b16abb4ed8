"""Contracts after an award: terms, milestones, deliveries, decisions on them, and reviews."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bids.selectors import bid_get_for_user
from contracts import selectors, services
from contracts.api.serializers import (
    ContractDetailOutputSerializer,
    ContractListItemOutputSerializer,
    DeliveryOutputSerializer,
    MilestoneOutputSerializer,
    ReviewOutputSerializer,
)
from contracts.models import Contract, Review
from contracts.selectors import reviews_public
from marketplace.api import (
    AnyAcceptNegotiation,
    Pagination,
    StrictIntegerField,
    paginate,
    paginated,
    paginated_response,
    validated,
    with_errors,
)
from marketplace.budgets import Budget
from marketplace.files import file_download

TAG = ["contracts"]


def contract_detail_data(*, user: Any, contract: Contract) -> Any:
    """The contract with its milestones, deliveries and files, the viewer's side and what the
    viewer may do (from the capability selector)."""
    capabilities = selectors.contract_capabilities(user=user, contract=contract)
    reviewed = contract.reviews.values_list("side", flat=True)
    context = {
        "sides": {contract.pk: capabilities.side},
        "capabilities": capabilities,
        "can_review": capabilities.can_review(reviewed_sides=reviewed),
        "milestones": selectors.contract_milestones(contract=contract),
    }
    return ContractDetailOutputSerializer(contract, context=context).data


def _milestone_data(*, user: Any, contract: Contract, milestone_id: int) -> Any:
    """One milestone, its deliveries and files loaded the way the contract loads them."""
    milestone = next(
        m for m in selectors.contract_milestones(contract=contract) if m.pk == milestone_id
    )
    capabilities = selectors.contract_capabilities(user=user, contract=contract)
    return MilestoneOutputSerializer(milestone, context={"capabilities": capabilities}).data


class ContractListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ContractListItemOutputSerializer(many=True)}, 403),
        description="Contracts you are on, either side (poster's member or the provider).",
    )
    def get(self, request: Request) -> Response:
        paginator, page = paginate(
            view=self, request=request, queryset=selectors.contracts_for_user(user=request.user)
        )
        viewer = selectors.ContractViewer.of(request.user)
        sides = {c.pk: viewer.side(c) for c in page}
        data = ContractListItemOutputSerializer(page, many=True, context={"sides": sides}).data
        return paginated(paginator, data)


class ContractDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ContractDetailOutputSerializer}, 404),
        description="Terms, milestones with their status, due dates, deliveries and files "
        "(each with its SHA-256 and the time it was received), and your side.",
    )
    def get(self, request: Request, contract_id: int) -> Response:
        contract = selectors.contract_get_for_user(user=request.user, contract_id=contract_id)
        return Response(contract_detail_data(user=request.user, contract=contract))


class MilestoneDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: MilestoneOutputSerializer}, 404),
        description="One milestone with its deliveries and files, and what you may do with it.",
    )
    def get(self, request: Request, milestone_id: int) -> Response:
        milestone = selectors.milestone_get_for_user(user=request.user, milestone_id=milestone_id)
        return Response(
            _milestone_data(
                user=request.user, contract=milestone.contract, milestone_id=milestone.pk
            )
        )


class DeliveryDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: DeliveryOutputSerializer}, 404),
        description="One delivery: its note, files (with SHA-256) and the poster's decision.",
    )
    def get(self, request: Request, delivery_id: int) -> Response:
        delivery = selectors.delivery_get_for_user(user=request.user, delivery_id=delivery_id)
        return Response(DeliveryOutputSerializer(delivery).data)


class DeliveryCreateInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=8000, help_text="What you deliver.")
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=10,
        help_text="Up to 10 files; their content must match their names.",
    )


class MilestoneDeliveryCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": DeliveryCreateInputSerializer},
        responses=with_errors({201: DeliveryOutputSerializer}, 400, 403, 404, 409),
        description="The provider delivers a funded milestone (or a revision after changes "
        "were asked for). Each file's SHA-256 is recorded.",
    )
    def post(self, request: Request, milestone_id: int) -> Response:
        milestone = selectors.milestone_get_for_user(user=request.user, milestone_id=milestone_id)
        data = validated(DeliveryCreateInputSerializer, request.data)
        delivery = services.milestone_submit(
            actor=request.user, milestone=milestone, note=data["note"], files=data["files"]
        )
        return Response(DeliveryOutputSerializer(delivery).data, status=status.HTTP_201_CREATED)


class MilestoneAcceptApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: MilestoneOutputSerializer}, 403, 404, 409),
        description="The poster's owners and admins accept the delivered milestone.",
    )
    def post(self, request: Request, milestone_id: int) -> Response:
        milestone = selectors.milestone_get_for_user(user=request.user, milestone_id=milestone_id)
        services.milestone_accept(actor=request.user, milestone=milestone)
        return Response(
            _milestone_data(
                user=request.user, contract=milestone.contract, milestone_id=milestone.pk
            )
        )


class ChangesRequestInputSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=8000, help_text="What needs to change.")


class MilestoneRequestChangesApi(APIView):
    @extend_schema(
        tags=TAG,
        request=ChangesRequestInputSerializer,
        responses=with_errors({200: MilestoneOutputSerializer}, 400, 403, 404, 409),
        description="The poster's owners and admins ask for changes (a limited number of rounds).",
    )
    def post(self, request: Request, milestone_id: int) -> Response:
        milestone = selectors.milestone_get_for_user(user=request.user, milestone_id=milestone_id)
        data = validated(ChangesRequestInputSerializer, request.data)
        services.milestone_request_changes(
            actor=request.user, milestone=milestone, feedback=data["feedback"]
        )
        return Response(
            _milestone_data(
                user=request.user, contract=milestone.contract, milestone_id=milestone.pk
            )
        )


class DeliveryFileDownloadApi(APIView):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        tags=TAG,
        responses=with_errors(
            {
                (200, "*/*"): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="The delivered file, as an attachment under its original name.",
                )
            },
            403,
            404,
        ),
        description="Download a delivered file (both sides of the contract).",
    )
    def get(self, request: Request, file_id: int) -> FileResponse:
        delivered = selectors.delivery_file_get_for_user(user=request.user, file_id=file_id)
        return file_download(
            stored=delivered.file, name=delivered.original_name, content_type=delivered.content_type
        )


class ReviewCreateInputSerializer(serializers.Serializer):
    rating = StrictIntegerField(min_value=1, max_value=5, help_text="Overall, 1 to 5.")
    quality = StrictIntegerField(min_value=1, max_value=5)
    communication = StrictIntegerField(min_value=1, max_value=5)
    timeliness = StrictIntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


def _reviews_visible(*, user: Any, contract: Contract) -> list[Review]:
    """The contract's public reviews (double-blind: both written, or the blind period over)
    and the viewer's own side's review, which its authors always see."""
    reviews = {r.pk: r for r in reviews_public(contract_ids=[contract.pk])}
    side = selectors.contract_capabilities(user=user, contract=contract).side
    if side is not None:
        reviews.update({r.pk: r for r in contract.reviews.filter(side=side)})
    return sorted(reviews.values(), key=lambda r: (r.created_at, r.pk))


class ContractReviewsApi(APIView):
    """GET lists the reviews the viewer may read; POST writes their side's review."""

    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ReviewOutputSerializer(many=True)}, 404),
        description="Reviews are double-blind: the other side's shows once both are written "
        "or the blind period is over; your own side's always shows.",
    )
    def get(self, request: Request, contract_id: int) -> Response:
        contract = selectors.contract_get_for_user(user=request.user, contract_id=contract_id)
        reviews = _reviews_visible(user=request.user, contract=contract)
        return paginated_response(
            serializer_class=ReviewOutputSerializer,
            queryset=list(reviews),
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request=ReviewCreateInputSerializer,
        responses=with_errors({201: ReviewOutputSerializer}, 400, 403, 404, 409),
        description="Review the other side of a completed contract, once per side.",
    )
    def post(self, request: Request, contract_id: int) -> Response:
        contract = selectors.contract_get_for_user(user=request.user, contract_id=contract_id)
        data = validated(ReviewCreateInputSerializer, request.data)
        review = services.review_submit(actor=request.user, contract=contract, **data)
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


# A hot path: its budget (tests/test_hot_path_budgets.py), SQL statements and Redis commands.
# The contract and its milestones, the task, the bids, and a notification per bidder (LPUSH).
# 28 → 21: the view reads the bid without its details (the service re-reads it locked), the
# three audit rows go in one insert (audit_batch), the second award is left to the constraint
# (no savepoint around the insert), and the response's capabilities ask the memberships read
# once per request instead of the organizations again.
AWARD_BUDGET = Budget(queries=21, redis=8)


class BidAwardApi(APIView):
    @extend_schema(
        tags=["bids"],
        request=None,
        responses=with_errors({201: ContractDetailOutputSerializer}, 403, 404, 409),
        description="The poster's owners and admins award the task to this bid: exactly one "
        "award per task in tender mode. Returns the contract made from the bid's terms.",
    )
    def post(self, request: Request, bid_id: int) -> Response:
        # Only who may see it is decided here: the service re-reads the bid locked.
        bid = bid_get_for_user(user=request.user, bid_id=bid_id, details=False)
        contract = services.contract_award(actor=request.user, bid=bid)
        contract = selectors.contract_get_for_user(user=request.user, contract_id=contract.pk)
        return Response(
            contract_detail_data(user=request.user, contract=contract),
            status=status.HTTP_201_CREATED,
        )
