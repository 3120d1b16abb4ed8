"""Organizations: mine, create, public page, settings (details, members, invitations)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import Membership, Organization
from accounts.selectors import (
    invitation_get_by_token,
    invitation_get_for_manager,
    invitations_pending_for_organization,
    membership_get,
    membership_get_for_user,
    memberships_for_user,
    organization_memberships,
    provider_profile_for_organization,
    verification_latest_for_organization,
)
from frontend.forms import InvitationForm, OrganizationDetailsForm, OrganizationForm, RoleForm
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_profiles import PictureForm
from frontend.views._helpers import is_htmx, managed_organization, organization_or_404
from marketplace.errors import DomainError, NotFound
from tasks.selectors import tasks_listed_for


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    memberships = memberships_for_user(user=request.user)
    return render(request, "frontend/orgs/list.html", {"memberships": memberships})


@login_required
def org_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None, initial={"kind": Organization.Kind.ENTERPRISE})
    if request.method == "POST" and form.is_valid():
        try:
            organization = account_services.organization_create(
                actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(org)s is registered and you are its owner.") % {"org": organization.name},
            )
            return redirect("frontend:org_settings", slug=organization.slug)
    return render(request, "frontend/orgs/new.html", {"form": form})


def org_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_or_404(slug)
    membership = membership_get(user=request.user, organization=organization)
    context = {
        "organization": organization,
        "membership": membership,
        "provider": provider_profile_for_organization(organization=organization),
        "member_count": organization_memberships(organization=organization).count(),
        # What the reputation panel counts as published, listed (as browse would list them).
        "tasks": list(
            tasks_listed_for(user=request.user)
            .filter(organization=organization)
            .order_by("-published_at", "-pk")[:20]
        ),
    }
    return render(request, "frontend/orgs/detail.html", context)


def _member_of(user: Any, organization: Organization, membership_id: int) -> Membership | None:
    """A membership of this organization (an id from another organization counts as none)."""
    try:
        member = membership_get_for_user(user=user, membership_id=membership_id)
    except NotFound:
        return None
    return member if member.organization_id == organization.pk else None


def _settings_context(
    request: HttpRequest, organization: Organization, membership: Membership, **forms: Any
) -> dict[str, Any]:
    members = list(organization_memberships(organization=organization))
    for member in members:
        member.role_form = RoleForm(  # type: ignore[attr-defined]
            initial={"role": member.role}, prefix=f"m{member.pk}"
        )
    return {
        "organization": organization,
        "membership": membership,
        "members": members,
        "invitations": invitations_pending_for_organization(
            user=request.user, organization=organization
        ),
        "details_form": forms.get("details_form")
        or OrganizationDetailsForm(
            initial={
                "name": organization.name,
                "region": organization.region,
                "description": organization.description,
                "website": organization.website,
            }
        ),
        "invite_form": forms.get("invite_form") or InvitationForm(),
        "picture_form": PictureForm(),
        "verification": verification_latest_for_organization(organization=organization),
        "provider": provider_profile_for_organization(organization=organization),
        "roles": Membership.Role.choices,
    }


@login_required
def org_settings(request: HttpRequest, slug: str) -> HttpResponse:
    organization, membership = managed_organization(request, slug)
    details_form = None
    if request.method == "POST":
        details_form = OrganizationDetailsForm(request.POST)
        if details_form.is_valid():
            try:
                account_services.organization_update(
                    actor=request.user, organization=organization, **details_form.cleaned_data
                )
            except DomainError as exc:
                form_apply_domain_error(details_form, exc)
            else:
                messages.success(request, _("The organization's details are saved."))
                return redirect("frontend:org_settings", slug=organization.slug)
    context = _settings_context(request, organization, membership, details_form=details_form)
    return render(request, "frontend/orgs/settings.html", context)


@login_required
@require_POST
def org_invite(request: HttpRequest, slug: str) -> HttpResponse:
    organization, membership = managed_organization(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = account_services.invitation_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
            )
            return redirect("frontend:org_settings", slug=organization.slug)
    context = _settings_context(request, organization, membership, invite_form=form)
    return render(request, "frontend/orgs/settings.html", context, status=400)


@login_required
@require_POST
def org_invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    organization, _membership = managed_organization(request, slug)
    try:
        invitation = invitation_get_for_manager(user=request.user, invitation_id=invitation_id)
    except NotFound:
        return redirect("frontend:org_settings", slug=organization.slug)
    if invitation.organization_id != organization.pk:
        return redirect("frontend:org_settings", slug=organization.slug)
    try:
        account_services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email}
        )
    return redirect("frontend:org_settings", slug=organization.slug)


def _member_response(
    request: HttpRequest,
    organization: Organization,
    membership: Membership,
    member: Membership | None,
    error: str = "",
) -> HttpResponse:
    if is_htmx(request):
        if member is None:
            return HttpResponse("")
        member.role_form = RoleForm(  # type: ignore[attr-defined]
            initial={"role": member.role}, prefix=f"m{member.pk}"
        )
        return render(
            request,
            "frontend/orgs/_member_row.html",
            {
                "organization": organization,
                "membership": membership,
                "member": member,
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("frontend:org_settings", slug=organization.slug)


@login_required
@require_POST
def org_member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organization, membership = managed_organization(request, slug)
    member = _member_of(request.user, organization, membership_id)
    if member is None:
        return _member_response(request, organization, membership, None)
    form = RoleForm(request.POST, prefix=f"m{member.pk}")
    error = ""
    if not form.is_valid():
        error = _("Choose a role.")
    else:
        try:
            member = account_services.membership_set_role(
                actor=request.user, membership=member, role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            if not is_htmx(request):
                messages.success(
                    request,
                    _("%(name)s is now %(role)s.")
                    % {"name": member.user.display_name, "role": member.get_role_display()},
                )
    member = _member_of(request.user, organization, membership_id)
    return _member_response(request, organization, membership, member, error)


@login_required
@require_POST
def org_member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organization, membership = managed_organization(request, slug)
    member = _member_of(request.user, organization, membership_id)
    if member is None:
        return _member_response(request, organization, membership, None)
    try:
        account_services.membership_remove(actor=request.user, membership=member)
    except DomainError as exc:
        return _member_response(request, organization, membership, member, str(exc.message))
    if member.user_id == request.user.pk:
        messages.success(request, _("You have left %(org)s.") % {"org": organization.name})
        response: HttpResponse = redirect("frontend:org_list")
        if is_htmx(request):
            response = HttpResponse("")
            response["HX-Redirect"] = reverse("frontend:org_list")
        return response
    if not is_htmx(request):
        messages.success(request, _("%(name)s is removed.") % {"name": member.user.display_name})
    return _member_response(request, organization, membership, None)


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_get_by_token(token=token)
    except NotFound:
        invitation = None
    error = ""
    if request.method == "POST" and invitation is not None:
        try:
            membership = account_services.invitation_accept(user=request.user, token=token)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(
                request,
                _("Welcome to %(org)s.") % {"org": membership.organization.name},
            )
            return redirect("frontend:org_detail", slug=membership.organization.slug)
    status = 404 if invitation is None else 200
    return render(
        request,
        "frontend/orgs/invitation.html",
        {"invitation": invitation, "error": error},
        status=status,
    )
