"""The provider's payout account page: its status, what is missing, and the way to set it up."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_ids_operated_by
from frontend.forms_errors import form_apply_domain_error
from marketplace.errors import DomainError, NotFound, ValidationFailed
from payments.gateway import gateway
from payments.selectors import payout_statuses
from payments.services.connect import (
    HOLDER_NAME_MAX,
    payout_account_link,
    payout_account_open,
    payout_account_sandbox_activate,
    payout_provider_get_for_user,
)


class SandboxPayoutForm(forms.Form):
    holder_name = forms.CharField(
        label=gettext_lazy("Account holder's name"),
        max_length=HOLDER_NAME_MAX,
        help_text=gettext_lazy("Sandbox: no bank details are asked for and no money is paid."),
    )


def _provider_or_404(request: HttpRequest, provider_id: int) -> ProviderProfile:
    try:
        return payout_provider_get_for_user(user=request.user, provider_id=provider_id)
    except NotFound:
        raise Http404 from None


@login_required
def payouts(request: HttpRequest) -> HttpResponse:
    profile_ids = provider_profile_ids_operated_by(user=request.user)
    if request.GET.get("returned"):
        messages.info(
            request,
            _(
                "Thanks. The payment processor is checking your details; this page shows the "
                "result."
            ),
        )
    return render(
        request,
        "frontend/payments/payouts.html",
        {"statuses": payout_statuses(profile_ids=profile_ids), "gateway_name": gateway().name},
    )


def _redirect_to_link(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider_or_404(request, provider_id)
    try:
        url = payout_account_link(
            actor=request.user,
            provider=provider,
            refresh_url=request.build_absolute_uri(
                reverse("frontend:payouts_refresh", args=[provider.pk])
            ),
            return_url=request.build_absolute_uri(reverse("frontend:payouts") + "?returned=1"),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("frontend:payouts"))
    return HttpResponseRedirect(url)


@login_required
@require_POST
def payouts_setup(request: HttpRequest, provider_id: int) -> HttpResponse:
    """ "Set up payouts" / "Continue setup": to Stripe's onboarding, or the sandbox form."""
    return _redirect_to_link(request, provider_id)


@login_required
def payouts_refresh(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Stripe sends the provider here when a link expired: a fresh link, at once."""
    return _redirect_to_link(request, provider_id)


@login_required
@require_http_methods(["GET", "POST"])
def payouts_sandbox(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The sandbox's stand-in for Stripe's onboarding: activates a sandbox payout account."""
    provider = _provider_or_404(request, provider_id)
    if gateway().name != "sandbox":
        raise Http404
    form = SandboxPayoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payout_account_sandbox_activate(
                actor=request.user,
                provider=provider,
                holder_name=form.cleaned_data["holder_name"],
            )
        except ValidationFailed as exc:
            form_apply_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(reverse("frontend:payouts"))
        else:
            messages.success(request, _("Payouts are active. Money you are owed is sent now."))
            return HttpResponseRedirect(reverse("frontend:payouts"))
    elif request.method == "GET":
        try:
            payout_account_open(actor=request.user, provider=provider)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(reverse("frontend:payouts"))
    return render(
        request, "frontend/payments/payouts_sandbox.html", {"form": form, "provider": provider}
    )
