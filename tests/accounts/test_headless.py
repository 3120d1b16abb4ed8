"""Onboarding over the API, through allauth's headless API for apps (/_allauth/app/v1/): sign
up, confirm the email (and resend it), sign in, call our API with the session token, reset the
password. The same forms, adapter and sign-in limit as the web pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services.signin import limits
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
BASE = "/_allauth/app/v1"
NEW_PASSWORD = "a-brand-new-passphrase-7"


def post(path: str, body: dict, **headers: str):
    return APIClient().post(f"{BASE}{path}", body, format="json", headers=headers)


def key_in(message: mail.EmailMessage, fragment: str) -> str:
    link = next(u for u in re.findall(r"https?://\S+", message.body) if fragment in u)
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_sign_up_confirm_sign_in_and_use_the_api(settings) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = post(
        "/auth/signup",
        {
            "email": "App.User@example.com",
            "name": "App User",
            "role": "provider",
            "password": DEFAULT_PASSWORD,
        },
    )
    # Mandatory confirmation: signed up, not signed in yet (401 with the pending flow).
    assert response.status_code == 401, response.content
    flows = {flow["id"]: flow for flow in response.json()["data"]["flows"]}
    assert flows["verify_email"]["is_pending"]
    user = User.objects.get(email="app.user@example.com")
    assert user.name == "App User"

    # Resending: signing in with the unconfirmed address sends the confirmation again.
    session = response.json()["meta"]["session_token"]
    sent = len(mail.outbox)
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": False}
    again = post("/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert again.status_code == 401
    assert len(mail.outbox) == sent + 1
    assert mail.outbox[-1].to == ["app.user@example.com"]
    key = key_in(mail.outbox[-1], "/accounts/confirm-email/")
    verified = post("/auth/email/verify", {"key": key}, **{"X-Session-Token": session})
    assert verified.status_code == 200, verified.content
    assert verified.json()["meta"]["is_authenticated"]

    login = post("/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]
    me = APIClient().get("/api/v1/me/", headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["email"] == "app.user@example.com"


def test_a_bad_sign_up_is_a_400_with_field_errors_and_writes_nothing() -> None:
    UserFactory(email="taken@example.com")
    response = post("/auth/signup", {"email": "taken@example.com", "password": "short"})
    assert response.status_code == 400
    params = {error.get("param") for error in response.json()["errors"]}
    assert {"email", "password"} <= params
    assert User.objects.count() == 1


def test_password_reset_over_the_api() -> None:
    user = UserFactory()
    assert post("/auth/password/request", {"email": user.email}).status_code == 200
    key = key_in(mail.outbox[-1], "/accounts/password/reset/key/")
    response = post("/auth/password/reset", {"key": key, "password": NEW_PASSWORD})
    assert response.status_code in (200, 401), response.content  # 401: reset, now sign in
    assert post("/auth/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 200


def test_the_sign_in_limit_holds_on_the_headless_login_too() -> None:
    user = UserFactory()
    per_account = next(limit.failures for limit in limits() if limit.per == "key")
    for attempt in range(per_account):
        assert (
            post("/auth/login", {"email": user.email, "password": f"x{attempt}"}).status_code == 400
        )
    locked = post("/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    # And the same account is locked on the token endpoint, counted once for all paths.
    token = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert token.status_code == 429
