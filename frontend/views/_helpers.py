"""Small helpers the page views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from accounts.models import Membership, Organization, User
from accounts.selectors import membership_get, organization_get_public
from marketplace.errors import NotFound

PAGE_SIZE = 20
T = TypeVar("T")


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view behind @login_required (typed as the account, not AnonymousUser)."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def get_or_404(selector: Callable[..., T], **kwargs: Any) -> T:
    """Call a permission-checked `*_get_*` selector; its NotFound becomes the 404 page."""
    try:
        return selector(**kwargs)
    except NotFound as exc:
        raise Http404(str(exc.message)) from None


def organization_or_404(slug: str) -> Organization:
    return get_or_404(organization_get_public, slug=slug)


def managed_organization(request: HttpRequest, slug: str) -> tuple[Organization, Membership]:
    """The organization for its settings pages: 404 for outsiders (its private side does not
    exist for them), 403 for members who are not owners or admins."""
    organization = organization_or_404(slug)
    membership = membership_get(user=request.user, organization=organization)
    if membership is None:
        raise Http404
    if not membership.can_manage:
        raise PermissionDenied
    return organization, membership
