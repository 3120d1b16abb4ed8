"""Piece-work pages: posting, the piece-work task page (units left, price, cap, review
window, funding, the claim and delivery forms), the poster's review queue and the
provider's unit deliveries.

What a user may do is decided by piecework.selectors.piecework_capabilities and enforced by
piecework.services; these views ask them, render, and turn domain errors into form errors
or messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import poster_organizations_for_user, skills_grouped
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_piecework import ClaimForm, PieceworkForm, RejectForm, UnitDeliveryForm
from frontend.forms_tasks import SkillWeightsForm
from frontend.views._helpers import signed_in_user
from marketplace.errors import DomainError, NotAllowed, NotFound
from marketplace.money import Money
from payments.selectors import task_pool_state
from piecework import selectors, services
from piecework.models import Terms


def _terms_or_404(request: HttpRequest, task_id: int) -> Terms:
    try:
        return selectors.piecework_get_for_user(user=request.user, task_id=task_id)
    except NotFound:
        raise Http404 from None


def _base_context(request: HttpRequest, terms: Terms) -> dict[str, Any]:
    caps = selectors.piecework_capabilities(user=request.user, terms=terms)
    return {
        "terms": terms,
        "task": terms.task,
        "caps": caps,
        "counts": selectors.unit_counts(terms=terms),
    }


@login_required
def piecework_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    organizations = poster_organizations_for_user(user=user)
    if not organizations.exists():
        return redirect("frontend:task_create")
    form = PieceworkForm(request.POST or None, organizations=organizations)
    skills = SkillWeightsForm(request.POST or None, groups=skills_grouped())
    skill_errors: list[str] = []
    status = 200
    if request.method == "POST":
        valid = [form.is_valid(), skills.is_valid()]
        if all(valid):
            try:
                terms = services.piecework_create(
                    actor=user,
                    organization=form.cleaned_data["organization"],
                    skills=skills.weights(),
                    **form.piecework_fields(),
                )
            except DomainError as exc:
                skill_errors = [str(m) for m in exc.fields.pop("skills", [])]
                if exc.fields or not skill_errors:
                    form_apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The piece-work task is saved as a draft. Check it, then submit it "
                        "and fund the units."
                    ),
                )
                return redirect("frontend:piecework_detail", task_id=terms.task_id)
        status = 400
    else:
        form.initial["organization"] = organizations.first()
    return render(
        request,
        "frontend/piecework/form.html",
        {
            "form": form,
            "picker": skills.picker(),
            "skill_errors": [*skills.non_field_errors(), *skill_errors],
        },
        status=status,
    )


def piecework_detail(
    request: HttpRequest, task_id: int, forms: Any = None, status: int = 200
) -> HttpResponse:
    terms = _terms_or_404(request, task_id)
    context = _base_context(request, terms)
    caps = context["caps"]
    forms = forms or {}
    if caps.member:
        context["pool"] = task_pool_state(task_id=terms.task_id)
    if request.user.is_authenticated and not caps.member:
        context["eligibility"], _provider = selectors.piecework_eligibility(
            user=request.user, terms=terms
        )
        context["claim_form"] = forms.get("claim") or ClaimForm()
    if caps.deliver:
        context["delivery_form"] = forms.get("deliver") or UnitDeliveryForm()
    if caps.claim is not None:
        context["mine"] = list(
            selectors.deliveries_for_user(user=request.user, terms=terms).filter(claim=caps.claim)
        )
    return render(request, "frontend/piecework/detail.html", context, status=status)


_ACTIONS = {
    "submit": (
        lambda user, terms: services.piecework_submit(actor=user, terms=terms),
        gettext_lazy("The task waits for its escrow: pay units × price to open it."),
    ),
    "fund": (
        lambda user, terms: services.piecework_fund_start(actor=user, terms=terms),
        gettext_lazy("The payment is on its way; the task opens when the escrow holds it."),
    ),
    "close": (
        lambda user, terms: services.piecework_close(actor=user, terms=terms),
        gettext_lazy("The task is closed; what was not paid returns to you."),
    ),
}


@login_required
@require_POST
def piecework_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    terms = _terms_or_404(request, task_id)
    if action == "claim":
        claim_form = ClaimForm(request.POST)
        if claim_form.is_valid():
            try:
                services.piecework_claim(
                    actor=request.user, terms=terms, units=claim_form.cleaned_data["units"]
                )
            except DomainError as exc:
                form_apply_domain_error(claim_form, exc)
            else:
                messages.success(request, _("The units are yours. Deliver them one at a time."))
                return redirect("frontend:piecework_detail", task_id=task_id)
        return piecework_detail(request, task_id, forms={"claim": claim_form}, status=400)
    if action == "deliver":
        form = UnitDeliveryForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.piecework_deliver(
                    actor=request.user,
                    terms=terms,
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["attachments"],
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The unit is delivered; the poster reviews it within the window.")
                )
                return redirect("frontend:piecework_detail", task_id=task_id)
        return piecework_detail(request, task_id, forms={"deliver": form}, status=400)
    if action not in _ACTIONS:
        raise Http404
    call, text = _ACTIONS[action]
    try:
        call(request.user, terms)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, str(text))
    return redirect("frontend:piecework_detail", task_id=task_id)


@login_required
def piecework_review(request: HttpRequest, task_id: int) -> HttpResponse:
    """The poster's review queue: accept a unit (paid at once) or reject it with a reason."""
    terms = _terms_or_404(request, task_id)
    context = _base_context(request, terms)
    caps = context["caps"]
    if not caps.member:
        raise Http404
    status = 200
    forms: dict[int, RejectForm] = {}
    posted = request.POST.get("delivery", "") if request.method == "POST" else ""
    if request.method == "POST":
        if not caps.review:
            raise PermissionDenied
        try:
            delivery = selectors.delivery_get_for_user(
                user=request.user, delivery_id=int(posted) if posted.isdigit() else 0
            )
        except NotFound:
            raise Http404 from None
        if request.POST.get("decision") == "accept":
            try:
                services.unit_accept(actor=request.user, delivery=delivery)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The unit is accepted and paid."))
            return redirect("frontend:piecework_review", task_id=task_id)
        form = RejectForm(request.POST, prefix=f"d{delivery.pk}")
        if form.is_valid():
            try:
                services.unit_reject(
                    actor=request.user, delivery=delivery, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(request, _("The unit is rejected; it can be claimed again."))
                return redirect("frontend:piecework_review", task_id=task_id)
        forms[delivery.pk] = form
        status = 400
    deliveries = list(selectors.review_queue(terms=terms))
    for delivery in deliveries:
        if delivery.status == delivery.Status.PENDING:
            # The template reads each pending delivery's own rejection form.
            setattr(  # noqa: B010
                delivery,
                "reject_form",
                forms.get(delivery.pk) or RejectForm(prefix=f"d{delivery.pk}"),
            )
    context["deliveries"] = deliveries
    context["pool"] = task_pool_state(task_id=terms.task_id)
    return render(request, "frontend/piecework/review.html", context, status=status)


@login_required
def my_unit_deliveries(request: HttpRequest) -> HttpResponse:
    """The provider's unit deliveries across tasks, with their decisions and payments."""
    user = signed_in_user(request)
    deliveries = list(selectors.deliveries_of_provider(user=user)[:200])
    claims = list(selectors.claims_of_provider(user=user)[:100])
    earned = Money(
        sum(d.claim.terms.unit_price for d in deliveries if d.status == d.Status.ACCEPTED)
    )
    return render(
        request,
        "frontend/piecework/deliveries.html",
        {"deliveries": deliveries, "claims": claims, "earned": earned},
    )
