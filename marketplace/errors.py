"""Domain errors. Services raise these; the API exception handler and the pages map them once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the product refused the request. The message is safe to show to the user."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: Mapping[str, list[str | Promise]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.fields = dict(fields or {})

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {name: [str(m) for m in msgs] for name, msgs in self.fields.items()}
        return body


class ValidationFailed(DomainError):
    """The input is malformed or out of range."""

    status_code = 400
    code = "invalid"


class NotAllowed(DomainError):
    """The actor may not do this to this object."""

    status_code = 403
    code = "not_allowed"


class NotFound(DomainError):
    """The object does not exist or the actor may not know that it exists."""

    status_code = 404
    code = "not_found"


class InvalidTransition(DomainError):
    """The object's current state does not allow this move."""

    status_code = 409
    code = "invalid_state"


class Conflict(DomainError):
    """Someone else changed the object first, or a uniqueness rule refused it."""

    status_code = 409
    code = "conflict"


class RateLimited(DomainError):
    """The actor did this too often in a short time; they may try again shortly."""

    status_code = 429
    code = "rate_limited"


class FieldErrors:
    """Collects per-field messages so a form can show them all, then raises one ValidationFailed.

    errors = FieldErrors()
    errors.add("title", _("Give the task a title."))
    errors.raise_if_any()           # ValidationFailed("Some fields are not valid.", fields=...)
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[str | Promise]] = {}

    def add(self, field: str, message: str | Promise) -> None:
        self.errors.setdefault(field, []).append(message)

    def __contains__(self, field: object) -> bool:
        return field in self.errors

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, message: str | Promise | None = None) -> None:
        if self.errors:
            raise ValidationFailed(message or _("Some fields are not valid."), fields=self.errors)
