"""Real-name verification (实名认证) of a person and of an organization."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import VerificationRequest
from accounts.selectors import verification_latest_for_organization, verification_latest_for_user
from frontend.forms import OrganizationVerificationForm, PersonVerificationForm
from frontend.forms_errors import form_apply_domain_error
from frontend.views._helpers import managed_organization, signed_in_user
from marketplace.errors import DomainError


def _can_submit(verified: bool, latest: VerificationRequest | None) -> bool:
    return not verified and (latest is None or latest.status != VerificationRequest.Status.PENDING)


@login_required
def verify_person(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    latest = verification_latest_for_user(user=user)
    can_submit = _can_submit(user.is_real_name_verified, latest)
    form = PersonVerificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and can_submit and form.is_valid():
        try:
            account_services.verification_submit_person(user=user, **form.submission())
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your request is submitted. We usually review it within two working days."),
            )
            return redirect("frontend:verify_person")
    return render(
        request,
        "frontend/verify/person.html",
        {"form": form, "latest": latest, "can_submit": can_submit},
        status=400 if form.errors else 200,
    )


@login_required
def verify_organization(request: HttpRequest, slug: str) -> HttpResponse:
    organization, _membership = managed_organization(request, slug)
    latest = verification_latest_for_organization(organization=organization)
    can_submit = _can_submit(organization.is_verified, latest)
    form = OrganizationVerificationForm(
        request.POST or None, request.FILES or None, initial={"legal_name": organization.name}
    )
    if request.method == "POST" and can_submit and form.is_valid():
        try:
            account_services.verification_submit_organization(
                actor=request.user, organization=organization, **form.submission()
            )
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The request is submitted. We usually review it within two working days."),
            )
            return redirect("frontend:verify_organization", slug=organization.slug)
    return render(
        request,
        "frontend/verify/organization.html",
        {"form": form, "latest": latest, "can_submit": can_submit, "organization": organization},
        status=400 if form.errors else 200,
    )
