"""The credit red/black list (诚信红黑榜): the public list of entries that apply now, the
entries about the caller, and appeals against them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import CreditListEntry
from marketplace.api import Pagination, paginated_response, validated

TAG = ["credit list"]


class CreditListPartySerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField()
    name = serializers.CharField(source="party_name")
    organization_slug = serializers.SerializerMethodField()

    def get_kind(self, entry: CreditListEntry) -> str:
        return "organization" if entry.organization_id else "person"

    def get_organization_slug(self, entry: CreditListEntry) -> str | None:
        return entry.organization.slug if entry.organization_id else None  # type: ignore[union-attr]


class CreditListEntryPublicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    party = CreditListPartySerializer(source="*")
    reason = serializers.CharField()
    starts_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class CreditListAppealOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entry_id = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    statement = serializers.CharField()
    filed_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class CreditListEntryMineSerializer(CreditListEntryPublicSerializer):
    """The listed party also sees the evidence, whether the entry applies now, and appeals."""

    evidence = serializers.CharField()
    active = serializers.SerializerMethodField()
    lifted_at = serializers.DateTimeField(allow_null=True)
    lift_reason = serializers.CharField()
    appeals = CreditListAppealOutputSerializer(many=True, source="appeals.all")

    def get_active(self, entry: CreditListEntry) -> bool:
        return entry.is_active()


class CreditListPublicApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(tags=TAG, responses=CreditListEntryPublicSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Entries that apply now, newest first; `?kind=red` or `?kind=black` to filter."""
        kind = request.query_params.get("kind")
        kind = kind if kind in CreditListEntry.Kind.values else None
        return paginated_response(
            serializer_class=CreditListEntryPublicSerializer,
            queryset=selectors.credit_list_active(kind=kind),
            request=request,
            view=self,
        )


class CreditListMineApi(APIView):
    pagination_class = Pagination

    @extend_schema(tags=TAG, responses=CreditListEntryMineSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Every entry about the caller or an organization they manage, past ones included."""
        return paginated_response(
            serializer_class=CreditListEntryMineSerializer,
            queryset=selectors.credit_list_entries_for_user(user=request.user),
            request=request,
            view=self,
        )


class CreditListAppealInputSerializer(serializers.Serializer):
    statement = serializers.CharField(max_length=4000)


class CreditListAppealApi(APIView):
    @extend_schema(
        tags=TAG,
        request=CreditListAppealInputSerializer,
        responses={201: CreditListAppealOutputSerializer},
    )
    def post(self, request: Request, entry_id: int) -> Response:
        """The listed party appeals an entry that applies now (one open appeal per entry)."""
        data: dict[str, Any] = validated(CreditListAppealInputSerializer, request.data)
        entry = selectors.credit_list_entry_get_for_party(user=request.user, entry_id=entry_id)
        appeal = services.credit_appeal_file(
            actor=request.user, entry=entry, statement=data["statement"]
        )
        return Response(
            CreditListAppealOutputSerializer(appeal).data, status=status.HTTP_201_CREATED
        )
