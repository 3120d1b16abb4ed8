"""Favourite tasks, and inviting a provider from their profile to one of your tasks."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as accounts_selectors
from accounts.api.portfolio import FavouriteStateSerializer
from marketplace.api import (
    Pagination,
    StrictIntegerField,
    paginated_response,
    validated,
    with_errors,
)
from tasks import selectors, services
from tasks.api.posting import TaskInvitationOutputSerializer
from tasks.api.serializers import TaskRefOutputSerializer, TaskSkillOutputSerializer

FAVOURITE_TAG = ["favourites"]
TAG = ["tasks"]


class FavouriteTaskItemSerializer(TaskRefOutputSerializer):
    summary = serializers.CharField()
    kind = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    budget_min = serializers.IntegerField(help_text="In minor units (fen).")
    budget_max = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    bid_deadline = serializers.DateTimeField()
    region_name = serializers.CharField()
    skills = TaskSkillOutputSerializer(source="skill_weights.all", many=True)


class FavouriteTaskOutputSerializer(serializers.Serializer):
    task = FavouriteTaskItemSerializer()
    created_at = serializers.DateTimeField()


class TaskFavouriteListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=FAVOURITE_TAG,
        responses=with_errors({200: FavouriteTaskOutputSerializer(many=True)}, 403),
        description="Your starred tasks that you may still open, newest first. Nobody else "
        "sees them.",
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            serializer_class=FavouriteTaskOutputSerializer,
            queryset=selectors.task_favourites_for_user(user=request.user),
            request=request,
            view=self,
        )


class TaskFavouriteApi(APIView):
    @extend_schema(
        tags=FAVOURITE_TAG,
        request=None,
        responses=with_errors({200: FavouriteStateSerializer}, 403, 404),
        description="Star a task you can see (idempotent).",
    )
    def put(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        services.task_favourite_add(user=request.user, task=task)
        return Response({"favourite": True})

    @extend_schema(
        tags=FAVOURITE_TAG,
        request=None,
        responses=with_errors({200: FavouriteStateSerializer}, 403, 404),
        description="Remove the star (idempotent).",
    )
    def delete(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        services.task_favourite_remove(user=request.user, task=task)
        return Response({"favourite": False})


class InvitableTaskOutputSerializer(serializers.Serializer):
    task = TaskRefOutputSerializer()
    already_invited = serializers.BooleanField()


class ProviderInviteInputSerializer(serializers.Serializer):
    task = StrictIntegerField(help_text="One of your organizations' tasks open to invitations.")


class ProviderInvitableTasksApi(APIView):
    """GET: your tasks this provider can be invited to. POST: invite them to one."""

    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: InvitableTaskOutputSerializer(many=True)}, 404),
        description="Your organizations' tasks (draft, in review or open) to which you may "
        "invite this provider, each saying whether they already are.",
    )
    def get(self, request: Request, profile_id: int) -> Response:
        provider = accounts_selectors.provider_profile_get_public(
            user=request.user, profile_id=profile_id
        )
        items = selectors.tasks_invitable_for_provider(user=request.user, provider=provider)
        return paginated_response(
            serializer_class=InvitableTaskOutputSerializer,
            queryset=items,
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request=ProviderInviteInputSerializer,
        responses=with_errors({201: TaskInvitationOutputSerializer}, 400, 403, 404, 409),
        description="Invite this provider to one of your tasks; the provider is notified. "
        "An already invited provider or a task closed to bids is a 409.",
    )
    def post(self, request: Request, profile_id: int) -> Response:
        provider = accounts_selectors.provider_profile_get_public(
            user=request.user, profile_id=profile_id
        )
        data = validated(ProviderInviteInputSerializer, request.data)
        task = selectors.task_get_for_user(user=request.user, task_id=data["task"])
        invitation = services.task_invite_provider(actor=request.user, task=task, provider=provider)
        return Response(
            TaskInvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED
        )
