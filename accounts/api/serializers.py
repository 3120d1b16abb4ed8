"""Output serializers shared by several accounts APIs (inputs live beside their views)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ProviderProfile
from accounts.pictures import (
    organization_picture_url,
    portfolio_file_url,
    provider_picture_url,
    user_picture_url,
)


class OrganizationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    is_verified = serializers.BooleanField()
    logo_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(help_text="Empty when there is no logo."))
    def get_logo_url(self, organization: Any) -> str:
        return organization_picture_url(organization)


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
    logo_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(help_text="Empty when there is no logo."))
    def get_logo_url(self, organization: Any) -> str:
        return organization_picture_url(organization)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    is_real_name_verified = serializers.BooleanField()
    avatar_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(help_text="Empty when there is no avatar."))
    def get_avatar_url(self, user: Any) -> str:
        return user_picture_url(user)


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
    picture_url = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    hidden_reason = serializers.CharField(
        help_text="Why a moderator hid it (only those who act for it still see a hidden "
        "profile); empty when shown."
    )

    @extend_schema_field(
        serializers.BooleanField(
            help_text="A moderator hid it: out of the directory and search, and it cannot bid."
        )
    )
    def get_hidden(self, profile: ProviderProfile) -> bool:
        return profile.hidden_at is not None

    @extend_schema_field(
        serializers.CharField(help_text="The firm's logo or the person's avatar; empty if none.")
    )
    def get_picture_url(self, profile: ProviderProfile) -> str:
        return provider_picture_url(profile)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_day_rate_display(self, profile: ProviderProfile) -> str | None:
        money = profile.day_rate_money
        return None if money is None else money.format()


class VerificationEvidenceOutputSerializer(serializers.Serializer):
    """What the applicant uploaded; the file itself is served to verifiers only."""

    kind = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


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
    evidence = VerificationEvidenceOutputSerializer(many=True, source="evidence.all")


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField(
        source="shown_title", help_text="In the language of the request (Accept-Language)."
    )
    body = serializers.CharField(source="shown_body")
    url = serializers.CharField()
    group_key = serializers.CharField(
        help_text="Notifications with the same key are similar (one kind, one page)."
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class PortfolioFileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    is_image = serializers.BooleanField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(help_text="The image, or the document's download."))
    def get_url(self, item: Any) -> str:
        return portfolio_file_url(item)

    @extend_schema_field(serializers.CharField(help_text="Empty for documents."))
    def get_thumbnail_url(self, item: Any) -> str:
        return portfolio_file_url(item, thumbnail=True) if item.is_image else ""


class PortfolioSkillOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class PortfolioEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    profile_id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    client = serializers.CharField()
    position = serializers.IntegerField()
    skills = PortfolioSkillOutputSerializer(source="skills.all", many=True)
    files = PortfolioFileOutputSerializer(source="files.all", many=True)
    updated_at = serializers.DateTimeField()
