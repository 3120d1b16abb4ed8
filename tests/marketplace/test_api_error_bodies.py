"""Every error under /api/v1/ has the one body {"error": {"code", "message"}}: also the ones
Django produces before a DRF view runs (a path no route matches, a body too large, a multipart
body Django refuses), and a missing credential is a 401 with WWW-Authenticate."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"]
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def signed_in() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


@pytest.mark.parametrize("path", ["/api/v1/tasks/abc/", "/api/v1/no-such-thing/", "/api/v1/"])
def test_a_path_or_id_no_route_matches_is_a_404_error_body(signed_in, path) -> None:
    assert error_of(signed_in.get(path), 404)["code"] == "not_found"


def test_an_unknown_id_is_a_404_error_body(signed_in) -> None:
    assert error_of(signed_in.get("/api/v1/tasks/999999/"), 404)["code"] == "not_found"


def test_malformed_json_is_a_400_error_body(signed_in) -> None:
    response = signed_in.post("/api/v1/tasks/", b'{"title": ', content_type="application/json")
    assert error_of(response, 400)["code"] == "parse_error"


def test_multipart_without_a_boundary_is_a_400_error_body(signed_in) -> None:
    response = signed_in.post("/api/v1/tasks/", b"zz", content_type="multipart/form-data")
    assert error_of(response, 400)["code"] == "parse_error"


def test_a_multipart_body_django_refuses_is_a_400_error_body() -> None:
    # More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses it before any view runs.
    fields = {f"f{i}": "x" for i in range(1100)}
    response = Client().post("/api/v1/auth/token/", fields)
    assert error_of(response, 400)


def test_a_wrong_method_is_a_405_error_body_with_allow(signed_in) -> None:
    response = signed_in.delete("/api/v1/me/")
    error = error_of(response, 405)
    assert error["code"] == "method_not_allowed"
    assert response["Allow"]


def test_a_body_over_the_limit_is_a_413_before_it_is_read(signed_in, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = signed_in.post(
        "/api/v1/tasks/", b'{"title": "' + b"x" * 2048 + b'"}', content_type="application/json"
    )
    assert error_of(response, 413)["code"] == "too_large"


def test_a_multipart_body_over_its_limit_is_a_413(signed_in, settings) -> None:
    settings.API_MAX_MULTIPART_BYTES = 4096
    response = signed_in.post("/api/v1/tasks/", {"title": "x" * 8192}, format="multipart")
    assert error_of(response, 413)["code"] == "too_large"


def test_an_unsupported_media_type_is_a_415_error_body(signed_in) -> None:
    response = signed_in.post("/api/v1/tasks/", b"a,b", content_type="text/csv")
    assert error_of(response, 415)["code"] == "unsupported_media_type"


def test_no_credentials_is_a_401_with_a_challenge() -> None:
    response = APIClient().get("/api/v1/me/")
    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401_with_a_challenge() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/me/")
    assert error_of(response, 401)["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"
