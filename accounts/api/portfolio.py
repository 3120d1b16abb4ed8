"""Portfolio entries (案例), avatars, logos and favourite providers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import (
    OrganizationOutputSerializer,
    PortfolioEntryOutputSerializer,
    PortfolioFileOutputSerializer,
    ProviderProfileOutputSerializer,
)
from accounts.api.views import MeOutputSerializer
from marketplace.api import (
    Pagination,
    StrictIntegerField,
    paginated_response,
    validated,
    with_errors,
)

TAG = ["portfolio"]
PICTURE_TAG = ["pictures"]
FAVOURITE_TAG = ["favourites"]


class PortfolioEntryInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    year = StrictIntegerField(required=False, allow_null=True, default=None)
    client = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    skills = serializers.ListField(
        child=StrictIntegerField(), required=False, default=list, max_length=10,
        help_text="Skill ids from the taxonomy (at most 10).",
    )  # fmt: skip


def _entry_kwargs(data: dict) -> dict:
    return {
        "title": data["title"],
        "description": data["description"],
        "year": data["year"],
        "client": data["client"],
        "skill_ids": data["skills"],
    }


def _entry_data(entry_id: int, user: object) -> dict:
    entry = selectors.portfolio_entry_get_for_user(user=user, entry_id=entry_id)
    return dict(PortfolioEntryOutputSerializer(entry).data)


class PortfolioCollectionApi(APIView):
    """GET: a provider's portfolio, public. POST: add an entry (the provider only)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: PortfolioEntryOutputSerializer(many=True)}, 404),
        description="The provider's portfolio entries in their order, with skills and files.",
    )
    def get(self, request: Request, profile_id: int) -> Response:
        profile = selectors.provider_profile_get_public(user=request.user, profile_id=profile_id)
        entries = selectors.portfolio_entries_for_profile(profile=profile)
        return paginated_response(
            serializer_class=PortfolioEntryOutputSerializer,
            queryset=entries,
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request=PortfolioEntryInputSerializer,
        responses=with_errors({201: PortfolioEntryOutputSerializer}, 400, 403, 404),
        description="Add an entry at the end (at most 30); only who acts for the provider.",
    )
    def post(self, request: Request, profile_id: int) -> Response:
        profile = selectors.provider_profile_get_public(user=request.user, profile_id=profile_id)
        data = validated(PortfolioEntryInputSerializer, request.data)
        entry = services.portfolio_entry_create(
            actor=request.user, profile=profile, **_entry_kwargs(data)
        )
        return Response(_entry_data(entry.pk, request.user), status=status.HTTP_201_CREATED)


class PortfolioOrderInputSerializer(serializers.Serializer):
    entries = serializers.ListField(
        child=StrictIntegerField(), help_text="Every entry id of the portfolio, in the new order."
    )


class PortfolioOrderApi(APIView):
    @extend_schema(
        tags=TAG,
        request=PortfolioOrderInputSerializer,
        responses=with_errors({200: PortfolioEntryOutputSerializer(many=True)}, 400, 403, 404),
        description="Reorder the portfolio: the list must name every entry exactly once.",
    )
    def put(self, request: Request, profile_id: int) -> Response:
        profile = selectors.provider_profile_get_public(user=request.user, profile_id=profile_id)
        data = validated(PortfolioOrderInputSerializer, request.data)
        services.portfolio_order_set(actor=request.user, profile=profile, entry_ids=data["entries"])
        entries = selectors.portfolio_entries_for_profile(profile=profile)
        return Response(PortfolioEntryOutputSerializer(entries, many=True).data)


class PortfolioEntryDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        request=PortfolioEntryInputSerializer,
        responses=with_errors({200: PortfolioEntryOutputSerializer}, 400, 404),
        description="Replace an entry's title, description, year, client and skills. Another "
        "provider's entry is a 404.",
    )
    def put(self, request: Request, entry_id: int) -> Response:
        entry = selectors.portfolio_entry_get_for_user(user=request.user, entry_id=entry_id)
        data = validated(PortfolioEntryInputSerializer, request.data)
        services.portfolio_entry_update(actor=request.user, entry=entry, **_entry_kwargs(data))
        return Response(_entry_data(entry.pk, request.user))

    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({204: None}, 404),
        description="Delete an entry with its files.",
    )
    def delete(self, request: Request, entry_id: int) -> Response:
        entry = selectors.portfolio_entry_get_for_user(user=request.user, entry_id=entry_id)
        services.portfolio_entry_delete(actor=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FileUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="An image (PNG, JPEG, GIF, WebP; re-encoded, with a thumbnail) or a "
        "document, archive or drawing; its content must match its name."
    )


class PortfolioFileCollectionApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": FileUploadInputSerializer},
        responses=with_errors({201: PortfolioFileOutputSerializer}, 400, 404),
        description="Attach an image or a file to an entry (at most 8; limits in "
        "MARKETPLACE.IMAGE_MAX_BYTES and PORTFOLIO_FILE_MAX_BYTES).",
    )
    def post(self, request: Request, entry_id: int) -> Response:
        entry = selectors.portfolio_entry_get_for_user(user=request.user, entry_id=entry_id)
        data = validated(FileUploadInputSerializer, request.data)
        item = services.portfolio_file_add(actor=request.user, entry=entry, upload=data["file"])
        return Response(PortfolioFileOutputSerializer(item).data, status=status.HTTP_201_CREATED)


class PortfolioFileDeleteApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({204: None}, 404),
        description="Remove a file from an entry. Another provider's file is a 404.",
    )
    def delete(self, request: Request, file_id: int) -> Response:
        item = selectors.portfolio_file_get_for_user(user=request.user, file_id=file_id)
        services.portfolio_file_remove(actor=request.user, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PictureUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A PNG, JPEG, GIF or WebP image (at most MARKETPLACE.AVATAR_MAX_BYTES); it is "
        "cropped to a square and re-encoded."
    )


class MyAvatarApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=PICTURE_TAG,
        request={"multipart/form-data": PictureUploadInputSerializer},
        responses=with_errors({200: MeOutputSerializer}, 400),
        description="Set your avatar (shown on your provider profile, bids and the header).",
    )
    def put(self, request: Request) -> Response:
        data = validated(PictureUploadInputSerializer, request.data)
        user = services.user_avatar_set(user=request.user, upload=data["file"])
        return Response(MeOutputSerializer(user).data)

    @extend_schema(
        tags=PICTURE_TAG,
        request=None,
        responses=with_errors({200: MeOutputSerializer}, 403),
        description="Remove your avatar; the initial of your name shows instead.",
    )
    def delete(self, request: Request) -> Response:
        user = services.user_avatar_set(user=request.user, upload=None)
        return Response(MeOutputSerializer(user).data)


class OrganizationLogoApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=PICTURE_TAG,
        request={"multipart/form-data": PictureUploadInputSerializer},
        responses=with_errors({200: OrganizationOutputSerializer}, 400, 403, 404),
        description="Set the organization's logo (owners and admins).",
    )
    def put(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        data = validated(PictureUploadInputSerializer, request.data)
        organization = services.organization_logo_set(
            actor=request.user, organization=organization, upload=data["file"]
        )
        return Response(OrganizationOutputSerializer(organization).data)

    @extend_schema(
        tags=PICTURE_TAG,
        request=None,
        responses=with_errors({200: OrganizationOutputSerializer}, 403, 404),
        description="Remove the organization's logo (owners and admins).",
    )
    def delete(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        organization = services.organization_logo_set(
            actor=request.user, organization=organization, upload=None
        )
        return Response(OrganizationOutputSerializer(organization).data)


class FavouriteProviderOutputSerializer(serializers.Serializer):
    provider = ProviderProfileOutputSerializer(source="profile")
    created_at = serializers.DateTimeField()


class FavouriteStateSerializer(serializers.Serializer):
    favourite = serializers.BooleanField()


class ProviderFavouriteListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=FAVOURITE_TAG,
        responses=with_errors({200: FavouriteProviderOutputSerializer(many=True)}, 403),
        description="Your starred providers, newest first. Nobody else sees them.",
    )
    def get(self, request: Request) -> Response:
        favourites = selectors.provider_favourites_for_user(user=request.user).prefetch_related(
            "profile__skill_levels__skill__category"
        )
        return paginated_response(
            serializer_class=FavouriteProviderOutputSerializer,
            queryset=favourites,
            request=request,
            view=self,
        )


class ProviderFavouriteApi(APIView):
    @extend_schema(
        tags=FAVOURITE_TAG,
        request=None,
        responses=with_errors({200: FavouriteStateSerializer}, 403, 404),
        description="Star a provider (idempotent).",
    )
    def put(self, request: Request, profile_id: int) -> Response:
        profile = selectors.provider_profile_get_public(user=request.user, profile_id=profile_id)
        services.provider_favourite_add(user=request.user, profile=profile)
        return Response({"favourite": True})

    @extend_schema(
        tags=FAVOURITE_TAG,
        request=None,
        responses=with_errors({200: FavouriteStateSerializer}, 403, 404),
        description="Remove the star (idempotent).",
    )
    def delete(self, request: Request, profile_id: int) -> Response:
        profile = selectors.provider_profile_get_public(user=request.user, profile_id=profile_id)
        services.provider_favourite_remove(user=request.user, profile=profile)
        return Response({"favourite": False})
