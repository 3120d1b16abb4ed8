"""Disputes: opening one from the contract page, the dispute page (timeline, statements,
response, evidence, decision, appeal), and evidence downloads.

What a user may do is decided by disputes.selectors.dispute_capabilities and enforced by
disputes.services; these views ask them, render, and turn domain errors into form errors or
messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors as contract_selectors
from contracts.models import Contract, Milestone
from disputes import selectors, services
from disputes.models import Dispute
from frontend.forms_disputes import (
    DisputeAppealForm,
    DisputeEvidenceForm,
    DisputeOpenForm,
    DisputeResponseForm,
)
from frontend.forms_errors import form_apply_domain_error
from marketplace.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from marketplace.files import file_download


def _contract_milestone(request: HttpRequest, contract_id: int, milestone_id: int) -> Any:
    try:
        contract = contract_selectors.contract_get_for_user(
            user=request.user, contract_id=contract_id
        )
        milestone = contract_selectors.milestone_get_for_user(
            user=request.user, milestone_id=milestone_id
        )
    except NotFound:
        raise Http404 from None
    if milestone.contract_id != contract.pk:
        raise Http404
    return contract, milestone


def _dispute_or_404(request: HttpRequest, dispute_id: int) -> Dispute:
    try:
        return selectors.dispute_get_for_user(user=request.user, dispute_id=dispute_id)
    except NotFound:
        raise Http404 from None


def _dispute_url(dispute: Dispute, anchor: str = "") -> str:
    url = reverse("frontend:dispute_detail", args=[dispute.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
def dispute_open(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    contract, milestone = _contract_milestone(request, contract_id, milestone_id)
    existing = selectors.disputes_of_milestones(milestone_ids=[milestone.pk]).get(milestone.pk)
    if existing is not None:
        return HttpResponseRedirect(_dispute_url(existing))
    capabilities = contract_selectors.contract_capabilities(user=request.user, contract=contract)
    if not capabilities.may_dispute:
        raise PermissionDenied
    form = DisputeOpenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dispute = services.dispute_open(
                    actor=request.user,
                    milestone=milestone,
                    reason=form.cleaned_data["reason"],
                    statement=form.cleaned_data["statement"],
                )
            except ValidationFailed as exc:
                form_apply_domain_error(form, exc)
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                messages.error(request, str(exc.message))
                return HttpResponseRedirect(
                    reverse("frontend:contract_detail", args=[contract.pk])
                    + f"#milestone-{milestone.position}"
                )
            else:
                messages.success(
                    request,
                    _(
                        "The dispute is open. The milestone's money stays in escrow until a "
                        "mediator decides; the other party has been notified."
                    ),
                )
                return HttpResponseRedirect(_dispute_url(dispute))
        status = 400
    return render(
        request,
        "frontend/disputes/open.html",
        {
            "contract": contract,
            "milestone": milestone,
            "form": form,
            "can_dispute": capabilities.can_dispute(milestone),
            "rules": selectors.settings_summary(),
        },
        status=status,
    )


def _render_detail(
    request: HttpRequest, dispute: Dispute, forms: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    capabilities = selectors.dispute_capabilities(user=request.user, dispute=dispute)
    decisions = selectors.dispute_decisions(dispute=dispute)
    contract: Contract = dispute.contract
    milestone: Milestone = dispute.milestone
    context = {
        "dispute": dispute,
        "contract": contract,
        "milestone": milestone,
        "task": contract.task,
        "caps": capabilities,
        "timeline": selectors.dispute_timeline(dispute=dispute),
        "kinds": selectors.KINDS,
        "decisions": decisions,
        "decision": decisions[-1] if decisions else None,
        "appeal": selectors.dispute_appeal_of(dispute=dispute),
        "appealable": services.appealable(dispute),
        "rules": selectors.settings_summary(),
        "response_form": forms.get("response")
        or (DisputeResponseForm() if capabilities.can_respond else None),
        "evidence_form": forms.get("evidence")
        or (DisputeEvidenceForm() if capabilities.can_add_evidence else None),
        "appeal_form": forms.get("appeal")
        or (DisputeAppealForm() if capabilities.can_appeal else None),
    }
    return render(request, "frontend/disputes/detail.html", context, status=status)


@login_required
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _render_detail(request, _dispute_or_404(request, dispute_id))


def _act(
    request: HttpRequest,
    dispute_id: int,
    name: str,
    form: Form,
    call: Any,
    done: str,
) -> HttpResponse:
    dispute = _dispute_or_404(request, dispute_id)
    if form.is_valid():
        try:
            call(dispute, form.cleaned_data)
        except ValidationFailed as exc:
            form_apply_domain_error(form, exc)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(_dispute_url(dispute))
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_dispute_url(dispute, "timeline"))
    return _render_detail(request, dispute, {name: form}, status=400)


@login_required
@require_POST
def dispute_respond(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _act(
        request,
        dispute_id,
        "response",
        DisputeResponseForm(request.POST),
        lambda dispute, data: services.dispute_respond(
            actor=request.user, dispute=dispute, response=data["response"]
        ),
        _("Your response is in the dispute's record. Both sides can add evidence now."),
    )


@login_required
@require_POST
def dispute_evidence_add(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _act(
        request,
        dispute_id,
        "evidence",
        DisputeEvidenceForm(request.POST, request.FILES),
        lambda dispute, data: services.dispute_evidence_add(
            actor=request.user, dispute=dispute, file=data["file"], note=data["note"]
        ),
        _("The file is added to the evidence, with its SHA-256."),
    )


@login_required
@require_POST
def dispute_appeal(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _act(
        request,
        dispute_id,
        "appeal",
        DisputeAppealForm(request.POST),
        lambda dispute, data: services.dispute_appeal(
            actor=request.user, dispute=dispute, reason=data["reason"]
        ),
        _("Your appeal is filed. A different mediator decides it; nothing moves until then."),
    )


@login_required
def dispute_evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    try:
        evidence = selectors.dispute_evidence_get_for_user(
            user=request.user, evidence_id=evidence_id
        )
    except NotFound:
        raise Http404 from None
    return file_download(
        stored=evidence.file, name=evidence.original_name, content_type=evidence.content_type
    )
