"""Avatars of people and logos of organizations: square images re-encoded by Pillow.

The stored name is the re-encoded image's SHA-256, so a new picture has a new URL and an old
one can be cached for long. The old file is deleted only after the change commits.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile

from accounts import events
from accounts.models import Organization, User
from accounts.services._common import lock_organization, require_manager
from marketplace.audit import audit_record
from marketplace.images import EncodedImage, check_image
from marketplace.permissions import require_active_user

PICTURE_SIDE = 256


def _checked(upload: UploadedFile | None) -> EncodedImage | None:
    """The picture re-encoded as a square, checked before any lock: a refused file writes
    nothing."""
    if upload is None:
        return None
    return check_image(
        upload,
        max_bytes=settings.MARKETPLACE["AVATAR_MAX_BYTES"],
        max_side=PICTURE_SIDE,
        thumb_side=PICTURE_SIDE,
        square=True,
    ).image


def _replace(field: FieldFile, encoded: EncodedImage | None) -> str:
    """Store the new picture (or none) in `field`; the old file goes after commit."""
    old = field.name
    if encoded is None:
        field.name = ""
        new = ""
    else:
        field.save(f"{encoded.sha256}.{encoded.extension}", ContentFile(encoded.data), save=False)
        new = encoded.sha256
    if old and old != field.name:
        transaction.on_commit(partial(field.storage.delete, old))
    return new


def user_avatar_set(*, user: Any, upload: UploadedFile | None) -> User:
    """A person sets (or, with None, removes) their own avatar."""
    require_active_user(user)
    encoded = _checked(upload)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        sha = _replace(user.avatar, encoded)
        user.save(update_fields=["avatar"])
        audit_record(
            actor=user, action="user.avatar_set" if sha else "user.avatar_remove",
            target=user, data={"sha256": sha},
        )  # fmt: skip
        events.user_changed(user, fields=("avatar",))
    return user


def organization_logo_set(
    *, actor: Any, organization: Organization, upload: UploadedFile | None
) -> Organization:
    """Owners and admins set (or, with None, remove) the organization's logo."""
    require_active_user(actor)
    encoded = _checked(upload)
    with transaction.atomic():
        organization = lock_organization(organization)
        require_manager(actor=actor, organization=organization)
        sha = _replace(organization.logo, encoded)
        organization.save(update_fields=["logo"])
        audit_record(
            actor=actor,
            action="organization.logo_set" if sha else "organization.logo_remove",
            target=organization,
            data={"sha256": sha},
        )
        events.organization_changed(organization, fields=("logo",))
    return organization
