"""Questions and answers on a task (提问/答疑), and the poster's clarifications."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import (
    Pagination,
    paginated_response,
    validated,
    with_errors,
)
from tasks import selectors, services
from tasks.selectors import QuestionView

TAG = ["tasks"]


class QuestionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question.pk")
    kind = serializers.ChoiceField(
        source="question.kind",
        choices=["question", "clarification"],
        help_text="A provider's question, or a clarification the poster posted for all.",
    )
    asked_by = serializers.CharField(
        source="asker_label",
        help_text="The asker's name for the poster's side and the asker; a neutral label for "
        "everyone else (askers stay anonymous to rivals).",
    )
    mine = serializers.BooleanField(help_text="You asked it.")
    body = serializers.CharField(source="question.body")
    answer = serializers.CharField(source="question.answer")
    answered_at = serializers.DateTimeField(source="question.answered_at", allow_null=True)
    hidden = serializers.SerializerMethodField(help_text="Hidden by a moderator (moderators only).")
    created_at = serializers.DateTimeField(source="question.created_at")

    def get_hidden(self, view: QuestionView) -> bool:
        return view.question.hidden_at is not None


class QuestionInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.questions.QUESTION_MAX)


class ClarificationInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.questions.ANSWER_MAX)


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=services.questions.ANSWER_MAX)


class HideInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _view(*, user: Any, question_id: int) -> Any:
    question = selectors.task_question_get_for_user(user=user, question_id=question_id)
    views = selectors.task_questions_for_user(user=user, task=question.task)
    return QuestionOutputSerializer(next(v for v in views if v.pk == question.pk)).data


class TaskQuestionCollectionApi(APIView):
    # Anyone may read what they may see; asking needs a signed-in caller (401 otherwise).
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: QuestionOutputSerializer(many=True)}, 404),
        description="The task's questions as you may see them: answered ones and "
        "clarifications for everyone who can see the task, your own unanswered ones, all of "
        "them for the poster's members.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        views = selectors.task_questions_for_user(user=request.user, task=task)
        return paginated_response(
            serializer_class=QuestionOutputSerializer, queryset=views, request=request, view=self
        )

    @extend_schema(
        tags=TAG,
        request=QuestionInputSerializer,
        responses=with_errors({201: QuestionOutputSerializer}, 400, 403, 404, 429),
        description="Ask the poster a question (signed-in providers outside the poster, while "
        "the task is open or choosing). It becomes public when answered.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        data = validated(QuestionInputSerializer, request.data)
        question = services.task_question_ask(actor=request.user, task=task, body=data["body"])
        return Response(
            _view(user=request.user, question_id=question.pk), status=status.HTTP_201_CREATED
        )


class TaskClarificationApi(APIView):
    @extend_schema(
        tags=TAG,
        request=ClarificationInputSerializer,
        responses=with_errors({201: QuestionOutputSerializer}, 400, 403, 404, 409),
        description="The poster's members post a clarification for everyone; bidders are told.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        data = validated(ClarificationInputSerializer, request.data)
        question = services.task_clarification_post(
            actor=request.user, task=task, body=data["body"]
        )
        return Response(
            _view(user=request.user, question_id=question.pk), status=status.HTTP_201_CREATED
        )


class QuestionAnswerApi(APIView):
    @extend_schema(
        tags=TAG,
        request=AnswerInputSerializer,
        responses=with_errors({200: QuestionOutputSerializer}, 400, 403, 404, 409),
        description="The poster's members answer a question, once; it becomes public and the "
        "task's bidders are told.",
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = selectors.task_question_get_for_user(user=request.user, question_id=question_id)
        data = validated(AnswerInputSerializer, request.data)
        services.task_question_answer(actor=request.user, question=question, answer=data["answer"])
        return Response(_view(user=request.user, question_id=question.pk))


class QuestionHideApi(APIView):
    @extend_schema(
        tags=TAG,
        request=HideInputSerializer,
        responses=with_errors({200: QuestionOutputSerializer}, 400, 403, 404, 409),
        description="Moderators hide a question or clarification from everyone else.",
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = selectors.task_question_get_for_user(user=request.user, question_id=question_id)
        data = validated(HideInputSerializer, request.data)
        services.task_question_hide(actor=request.user, question=question, reason=data["reason"])
        return Response(_view(user=request.user, question_id=question.pk))


class QuestionShowApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: QuestionOutputSerializer}, 403, 404, 409),
        description="Moderators show a hidden question or clarification again.",
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = selectors.task_question_get_for_user(user=request.user, question_id=question_id)
        services.task_question_show(actor=request.user, question=question)
        return Response(_view(user=request.user, question_id=question.pk))
