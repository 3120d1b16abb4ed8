"""Helpers for tests of server-rendered pages."""

from __future__ import annotations

from typing import Any

from django.test import Client


def html(response: Any) -> str:
    """The response body as text."""
    return response.content.decode()


def signed_in(user: Any, *, language: str | None = None) -> Client:
    """A test client signed in as `user`, asking for `language` pages when given."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
    client.force_login(user)
    return client
