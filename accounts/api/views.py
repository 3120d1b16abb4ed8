from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.pictures import user_picture_url


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    language = serializers.CharField()
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
