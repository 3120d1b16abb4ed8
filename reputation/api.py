"""The caller's own credit: every provider profile they act for and poster organization they
manage, with the score's factors (only the party itself sees them), or "no history yet"."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import Pagination, paginated_response
from reputation.selectors import CreditSubject, credit_subjects_for_user


class CreditFactorSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    points = serializers.IntegerField()
    max_points = serializers.IntegerField()
    detail = serializers.CharField()


class CreditSubjectSerializer(serializers.Serializer):
    side = serializers.CharField(help_text='"provider" (a provider profile) or "poster".')
    object_id = serializers.IntegerField()
    name = serializers.CharField()
    rated = serializers.BooleanField(
        source="credit.rated",
        help_text="False until the party has completed work: show 'no history yet', not a grade.",
    )
    score = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField()
    factors = CreditFactorSerializer(many=True, source="credit.factors")

    def get_score(self, subject: CreditSubject) -> int | None:
        return subject.credit.score if subject.credit.rated else None

    def get_grade(self, subject: CreditSubject) -> str | None:
        return subject.credit.grade if subject.credit.rated else None


class MyCreditApi(APIView):
    pagination_class = Pagination

    @extend_schema(tags=["reputation"], responses=CreditSubjectSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(
            serializer_class=CreditSubjectSerializer,
            queryset=credit_subjects_for_user(user=request.user),
            request=request,
            view=self,
        )
