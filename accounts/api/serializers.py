"""Output serializers shared by several accounts APIs (inputs live beside their views)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ProviderProfile


class OrganizationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    is_verified = serializers.BooleanField()


class OrganizationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    region = serializers.CharField()
    region_name = serializers.CharField()
    description = serializers.CharField()
    website = serializers.CharField()
    is_verified = serializers.BooleanField()
    verified_at = serializers.DateTimeField(allow_null=True)
    credit_code = serializers.CharField()
    created_at = serializers.DateTimeField()
    my_role = serializers.CharField(allow_null=True, default=None)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    is_real_name_verified = serializers.BooleanField()


class MembershipOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    user = UserBriefSerializer()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    created_at = serializers.DateTimeField()
    email = serializers.SerializerMethodField()

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, membership: Any) -> str | None:
        """Email addresses are shown to the organization's managers only."""
        return membership.user.email if self.context.get("show_email") else None


class ProviderSkillOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="skill.id")
    slug = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.name")
    category = serializers.CharField(source="skill.category.slug")
    level = serializers.IntegerField()
    level_display = serializers.CharField(source="get_level_display")


class ProviderProfileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_firm = serializers.BooleanField()
    display_name = serializers.CharField()
    organization = OrganizationBriefSerializer(allow_null=True)
    headline = serializers.CharField()
    bio = serializers.CharField()
    day_rate = serializers.IntegerField(allow_null=True, help_text="In minor units (fen).")
    day_rate_display = serializers.SerializerMethodField()
    currency = serializers.CharField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    availability = serializers.CharField()
    years_experience = serializers.IntegerField()
    is_verified = serializers.BooleanField()
    skills = ProviderSkillOutputSerializer(source="skill_levels.all", many=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_day_rate_display(self, profile: ProviderProfile) -> str | None:
        money = profile.day_rate_money
        return None if money is None else money.format()


class VerificationRequestOutputSerializer(serializers.Serializer):
    """Never carries the ID number itself: only its masked form."""

    id = serializers.IntegerField()
    subject = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    legal_name = serializers.CharField()
    id_number_masked = serializers.CharField()
    organization = OrganizationBriefSerializer(allow_null=True)
    credit_code = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
