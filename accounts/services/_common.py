"""Checks shared by the accounts services: who may act, and input that must be clean."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from accounts.regions import REGION_CODES
from marketplace.errors import FieldErrors, NotAllowed
from marketplace.permissions import user_may_act


class _Unset:
    """Marks an optional argument the caller did not pass (None may be a real value)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()

MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def require_staff(actor: Any, perm: str) -> None:
    """Staff with the given model permission, not suspended; back-office actions go through
    this."""
    if not (user_may_act(actor) and actor.is_staff and actor.has_perm(perm)):
        raise NotAllowed(_("Only staff with the right permission can do this."))


def membership_locked(*, user: Any, organization: Organization) -> Membership | None:
    """The user's membership, row-locked for the rest of the transaction."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.select_for_update()
        .filter(user_id=user.pk, organization_id=organization.pk)
        .first()
    )


def require_manager(*, actor: Any, organization: Organization) -> Membership:
    """Owner or admin of the organization; says which when refused."""
    membership = membership_locked(user=actor, organization=organization)
    if membership is None:
        raise NotAllowed(
            _("You are not a member of %(org)s, so you cannot manage it.")
            % {"org": organization.name}
        )
    if membership.role not in MANAGER_ROLES:
        raise NotAllowed(
            _("Only the owners and admins of %(org)s can do this.") % {"org": organization.name}
        )
    return membership


def lock_organization(organization: Organization) -> Organization:
    """Lock the organization's row: the mutex for changes to its members and verification."""
    return Organization.objects.select_for_update().get(pk=organization.pk)


def clean_text(
    errors: FieldErrors,
    field: str,
    value: Any,
    *,
    max_length: int,
    required: bool = False,
) -> str:
    """Strip a text value and check its length; records a field error instead of raising."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    text = value.strip()
    if required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > max_length:
        errors.add(
            field,
            _("Use at most %(max)d characters (this has %(n)d).")
            % {"max": max_length, "n": len(text)},
        )
    return text


def clean_choice(errors: FieldErrors, field: str, value: Any, choices: Any) -> str:
    allowed = [str(v) for v, _label in choices]
    if value not in allowed:
        errors.add(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
        return ""
    return str(value)


def clean_region(errors: FieldErrors, field: str, value: Any) -> str:
    region = (value or "").strip() if isinstance(value, str) else value
    if region and region not in REGION_CODES:
        errors.add(field, _("Choose a region from the list."))
        return ""
    return region or ""


def clean_url(errors: FieldErrors, field: str, value: Any) -> str:
    url = clean_text(errors, field, value, max_length=200)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors.add(field, _("Enter a web address starting with http:// or https://."))
            return ""
    return url


def clean_int(
    errors: FieldErrors,
    field: str,
    value: Any,
    *,
    minimum: int,
    maximum: int,
    allow_none: bool = False,
) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field, _("Enter a whole number."))
        return None
    if not minimum <= value <= maximum:
        errors.add(
            field,
            _("Enter a number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum},
        )
        return None
    return value


@contextmanager
def integrity_as(error: Callable[[], Exception]) -> Iterator[None]:
    """Run a write in a savepoint; a unique-constraint race becomes the given domain error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise error() from exc
