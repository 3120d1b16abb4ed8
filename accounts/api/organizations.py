"""Organizations and their members."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import MembershipOutputSerializer, OrganizationOutputSerializer
from accounts.models import Membership, Organization
from marketplace.api import Pagination, paginated_response, validated

TAG = ["organizations"]


class OrganizationDetailOutputSerializer(OrganizationOutputSerializer):
    members = serializers.SerializerMethodField()

    @extend_schema_field(MembershipOutputSerializer(many=True, allow_null=True))
    def get_members(self, organization: Organization) -> Any:
        """Only members see the member list; everyone else gets null."""
        memberships = self.context.get("memberships")
        if memberships is None:
            return None
        return MembershipOutputSerializer(memberships, many=True, context=self.context).data


class OrganizationCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    region = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    website = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")


class OrganizationCollectionApi(APIView):
    """GET: the organizations you belong to. POST: found one; you become its owner."""

    pagination_class = Pagination

    @extend_schema(tags=TAG, responses=OrganizationOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        organizations = selectors.organizations_with_role_for_user(user=request.user)
        return paginated_response(
            serializer_class=OrganizationOutputSerializer,
            queryset=organizations,
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request=OrganizationCreateInputSerializer,
        responses={201: OrganizationOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(OrganizationCreateInputSerializer, request.data)
        organization = services.organization_create(actor=request.user, **data)
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization.pk
        )
        return Response(
            OrganizationOutputSerializer(organization).data, status=status.HTTP_201_CREATED
        )


class OrganizationUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=Organization.Kind.choices, required=False)
    region = serializers.CharField(max_length=6, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)


class OrganizationDetailApi(APIView):
    """GET: one organization. PATCH: change the fields sent (owners and admins)."""

    @extend_schema(tags=TAG, responses=OrganizationDetailOutputSerializer)
    def get(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        context: dict = {}
        if organization.my_role is not None:  # type: ignore[attr-defined]
            context["memberships"] = list(
                selectors.organization_memberships(organization=organization)
            )
            context["show_email"] = organization.my_role in selectors.MANAGER_ROLES  # type: ignore[attr-defined]
        return Response(OrganizationDetailOutputSerializer(organization, context=context).data)

    @extend_schema(
        tags=TAG,
        request=OrganizationUpdateInputSerializer,
        responses=OrganizationOutputSerializer,
        description="Change some details; only the fields sent are changed (owners and admins).",
    )
    def patch(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        data = validated(OrganizationUpdateInputSerializer, request.data)
        services.organization_update(actor=request.user, organization=organization, **data)
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        return Response(OrganizationOutputSerializer(organization).data)


class MemberListApi(APIView):
    pagination_class = Pagination

    @extend_schema(tags=TAG, responses=MembershipOutputSerializer(many=True))
    def get(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        memberships = selectors.organization_memberships_for_user(
            user=request.user, organization=organization
        )
        return paginated_response(
            serializer_class=MembershipOutputSerializer,
            queryset=memberships,
            request=request,
            view=self,
            context={
                "show_email": selectors.user_can_manage_organization(
                    user=request.user, organization=organization
                )
            },
        )


class MembershipRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MembershipApi(APIView):
    """PATCH: change the member's role. DELETE: remove the member, or leave."""

    @extend_schema(
        tags=TAG, request=MembershipRoleInputSerializer, responses=MembershipOutputSerializer
    )
    def patch(self, request: Request, membership_id: int) -> Response:
        membership = selectors.membership_get_for_user(
            user=request.user, membership_id=membership_id
        )
        data = validated(MembershipRoleInputSerializer, request.data)
        membership = services.membership_set_role(
            actor=request.user, membership=membership, role=data["role"]
        )
        membership = selectors.membership_get_for_user(
            user=request.user, membership_id=membership.pk
        )
        return Response(MembershipOutputSerializer(membership, context={"show_email": True}).data)

    @extend_schema(
        tags=TAG,
        request=None,
        responses={204: None},
        description="Remove a member (owners and admins), or leave (your own membership).",
    )
    def delete(self, request: Request, membership_id: int) -> Response:
        membership = selectors.membership_get_for_user(
            user=request.user, membership_id=membership_id
        )
        services.membership_remove(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
