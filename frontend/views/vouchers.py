"""Innovation voucher pages: an organization's vouchers, the programmes' reports and CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import membership_get
from frontend.views._helpers import organization_or_404
from marketplace.errors import NotAllowed, NotFound
from payments.voucher_selectors import (
    programme_claims_csv,
    programme_csv_filename,
    programme_get_for_user,
    programme_report,
    programmes_visible_to,
    user_is_finance,
    vouchers_for_organization,
)


@login_required
def org_vouchers(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's vouchers: 404 for outsiders, 403 for plain members."""
    organization = organization_or_404(slug)
    membership = membership_get(user=request.user, organization=organization)
    if membership is None and not user_is_finance(request.user):
        raise Http404
    try:
        views = vouchers_for_organization(user=request.user, organization=organization)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    return render(
        request,
        "frontend/vouchers/org_vouchers.html",
        {"organization": organization, "vouchers": views},
    )


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = list(programmes_visible_to(user=request.user))
    return render(request, "frontend/vouchers/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    try:
        programme = programme_get_for_user(user=request.user, programme_id=programme_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "frontend/vouchers/programme_detail.html",
        {"report": programme_report(programme=programme), "programme": programme},
    )


@login_required
def programme_claims_download(request: HttpRequest, programme_id: int) -> HttpResponse:
    try:
        programme = programme_get_for_user(user=request.user, programme_id=programme_id)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(
        programme_claims_csv(programme=programme), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{programme_csv_filename(programme)}"'
    return response
