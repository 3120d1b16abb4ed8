"""Receipt pages: a poster organization's (owners and admins) and a provider's, with CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import memberships_for_user, provider_profile_ids_operated_by
from frontend.views._helpers import managed_organization, paginate
from payments.models import Receipt
from payments.receipts import organization_receipts, provider_receipts, receipts_csv


def _csv(receipts: QuerySet[Receipt], name: str) -> HttpResponse:
    response = HttpResponse(receipts_csv(receipts), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="receipts-{name}-{timezone.localdate():%Y%m%d}.csv"'
    )
    return response


@login_required
def org_receipts(request: HttpRequest, slug: str) -> HttpResponse:
    organization, _membership = managed_organization(request, slug)
    receipts = organization_receipts(organization=organization)
    return render(
        request,
        "frontend/payments/receipts.html",
        {
            "organization": organization,
            "page_obj": paginate(request, receipts),
            "csv_url_name": "frontend:org_receipts_csv",
        },
    )


@login_required
def org_receipts_csv(request: HttpRequest, slug: str) -> HttpResponse:
    organization, _membership = managed_organization(request, slug)
    return _csv(organization_receipts(organization=organization), organization.slug)


@login_required
def my_receipts(request: HttpRequest) -> HttpResponse:
    receipts = provider_receipts(profile_ids=provider_profile_ids_operated_by(user=request.user))
    managed = [m.organization for m in memberships_for_user(user=request.user) if m.can_manage]
    return render(
        request,
        "frontend/payments/receipts.html",
        {
            "page_obj": paginate(request, receipts),
            "managed_organizations": managed,
            "csv_url_name": "frontend:my_receipts_csv",
        },
    )


@login_required
def my_receipts_csv(request: HttpRequest) -> HttpResponse:
    profile_ids = provider_profile_ids_operated_by(user=request.user)
    return _csv(provider_receipts(profile_ids=profile_ids), "provider")
