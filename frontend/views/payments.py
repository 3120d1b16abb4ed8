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
from marketplace.errors import DomainError, NotAllowed, NotFound
from payments.models import GatewayObject
from payments.selectors import provider_earnings
from payments.services import escrow_fund


@login_required
@require_POST
def escrow_fund_page(request: HttpRequest, contract_id: int) -> HttpResponse:
    try:
        contract = contract_get_for_user(user=request.user, contract_id=contract_id)
    except NotFound:
        raise Http404 from None
    url = reverse("frontend:contract_detail", args=[contract.pk])
    try:
        payment = escrow_fund(
            actor=request.user, contract=contract, scope=request.POST.get("scope", "all")
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(url)
    if payment.status == GatewayObject.Status.SUCCEEDED:
        messages.success(request, _("The escrow is funded; work can start."))
    else:
        messages.info(request, _("The payment is being processed; the page updates when it is."))
    return HttpResponseRedirect(url)


@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    profile_ids = provider_profile_ids_operated_by(user=request.user)
    return render(
        request,
        "frontend/payments/earnings.html",
        {"earnings": provider_earnings(profile_ids=profile_ids)},
    )
