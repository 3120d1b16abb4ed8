"""Email sign-up, confirmation, login, the failed-login limit and password reset, through
allauth's real views (the sign-in limit is counted in the database: accounts.services.signin)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services.signin import limits as signin_limits
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


def link_in(message: mail.EmailMessage, path_fragment: str) -> str:
    """The path of the first link in the email whose URL contains `path_fragment`."""
    urls = re.findall(r"https?://[^\s\"'<>]+", message.body)
    matching = [u for u in urls if path_fragment in u]
    assert matching, message.body
    return re.sub(r"^https?://[^/]+", "", matching[0])


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def login(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def key_limit(action: str) -> int:
    """The per-account (`/key`) failure count configured in SIGN_IN_LIMITS."""
    assert action == "login_failed"
    return next(limit.failures for limit in signin_limits() if limit.per == "key")


def test_sign_up_confirm_the_email_then_log_in() -> None:
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Newcomer@Example.com",
            "name": "  Wang Xiaoming ",
            "role": "provider",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = User.objects.get()
    assert user.email == "newcomer@example.com"
    assert user.name == "Wang Xiaoming"
    assert user.language == "en"
    address = EmailAddress.objects.get(user=user)
    assert not address.verified

    # Verification is mandatory: the password alone does not sign in yet.
    fresh = Client()
    login(fresh, "newcomer@example.com", DEFAULT_PASSWORD)
    assert signed_in_user_id(fresh) is None

    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["newcomer@example.com"]
    confirm_path = link_in(confirmation, "/accounts/confirm-email/")
    assert client.get(confirm_path).status_code == 200  # confirming needs a POST
    address.refresh_from_db()
    assert not address.verified
    client.post(confirm_path)
    address.refresh_from_db()
    assert address.verified

    other_browser = Client()
    response = login(other_browser, "NEWCOMER@example.com", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in_user_id(other_browser) == str(user.pk)
    me = other_browser.get(reverse("accounts-api:me"))
    assert me.status_code == 200
    assert me.json()["email"] == "newcomer@example.com"


def test_wrong_passwords_are_rate_limited_per_account_after_the_configured_failures() -> None:
    user = UserFactory(email="target@example.com")
    limit = key_limit("login_failed")
    client = Client()
    for attempt in range(limit):
        response = login(client, user.email, f"wrong-{attempt}")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert signed_in_user_id(client) is None

    # The next attempt is refused before the password is even checked: even the right one.
    late = Client()
    response = login(late, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.context["form"].non_field_errors()
    assert signed_in_user_id(late) is None

    # Another account from the same place is not locked out by this one's failures.
    other = UserFactory()
    other_client = Client()
    login(other_client, other.email, DEFAULT_PASSWORD)
    assert signed_in_user_id(other_client) == str(other.pk)


def test_a_correct_password_before_the_limit_signs_in() -> None:
    user = UserFactory()
    client = Client()
    for attempt in range(key_limit("login_failed") - 1):
        login(client, user.email, f"wrong-{attempt}")
    login(client, user.email, DEFAULT_PASSWORD)
    assert signed_in_user_id(client) == str(user.pk)


def test_password_reset_by_email() -> None:
    user = UserFactory(email="forgetful@example.com")
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "Forgetful@Example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["forgetful@example.com"]

    reset_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    form_page = client.get(reset_path, follow=True)  # allauth moves the key into the session
    assert form_page.status_code == 200
    set_password_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_path
    response = client.post(
        set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    fresh = Client()
    login(fresh, user.email, NEW_PASSWORD)
    assert signed_in_user_id(fresh) == str(user.pk)


def test_password_reset_for_an_unknown_address_says_so_and_sends_nothing() -> None:
    # Sign-up already tells a taken address apart (ACCOUNT_PREVENT_ENUMERATION = False), so
    # the reset form may say plainly that no account uses this address.
    response = Client().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert mail.outbox == []
    assert not User.objects.filter(email="nobody@example.com").exists()


def test_signing_in_switches_the_interface_to_the_users_saved_language() -> None:
    user = UserFactory(language="en")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
