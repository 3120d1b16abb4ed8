"""The signed-in user's notifications."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import NotificationOutputSerializer
from marketplace.api import Pagination, paginated_response, validated
from marketplace.budgets import Budget

TAG = ["notifications"]


class NotificationListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones."),
        ],
        responses=NotificationOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        unread_only = request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return paginated_response(
            serializer_class=NotificationOutputSerializer,
            queryset=selectors.notifications_for_user(user=request.user, unread_only=unread_only),
            request=request,
            view=self,
        )


class NotificationUnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


# A hot path, asked by every page's header: its budget (tests/test_hot_path_budgets.py).
BADGE_BUDGET = Budget(queries=2, redis=2)


class NotificationUnreadCountApi(APIView):
    @extend_schema(tags=TAG, responses=NotificationUnreadCountOutputSerializer)
    def get(self, request: Request) -> Response:
        count = selectors.notifications_unread_count(user=request.user)
        return Response(NotificationUnreadCountOutputSerializer({"unread": count}).data)


class NotificationMarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=500,
        help_text="Leave out to mark every notification read.",
    )


class NotificationMarkReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationMarkReadApi(APIView):
    @extend_schema(
        tags=TAG,
        request=NotificationMarkReadInputSerializer,
        responses=NotificationMarkReadOutputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = validated(NotificationMarkReadInputSerializer, request.data)
        marked = services.notifications_mark_read(user=request.user, ids=data["ids"])
        return Response(NotificationMarkReadOutputSerializer({"marked": marked}).data)


class NotificationKindOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    # A field named "label" shadows Field.label for the type checker only.
    label = serializers.CharField()  # type: ignore[assignment]
    email = serializers.BooleanField(help_text="Whether this kind also comes by email.")


class NotificationPreferencesOutputSerializer(serializers.Serializer):
    """The preferences are one resource per user: every kind, with whether it comes by email."""

    kinds = NotificationKindOutputSerializer(many=True)


class NotificationPreferencesInputSerializer(serializers.Serializer):
    emailed_kinds = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=200,
        help_text="The kinds that also come by email; every other kind stays in the app only.",
    )


class NotificationPreferencesApi(APIView):
    """Which kinds of notification also come by email (each kind is always in the app)."""

    @extend_schema(tags=TAG, responses=NotificationPreferencesOutputSerializer)
    def get(self, request: Request) -> Response:
        rows = selectors.notification_email_preferences(user=request.user)
        return Response(NotificationPreferencesOutputSerializer({"kinds": rows}).data)

    @extend_schema(
        tags=TAG,
        request=NotificationPreferencesInputSerializer,
        responses=NotificationPreferencesOutputSerializer,
    )
    def put(self, request: Request) -> Response:
        data = validated(NotificationPreferencesInputSerializer, request.data)
        services.notification_email_preferences_set(
            user=request.user, emailed_kinds=data["emailed_kinds"]
        )
        rows = selectors.notification_email_preferences(user=request.user)
        return Response(NotificationPreferencesOutputSerializer({"kinds": rows}).data)
