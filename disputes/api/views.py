"""Disputes through the API: open one on a milestone, read it with its evidence timeline,
respond, add evidence, appeal. Mediators decide in the back office."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import milestone_get_for_user
from disputes import selectors, services
from disputes.api.serializers import DisputeDetailOutputSerializer, DisputeOutputSerializer
from disputes.models import Dispute
from marketplace.api import Pagination, paginate, paginated, validated, with_errors

TAG = ["disputes"]


def dispute_data(*, user: Any, dispute: Dispute) -> Any:
    dispute = selectors.dispute_get_for_user(user=user, dispute_id=dispute.pk)
    context = {
        "capabilities": selectors.dispute_capabilities(user=user, dispute=dispute),
        "decisions": selectors.dispute_decisions(dispute=dispute),
        "timeline": selectors.dispute_timeline(dispute=dispute),
    }
    return DisputeDetailOutputSerializer(dispute, context=context).data


class DisputeListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: DisputeOutputSerializer(many=True)}, 403),
        description="Disputes on the contracts you are on, newest first.",
    )
    def get(self, request: Request) -> Response:
        paginator, page = paginate(
            view=self, request=request, queryset=selectors.disputes_for_user(user=request.user)
        )
        return paginated(paginator, DisputeOutputSerializer(page, many=True).data)


class DisputeOpenInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(Dispute.Reason.choices)
    statement = serializers.CharField(max_length=8000, help_text="At least 10 characters.")


class MilestoneDisputeOpenApi(APIView):
    @extend_schema(
        tags=TAG,
        request=DisputeOpenInputSerializer,
        responses=with_errors({201: DisputeDetailOutputSerializer}, 400, 403, 404, 409),
        description="Either party (the provider, or the poster's owners and admins) disputes a "
        "funded, delivered or returned milestone. Its escrow is held from this moment: nothing "
        "releases, refunds or auto-accepts it until a mediator's decision is executed.",
    )
    def post(self, request: Request, milestone_id: int) -> Response:
        milestone = milestone_get_for_user(user=request.user, milestone_id=milestone_id)
        data = validated(DisputeOpenInputSerializer, request.data)
        dispute = services.dispute_open(
            actor=request.user,
            milestone=milestone,
            reason=data["reason"],
            statement=data["statement"],
        )
        return Response(
            dispute_data(user=request.user, dispute=dispute), status=status.HTTP_201_CREATED
        )


class DisputeDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: DisputeDetailOutputSerializer}, 404),
        description="The dispute, its decisions and its evidence timeline (task files, "
        "negotiation messages and offers, deliveries with their files' SHA-256, statements, "
        "the response, added evidence, the appeal), oldest first.",
    )
    def get(self, request: Request, dispute_id: int) -> Response:
        dispute = selectors.dispute_get_for_user(user=request.user, dispute_id=dispute_id)
        return Response(dispute_data(user=request.user, dispute=dispute))


class DisputeResponseInputSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=8000, help_text="At least 10 characters.")


class DisputeRespondApi(APIView):
    @extend_schema(
        tags=TAG,
        request=DisputeResponseInputSerializer,
        responses=with_errors({200: DisputeDetailOutputSerializer}, 400, 403, 404, 409),
        description="The other party responds, once, before the response deadline.",
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = selectors.dispute_get_for_user(user=request.user, dispute_id=dispute_id)
        data = validated(DisputeResponseInputSerializer, request.data)
        services.dispute_respond(actor=request.user, dispute=dispute, response=data["response"])
        return Response(dispute_data(user=request.user, dispute=dispute))


class DisputeEvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Its content must match its name.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DisputeEvidenceApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": DisputeEvidenceInputSerializer},
        responses=with_errors({201: DisputeDetailOutputSerializer}, 400, 403, 404, 409),
        description="A party adds an evidence file (checked by content; its SHA-256 is kept) "
        "until the dispute is decided.",
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = selectors.dispute_get_for_user(user=request.user, dispute_id=dispute_id)
        data = validated(DisputeEvidenceInputSerializer, request.data)
        services.dispute_evidence_add(
            actor=request.user, dispute=dispute, file=data["file"], note=data["note"]
        )
        return Response(
            dispute_data(user=request.user, dispute=dispute), status=status.HTTP_201_CREATED
        )


class DisputeAppealInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="At least 10 characters.")


class DisputeAppealApi(APIView):
    @extend_schema(
        tags=TAG,
        request=DisputeAppealInputSerializer,
        responses=with_errors({201: DisputeDetailOutputSerializer}, 400, 403, 404, 409),
        description="A party appeals a decision once, within its appeal window (decisions on "
        "DISPUTE_APPEAL_THRESHOLD fen or more). A different mediator decides the appeal.",
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = selectors.dispute_get_for_user(user=request.user, dispute_id=dispute_id)
        data = validated(DisputeAppealInputSerializer, request.data)
        services.dispute_appeal(actor=request.user, dispute=dispute, reason=data["reason"])
        return Response(
            dispute_data(user=request.user, dispute=dispute), status=status.HTTP_201_CREATED
        )
