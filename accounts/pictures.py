"""Where avatars, logos and portfolio images are served, and the views that serve them.

Every stored name carries the file's SHA-256, so a URL names one version of a picture: it may
be cached for a year, and a new picture gets a new URL. Pictures are served with the type we
re-encoded them as, `nosniff` and a sandboxing CSP; portfolio documents are downloads.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import selectors
from accounts.models import Organization, PortfolioFile, ProviderProfile, User
from marketplace.errors import NotFound
from marketplace.files import file_download

_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}
YEAR = 365 * 24 * 3600


def _basename(field: FieldFile) -> str:
    return PurePath(field.name or "").name


def user_picture_url(user: User | Any) -> str:
    avatar = getattr(user, "avatar", None)
    if not avatar:
        return ""
    return reverse("pictures:user", kwargs={"user_id": user.pk, "name": _basename(avatar)})


def organization_picture_url(organization: Organization | Any) -> str:
    logo = getattr(organization, "logo", None)
    if not logo:
        return ""
    return reverse(
        "pictures:organization",
        kwargs={"organization_id": organization.pk, "name": _basename(logo)},
    )


def provider_picture_url(profile: ProviderProfile) -> str:
    """A firm's logo, a person's avatar, or "" for the initial instead."""
    if profile.organization_id:
        return organization_picture_url(profile.organization)
    return user_picture_url(profile.user)


def portfolio_file_url(item: PortfolioFile, *, thumbnail: bool = False) -> str:
    return reverse(
        "pictures:portfolio",
        kwargs={"file_id": item.pk, "variant": "thumb" if thumbnail else "full"},
    )


def _inline(stored: FieldFile) -> FileResponse:
    content_type = _TYPES.get(PurePath(stored.name or "").suffix)
    if content_type is None:
        raise Http404
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def _named(stored: FieldFile, name: str) -> FileResponse:
    if _basename(stored) != name:
        raise Http404
    return _inline(stored)


@require_GET
def user_picture(request: HttpRequest, user_id: int, name: str) -> FileResponse:
    try:
        return _named(selectors.user_picture_get(user_id=user_id), name)
    except NotFound:
        raise Http404 from None


@require_GET
def organization_picture(request: HttpRequest, organization_id: int, name: str) -> FileResponse:
    try:
        return _named(selectors.organization_picture_get(organization_id=organization_id), name)
    except NotFound:
        raise Http404 from None


@require_GET
def portfolio_file(request: HttpRequest, file_id: int, variant: str) -> FileResponse:
    """An image of a public portfolio entry (full size or thumbnail), or a document as a
    download under its original name."""
    try:
        item = selectors.portfolio_file_get_public(user=request.user, file_id=file_id)
    except NotFound:
        raise Http404 from None
    if item.is_image:
        response = _inline(item.thumbnail if variant == "thumb" else item.file)
        response["Cache-Control"] = "public, max-age=3600"
        return response
    if variant == "thumb":
        raise Http404
    return file_download(stored=item.file, name=item.original_name, content_type=item.content_type)
