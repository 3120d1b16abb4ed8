"""The designed error pages, and a GET of a POST-only page going to its page."""

from __future__ import annotations

import pytest
from django.test import Client

from frontend.middleware import page_for
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_task_is_the_designed_404_in_the_visitors_language() -> None:
    response = Client(headers={"accept-language": "en"}).get("/tasks/99999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "URLconf" not in page
    assert "Using the URLconf" not in page


def test_a_get_of_a_post_only_page_goes_to_its_page() -> None:
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/notifications/read/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"


def test_another_method_on_a_post_only_page_is_the_designed_405_with_allow() -> None:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory())
    response = client.put("/notifications/read/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "This address only takes a form" in response.content.decode()


def test_the_api_keeps_its_own_405_body() -> None:
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/api/v1/notifications/read/")
    assert response.status_code == 405
    assert response.json()["error"]["code"]


def test_page_for_climbs_to_the_nearest_routed_page() -> None:
    assert page_for("/notifications/read/") == "/notifications/"
    assert page_for("/tasks/5/no-such-action/") == "/tasks/5/"
    assert page_for("/") == "/"


def test_a_server_error_is_the_designed_500(settings) -> None:
    from frontend.views.errors import server_error

    request = Client().get("/").wsgi_request
    response = server_error(request)
    assert response.status_code == 500
    assert "众包" in response.content.decode()
