"""API tokens: trade an email and password for the token that authenticates API calls."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.services.signin import signin_attempt
from marketplace.api import validated, with_errors
from marketplace.budgets import Budget
from marketplace.errors import NotAllowed, ValidationFailed


class TokenInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=4096)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send as "Authorization: Token <token>".')


# A hot path: its budget (tests/test_hot_path_budgets.py), SQL statements and Redis commands.
BUDGET = Budget(queries=10, redis=2)


class TokenApi(APIView):
    """POST: issue (or return) your API token. DELETE: revoke it."""

    # No request-count throttle of its own beyond the API's anonymous rate: successful sign-ins
    # must not use up an allowance. The sign-in limit (failures per account and per address,
    # shared with the web form) is accounts.services.signin.

    def get_authenticators(self) -> list[Any]:
        # POST needs no session (so no CSRF check); DELETE uses the usual authentication.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        tags=["auth"],
        request=TokenInputSerializer,
        responses=with_errors({200: TokenOutputSerializer}, 400, 403, 429),
        auth=[],
        description="Your API token for the email and password you sign in with. Failed "
        "sign-ins count against the account and the client address, the same counters as the "
        "web sign-in: a locked account answers 429 with Retry-After on both.",
    )
    def post(self, request: Request) -> Response:
        data = validated(TokenInputSerializer, request.data)
        user = signin_attempt(
            request=request._request,
            email=data["email"],
            authenticate=lambda: authenticate(
                request._request, username=data["email"], password=data["password"]
            ),
        )
        if user is None:
            raise ValidationFailed(
                _("The email address and password do not match an account."),
                code="invalid_credentials",
            )
        # A confirmed address is needed only where the web needs one to sign in.
        if (
            settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
            and not EmailAddress.objects.filter(
                user=user, email__iexact=user.email, verified=True
            ).exists()
        ):
            raise NotAllowed(_("Confirm your email address first."), code="email_unverified")
        return Response({"token": services.api_token_issue(user=user)})

    @extend_schema(tags=["auth"], request=None, responses=with_errors({204: None}, 403))
    def delete(self, request: Request) -> Response:
        services.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
