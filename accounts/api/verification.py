"""Real-name verification requests (实名认证). The full ID number never leaves the server."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import VerificationRequestOutputSerializer
from marketplace.api import Pagination, paginated_response, validated

TAG = ["verification"]


class VerificationRequestListApi(APIView):
    pagination_class = Pagination

    @extend_schema(tags=TAG, responses=VerificationRequestOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(
            serializer_class=VerificationRequestOutputSerializer,
            queryset=selectors.verification_requests_for_user(user=request.user),
            request=request,
            view=self,
        )


EVIDENCE_HELP = (
    "PDF, PNG or JPEG, checked by its content (at most MARKETPLACE.EVIDENCE_MAX_BYTES); stored "
    "privately and shown only to verifiers."
)


class VerificationPersonInputSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=80)
    id_number = serializers.CharField(max_length=40, write_only=True)
    id_front = serializers.FileField(help_text="The ID document's front. " + EVIDENCE_HELP)
    id_back = serializers.FileField(help_text="The ID document's back. " + EVIDENCE_HELP)


class VerificationPersonSubmitApi(APIView):
    """Multipart: the details and both sides of the ID document."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        request=VerificationPersonInputSerializer,
        responses={201: VerificationRequestOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(VerificationPersonInputSerializer, request.data)
        verification = services.verification_submit_person(
            user=request.user,
            legal_name=data["legal_name"],
            id_number=data["id_number"],
            documents={"id_front": data["id_front"], "id_back": data["id_back"]},
        )
        return Response(
            VerificationRequestOutputSerializer(verification).data,
            status=status.HTTP_201_CREATED,
        )


class VerificationOrganizationInputSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    legal_name = serializers.CharField(max_length=120)
    credit_code = serializers.CharField(max_length=40)
    licence = serializers.FileField(help_text="The business licence (营业执照). " + EVIDENCE_HELP)


class VerificationOrganizationSubmitApi(APIView):
    """Multipart: the details and the business licence."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        request=VerificationOrganizationInputSerializer,
        responses={201: VerificationRequestOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(VerificationOrganizationInputSerializer, request.data)
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=data["organization_id"]
        )
        verification = services.verification_submit_organization(
            actor=request.user,
            organization=organization,
            legal_name=data["legal_name"],
            credit_code=data["credit_code"],
            documents={"licence": data["licence"]},
        )
        return Response(
            VerificationRequestOutputSerializer(verification).data,
            status=status.HTTP_201_CREATED,
        )
