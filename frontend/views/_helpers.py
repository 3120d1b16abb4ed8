"""Small helpers the page views share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from accounts.models import Membership, Organization
from accounts.selectors import membership_get
from frontend.selectors import organization_get_by_slug

PAGE_SIZE = 20


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def organization_or_404(slug: str) -> Organization:
    organization = organization_get_by_slug(slug=slug)
    if organization is None:
        raise Http404
    return organization


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
