"""API tokens: an email and password buy a token; the token authenticates; revoking ends it."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_a_token_for_the_right_password_authenticates_api_calls() -> None:
    user = UserFactory()
    response = APIClient().post(URL, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["email"] == user.email
    # Asking again returns the same token rather than piling up keys.
    again = APIClient().post(URL, {"email": user.email.upper(), "password": DEFAULT_PASSWORD})
    assert again.json()["token"] == token


@pytest.mark.parametrize(
    "body",
    [
        {"email": "nobody@example.com", "password": DEFAULT_PASSWORD},
        {"email": "user@example.com", "password": "wrong-password"},
        {"email": "not-an-email", "password": "x"},
        {},
    ],
)
def test_wrong_credentials_get_a_clear_400_and_no_token(body: dict[str, str]) -> None:
    UserFactory(email="user@example.com")
    response = APIClient().post(URL, body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Token.objects.exists()


def test_an_unconfirmed_email_gets_a_token_where_confirmation_is_optional(settings) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    user = UserFactory(email_verified=False)
    response = APIClient().post(URL, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert Token.objects.filter(user=user).exists()


def test_an_unconfirmed_email_gets_no_token_where_confirmation_is_mandatory(settings) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    user = UserFactory(email_verified=False)
    response = APIClient().post(URL, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_unverified"
    assert not Token.objects.exists()


def test_a_suspended_account_gets_no_token() -> None:
    user = UserFactory(suspended=True)
    response = APIClient().post(URL, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert not Token.objects.exists()


def test_wrong_passwords_lock_the_account_and_a_locked_account_answers_429() -> None:
    UserFactory(email="user@example.com")
    codes = [
        APIClient().post(URL, {"email": "user@example.com", "password": "guess"}).status_code
        for _ in range(5)
    ]
    assert codes == [400] * 5
    response = APIClient().post(URL, {"email": "user@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert int(response["Retry-After"]) > 0
    assert not Token.objects.exists()


def test_revoking_the_token_ends_it() -> None:
    user = UserFactory()
    token = (
        APIClient().post(URL, {"email": user.email, "password": DEFAULT_PASSWORD}).json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(URL).status_code == 204
    assert client.get("/api/v1/me/").status_code in (401, 403)
