from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import User
from accounts.pictures import user_picture_url


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    language = serializers.CharField()
    role = serializers.ChoiceField(
        choices=User.Role.choices,
        help_text="What the person came to do (chosen at sign-up): it shapes their pages, "
        "never their permissions.",
    )
    is_real_name_verified = serializers.BooleanField()
    is_suspended = serializers.BooleanField()
    unread_notifications = serializers.SerializerMethodField()
    avatar_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(help_text="Empty when there is no avatar."))
    def get_avatar_url(self, user: Any) -> str:
        return user_picture_url(user)

    def get_unread_notifications(self, user: Any) -> int:
        return selectors.notifications_unread_count(user=user)


class MeApi(APIView):
    OutputSerializer = MeOutputSerializer

    @extend_schema(tags=["me"], responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user).data)

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, max_length=80)
        language = serializers.CharField(required=False)
        role = serializers.ChoiceField(choices=User.Role.choices, required=False)

    @extend_schema(tags=["me"], request=InputSerializer, responses=MeOutputSerializer)
    def patch(self, request: Request) -> Response:
        """Change one's own display name, language or role."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        user = services.user_profile_update(
            user=user,
            name=data.validated_data.get("name", user.name),  # type: ignore[union-attr]
            language=data.validated_data.get("language", user.language),  # type: ignore[union-attr]
            role=data.validated_data.get("role"),
        )
        return Response(MeOutputSerializer(user).data)
