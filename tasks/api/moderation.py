"""Moderation of tasks, for staff who hold tasks.moderate_task."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import Pagination, paginate, paginated, validated, with_errors
from tasks import selectors, services
from tasks.api.posting import ReasonInputSerializer, task_detail_data
from tasks.api.serializers import TaskDetailOutputSerializer, TaskListItemOutputSerializer

TAG = ["moderation"]


class IsTaskModerator(BasePermission):
    """Staff with the tasks.moderate_task permission (the services check it again)."""

    message = _("Only moderators can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return selectors.user_is_moderator(request.user)


class TaskModerationItemOutputSerializer(TaskListItemOutputSerializer):
    flagged_for_review = serializers.BooleanField()
    moderation_note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ModerationTaskListApi(APIView):
    permission_classes = [IsTaskModerator]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: TaskModerationItemOutputSerializer(many=True)}, 403),
        description="Tasks waiting for review.",
    )
    def get(self, request: Request) -> Response:
        paginator, page = paginate(
            view=self, request=request, queryset=selectors.tasks_pending_moderation()
        )
        return paginated(paginator, TaskModerationItemOutputSerializer(page, many=True).data)


class ModerationApproveApi(APIView):
    permission_classes = [IsTaskModerator]

    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: TaskDetailOutputSerializer}, 400, 403, 404, 409),
        description="Open a task that waits for review.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        task = services.task_moderation_approve(moderator=request.user, task=task)
        return Response(task_detail_data(user=request.user, task=task))


class ModerationSendBackApi(APIView):
    permission_classes = [IsTaskModerator]

    @extend_schema(
        tags=TAG,
        request=ReasonInputSerializer,
        responses=with_errors({200: TaskDetailOutputSerializer}, 400, 403, 404, 409),
        description="Return a task under review to its draft, with what the poster must change.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        data = validated(ReasonInputSerializer, request.data)
        task = services.task_moderation_send_back(
            moderator=request.user, task=task, reason=data["reason"]
        )
        return Response(task_detail_data(user=request.user, task=task))


class ModerationFlagApi(APIView):
    permission_classes = [IsTaskModerator]

    @extend_schema(
        tags=TAG,
        request=ReasonInputSerializer,
        responses=with_errors({200: TaskDetailOutputSerializer}, 400, 403, 404, 409),
        description="Flag a task: an open one goes back to review before it is public again.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        data = validated(ReasonInputSerializer, request.data)
        task = services.task_moderation_flag(
            moderator=request.user, task=task, reason=data["reason"]
        )
        return Response(task_detail_data(user=request.user, task=task))
