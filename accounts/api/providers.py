"""Provider profiles (服务商) and the public skills taxonomy."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import ProviderProfileOutputSerializer
from accounts.models import ProviderProfile
from accounts.regions import CHONGQING, PROVINCES, region_name
from marketplace.api import Pagination, StrictIntegerField, paginated_response, validated
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY

TAG = ["providers"]


class ProviderProfileSaveInputSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A micro-firm you own or administer; leave out for your own profile.",
    )
    headline = serializers.CharField(max_length=120)
    bio = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    day_rate = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None, help_text="In fen."
    )
    currency = serializers.ChoiceField(
        choices=CURRENCY_CHOICES, required=False, default=DEFAULT_CURRENCY
    )
    region = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    availability = serializers.ChoiceField(
        choices=ProviderProfile.Availability.choices,
        required=False,
        default=ProviderProfile.Availability.AVAILABLE,
    )
    years_experience = serializers.IntegerField(
        min_value=0, max_value=70, required=False, default=0
    )


class ProviderProfileMineApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=ProviderProfileOutputSerializer,
        description="Your individual provider profile (404 if you have none yet).",
    )
    def get(self, request: Request) -> Response:
        profile = selectors.provider_profile_mine(user=request.user)
        return Response(ProviderProfileOutputSerializer(profile).data)

    @extend_schema(
        tags=TAG,
        request=ProviderProfileSaveInputSerializer,
        responses=ProviderProfileOutputSerializer,
        description="Create or replace your provider profile, or a micro-firm's.",
    )
    def put(self, request: Request) -> Response:
        data = validated(ProviderProfileSaveInputSerializer, request.data)
        organization_id = data.pop("organization_id")
        organization = (
            None
            if organization_id is None
            else selectors.organization_get_for_user(
                user=request.user, organization_id=organization_id
            )
        )
        profile = services.provider_profile_save(
            actor=request.user, organization=organization, **data
        )
        profile = selectors.provider_profile_get_for_user(user=request.user, profile_id=profile.pk)
        return Response(ProviderProfileOutputSerializer(profile).data)


class ProviderProfileOperatedListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=ProviderProfileOutputSerializer(many=True),
        description="Every provider profile you act for: yours and your micro-firms'.",
    )
    def get(self, request: Request) -> Response:
        profiles = selectors.provider_profiles_operated_with_skills(user=request.user)
        return paginated_response(
            serializer_class=ProviderProfileOutputSerializer,
            queryset=profiles,
            request=request,
            view=self,
        )


class ProviderProfileDetailApi(APIView):
    @extend_schema(tags=TAG, responses=ProviderProfileOutputSerializer)
    def get(self, request: Request, profile_id: int) -> Response:
        profile = selectors.provider_profile_get_public(user=request.user, profile_id=profile_id)
        return Response(ProviderProfileOutputSerializer(profile).data)


class SkillLevelInputSerializer(serializers.Serializer):
    # The same reference as a task's skills ({"skill": id, "weight": n}).
    skill = StrictIntegerField(help_text="A skill's id (see /skills/).")
    level = serializers.IntegerField(min_value=1, max_value=4)


class ProviderSkillsSetInputSerializer(serializers.Serializer):
    skills = serializers.ListField(child=SkillLevelInputSerializer(), max_length=30)

    def validate_skills(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [item["skill"] for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each skill may appear only once."))
        return value


class ProviderSkillsSetApi(APIView):
    @extend_schema(
        tags=TAG,
        request=ProviderSkillsSetInputSerializer,
        responses=ProviderProfileOutputSerializer,
        description="Replace the profile's skills (at most 30, levels 1 to 4).",
    )
    def put(self, request: Request, profile_id: int) -> Response:
        profile = selectors.provider_profile_get_public(user=request.user, profile_id=profile_id)
        data = validated(ProviderSkillsSetInputSerializer, request.data)
        services.provider_skills_set(
            actor=request.user,
            profile=profile,
            skills={item["skill"]: item["level"] for item in data["skills"]},
        )
        profile = selectors.provider_profile_get_for_user(user=request.user, profile_id=profile_id)
        return Response(ProviderProfileOutputSerializer(profile).data)


class SkillOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class SkillCategoryOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    skills = SkillOutputSerializer(many=True)


class SkillTaxonomyApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=SkillCategoryOutputSerializer(many=True),
        auth=[],
        description="The skills taxonomy, grouped by category. Public.",
    )
    def get(self, request: Request) -> Response:
        grouped = [
            {
                "slug": category.slug,
                "name": category.name,
                "name_zh": category.name_zh,
                "name_en": category.name_en,
                "skills": skills,
            }
            for category, skills in selectors.skills_grouped()
        ]
        return paginated_response(
            serializer_class=SkillCategoryOutputSerializer,
            queryset=grouped,
            request=request,
            view=self,
        )


class RegionOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="GB/T 2260 code, as tasks and profiles carry it.")
    name = serializers.CharField(help_text="In the language of the request.")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    group = serializers.ChoiceField(
        ["chongqing", "province"],
        help_text="A district or county of Chongqing, or a province-level region.",
    )


class RegionListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=RegionOutputSerializer(many=True),
        auth=[],
        description="The region codes tasks, organizations and profiles use: Chongqing's "
        "districts and counties first, then the provinces. Public.",
    )
    def get(self, request: Request) -> Response:
        chongqing = {code for code, _zh, _en in CHONGQING}
        regions = [
            {
                "code": code,
                "name": region_name(code),
                "name_zh": zh,
                "name_en": en,
                "group": "chongqing" if code in chongqing else "province",
            }
            for code, zh, en in CHONGQING + PROVINCES
        ]
        return paginated_response(
            serializer_class=RegionOutputSerializer, queryset=regions, request=request, view=self
        )
