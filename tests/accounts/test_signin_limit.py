"""One sign-in limit on every path: the web form and the API token endpoint count the same
failures, per account and per client address, in the database; a locked account answers 429
with Retry-After on both; successes use up nothing; and the limit holds with Redis down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import SignInFailure
from accounts.services.signin import limits
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def per(kind: str) -> int:
    return next(limit.failures for limit in limits() if limit.per == kind)


def web_login(email: str, password: str, address: str = "203.0.113.5"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return response, client.session.get(SESSION_KEY)


def token_login(email: str, password: str, address: str = "203.0.113.5"):
    return APIClient(REMOTE_ADDR=address).post(TOKEN_URL, {"email": email, "password": password})


def assert_locked_everywhere(email: str, address: str = "203.0.113.5") -> None:
    response, signed_in = web_login(email, DEFAULT_PASSWORD, address)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert signed_in is None
    api = token_login(email, DEFAULT_PASSWORD, address)
    assert api.status_code == 429
    assert api.json()["error"]["code"] == "too_many_attempts"
    assert int(api["Retry-After"]) > 0


def let_the_window_pass() -> None:
    longest = max(limit.seconds for limit in limits())
    for failure in SignInFailure.objects.all():
        SignInFailure.objects.filter(pk=failure.pk).update(
            at=failure.at - timedelta(seconds=longest + 1)
        )


def test_locked_through_the_web_the_token_endpoint_refuses_the_right_password() -> None:
    user = UserFactory()
    for attempt in range(per("key")):
        response, _signed_in = web_login(user.email, f"wrong-{attempt}")
        assert response.status_code == 200
    assert_locked_everywhere(user.email)
    # From another address too: the account is what is locked.
    assert_locked_everywhere(user.email, address="198.51.100.7")

    let_the_window_pass()
    assert token_login(user.email, DEFAULT_PASSWORD).status_code == 200
    response, signed_in = web_login(user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert signed_in == str(user.pk)


def test_failures_on_the_token_endpoint_lock_the_web_sign_in() -> None:
    user = UserFactory()
    for attempt in range(per("key")):
        assert token_login(user.email, f"wrong-{attempt}").status_code == 400
    assert SignInFailure.objects.count() == per("key")
    assert_locked_everywhere(user.email)
    let_the_window_pass()
    _response, signed_in = web_login(user.email, DEFAULT_PASSWORD)
    assert signed_in == str(user.pk)


def test_the_address_limit_spans_accounts_and_paths() -> None:
    victims = [UserFactory() for _ in range(per("ip"))]
    for index, victim in enumerate(victims):
        if index % 2:
            web_login(victim.email, "wrong")
        else:
            token_login(victim.email, "wrong")
    fresh = UserFactory()
    assert_locked_everywhere(fresh.email)
    # The same account from elsewhere is fine: only that address is locked.
    _response, signed_in = web_login(fresh.email, DEFAULT_PASSWORD, address="198.51.100.7")
    assert signed_in == str(fresh.pk)


def test_successful_sign_ins_use_up_nothing() -> None:
    user = UserFactory()
    for _ in range(per("ip") + per("key")):
        assert token_login(user.email, DEFAULT_PASSWORD).status_code == 200
        _response, signed_in = web_login(user.email, DEFAULT_PASSWORD)
        assert signed_in == str(user.pk)
    assert not SignInFailure.objects.exists()
    # The full allowance of failures is still there: one short of it never locks.
    for attempt in range(per("key") - 1):
        token_login(user.email, f"wrong-{attempt}")
    assert token_login(user.email, DEFAULT_PASSWORD).status_code == 200


def test_an_unknown_address_is_counted_without_revealing_it() -> None:
    for attempt in range(per("key")):
        assert token_login("nobody@example.com", f"guess-{attempt}").status_code == 400
    # Locked like a real account would be, so the answer tells nothing about who exists.
    assert token_login("nobody@example.com", "guess").status_code == 429
    stored = SignInFailure.objects.values_list("account_key", flat=True)
    assert all("nobody" not in key for key in stored)


def test_a_password_reset_forgives_the_account(mailoutbox) -> None:
    user = UserFactory()
    for attempt in range(per("key")):
        token_login(user.email, f"wrong-{attempt}")
    assert token_login(user.email, DEFAULT_PASSWORD).status_code == 429
    client = Client()
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = next(
        line for line in mailoutbox[-1].body.split() if "/accounts/password/reset/key/" in line
    )
    path = link.split("://", 1)[-1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else "/" + path,
        {"password1": "a-brand-new-passphrase-7", "password2": "a-brand-new-passphrase-7"},
    )
    assert token_login(user.email, "a-brand-new-passphrase-7").status_code == 200


def test_with_redis_down_sign_in_pages_and_the_api_work_and_the_limit_holds(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "marketplace.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    user = UserFactory()
    _response, signed_in = web_login(user.email, DEFAULT_PASSWORD)
    assert signed_in == str(user.pk)
    token = token_login(user.email, DEFAULT_PASSWORD)
    assert token.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.get("/api/v1/me/").status_code == 200
    assert Client().get(reverse("frontend:home")).status_code == 200

    for attempt in range(per("key")):
        web_login(user.email, f"wrong-{attempt}")
    assert_locked_everywhere(user.email)
