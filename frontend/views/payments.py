"""Payment pages: funding a contract's escrow, a provider's earnings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import provider_profile_ids_operated_by
from contracts.selectors import contract_get_for_user
from marketplace.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from marketplace.money import Money
from payments.selectors import provider_earnings
from payments.services import escrow_fund_start


@login_required
@require_POST
def escrow_fund_page(request: HttpRequest, contract_id: int) -> HttpResponse:
    try:
        contract = contract_get_for_user(user=request.user, contract_id=contract_id)
    except NotFound:
        raise Http404 from None
    url = reverse("frontend:contract_detail", args=[contract.pk])
    try:
        voucher_id, voucher_amount = _voucher_choice(request, contract.currency)
        funding = escrow_fund_start(
            actor=request.user,
            contract=contract,
            scope=request.POST.get("scope", "all"),
            voucher_id=voucher_id,
            voucher_amount=voucher_amount,
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(url)
    if funding.succeeded and funding.voucher_spend is not None:
        messages.success(
            request,
            _("The escrow is funded, %(voucher)s of it by voucher %(code)s; work can start.")
            % {
                "voucher": funding.voucher_part.format(),
                "code": funding.voucher_spend.voucher.code,
            },
        )
    elif funding.succeeded:
        messages.success(request, _("The escrow is funded; work can start."))
    else:
        messages.info(request, _("The payment is being processed; the page updates when it is."))
    return HttpResponseRedirect(url)


def _voucher_choice(request: HttpRequest, currency: str) -> tuple[int | None, Money | None]:
    """The voucher the form chose ("" for none) and the amount typed in yuan ("" for the most
    it may pay)."""
    raw_id = request.POST.get("voucher", "").strip()
    if not raw_id:
        return None, None
    if not raw_id.isdigit():
        raise ValidationFailed(_("Choose one of your organization's vouchers."))
    raw_amount = request.POST.get("voucher_amount", "").strip()
    amount = Money.parse(raw_amount, currency) if raw_amount else None
    return int(raw_id), amount


@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    profile_ids = provider_profile_ids_operated_by(user=request.user)
    return render(
        request,
        "frontend/payments/earnings.html",
        {"earnings": provider_earnings(profile_ids=profile_ids)},
    )
