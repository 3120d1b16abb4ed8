"""Passwords are hashed with Argon2id; an older hash is rewritten at the next sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from rest_framework.test import APIClient

from accounts.hashers import Argon2idPasswordHasher
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# The project's list as settings.py has it (tests/conftest.py swaps in MD5 for speed).
PROJECT_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def test_the_settings_put_argon2id_first() -> None:
    # conftest swaps in a fast hasher per test; the module's own value is what ships.
    import marketplace.settings as shipped

    assert shipped.PASSWORD_HASHERS == PROJECT_HASHERS


def test_a_new_password_is_an_argon2id_hash_with_the_owasp_parameters(settings) -> None:
    settings.PASSWORD_HASHERS = PROJECT_HASHERS
    user = UserFactory()
    user.set_password(DEFAULT_PASSWORD)
    user.save()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert isinstance(identify_hasher(user.password), Argon2idPasswordHasher)


def test_a_pbkdf2_hash_is_rewritten_as_argon2id_at_the_next_sign_in(settings) -> None:
    settings.PASSWORD_HASHERS = PROJECT_HASHERS
    user = UserFactory()
    user.password = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    # And the rewritten hash still signs in.
    again = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert again.status_code == 200
