"""Invitations: managers invite by email; the invitee accepts with the emailed token."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import MembershipOutputSerializer, OrganizationBriefSerializer
from accounts.models import Invitation, Membership
from marketplace.api import Pagination, paginated_response, validated

TAG = ["invitations"]


def invitation_status(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    return "pending" if invitation.is_pending else "expired"


class InvitationOutputSerializer(serializers.Serializer):
    """What managers see; the token is only ever sent to the invitee's mailbox."""

    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    status = serializers.SerializerMethodField()
    invited_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(["pending", "expired", "accepted", "revoked"]))
    def get_status(self, invitation: Invitation) -> str:
        return invitation_status(invitation)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_invited_by(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.display_name if invitation.invited_by else None


class InvitationPreviewOutputSerializer(serializers.Serializer):
    """What the holder of the token sees before accepting."""

    organization = OrganizationBriefSerializer()
    email = serializers.EmailField()
    role = serializers.CharField()
    status = serializers.SerializerMethodField()
    invited_by = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(["pending", "expired", "accepted", "revoked"]))
    def get_status(self, invitation: Invitation) -> str:
        return invitation_status(invitation)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_invited_by(self, invitation: Any) -> str | None:
        return invitation.invited_by.display_name if invitation.invited_by else None


class InvitationCreateInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)


class InvitationCollectionApi(APIView):
    """GET: the organization's pending invitations. POST: invite someone by email."""

    pagination_class = Pagination

    @extend_schema(tags=TAG, responses=InvitationOutputSerializer(many=True))
    def get(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        invitations = selectors.invitations_pending_for_organization(
            user=request.user, organization=organization
        )
        return paginated_response(
            serializer_class=InvitationOutputSerializer,
            queryset=invitations,
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request=InvitationCreateInputSerializer,
        responses={201: InvitationOutputSerializer},
    )
    def post(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get_for_user(
            user=request.user, organization_id=organization_id
        )
        data = validated(InvitationCreateInputSerializer, request.data)
        invitation = services.invitation_create(
            actor=request.user, organization=organization, email=data["email"], role=data["role"]
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=InvitationOutputSerializer,
        description="Revoke the invitation (owners and admins); it is kept, as revoked.",
    )
    def delete(self, request: Request, invitation_id: int) -> Response:
        invitation = selectors.invitation_get_for_manager(
            user=request.user, invitation_id=invitation_id
        )
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(InvitationOutputSerializer(invitation).data)


class InvitationPreviewApi(APIView):
    @extend_schema(tags=TAG, responses=InvitationPreviewOutputSerializer)
    def get(self, request: Request, token: str) -> Response:
        invitation = selectors.invitation_get_by_token(token=token)
        return Response(InvitationPreviewOutputSerializer(invitation).data)


class InvitationAcceptApi(APIView):
    @extend_schema(tags=TAG, request=None, responses=MembershipOutputSerializer)
    def post(self, request: Request, token: str) -> Response:
        membership = services.invitation_accept(user=request.user, token=token)
        membership = selectors.membership_get_for_user(
            user=request.user, membership_id=membership.pk
        )
        return Response(MembershipOutputSerializer(membership).data)
