"""The field-error collector services use to report every bad field at once."""

from __future__ import annotations

import pytest
from django.utils import translation

from marketplace.errors import FieldErrors, ValidationFailed


def test_nothing_is_raised_while_no_field_has_an_error() -> None:
    errors = FieldErrors()
    errors.raise_if_any()
    assert not errors
    assert "title" not in errors


def test_every_message_is_kept_per_field_in_order_and_raised_once() -> None:
    errors = FieldErrors()
    errors.add("title", "Too long.")
    errors.add("budget", "Too low.")
    errors.add("title", "Not unique.")
    assert "title" in errors
    with pytest.raises(ValidationFailed) as excinfo:
        errors.raise_if_any()
    assert excinfo.value.fields == {"title": ["Too long.", "Not unique."], "budget": ["Too low."]}
    with translation.override("en"):
        assert excinfo.value.as_dict()["message"] == "Some fields are not valid."


def test_the_caller_may_say_what_went_wrong_overall() -> None:
    errors = FieldErrors()
    errors.add("reason", "Required.")
    with pytest.raises(ValidationFailed, match="Say why"):
        errors.raise_if_any("Say why.")
