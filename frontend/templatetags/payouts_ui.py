"""Payout accounts and funding attempts in templates: Stripe's requirement codes in words, the
state of the escrow payment on the contract page."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contracts.selectors import contract_capabilities
from payments.selectors import contract_funding_state, task_pool_state

register = template.Library()

# Stripe's requirements.currently_due entries a provider meets most often; others are shown
# as Stripe names them.
REQUIREMENTS = {
    "external_account": _("A bank account for payouts"),
    "individual.verification.document": _("An identity document"),
    "individual.id_number": _("Your ID number"),
    "individual.first_name": _("Your name"),
    "individual.last_name": _("Your name"),
    "individual.dob.day": _("Your date of birth"),
    "individual.address.line1": _("Your address"),
    "individual.phone": _("Your phone number"),
    "individual.email": _("Your email address"),
    "business_profile.url": _("A website or profile page"),
    "business_profile.mcc": _("What your business does"),
    "business_profile.product_description": _("A description of your services"),
    "business_profile.support_phone": _("A support phone number"),
    "business_type": _("Whether you are an individual or a company"),
    "tos_acceptance.date": _("Accept the payment processor's terms"),
    "tos_acceptance.ip": _("Accept the payment processor's terms"),
}

DISABLED_REASONS = {
    "requirements.past_due": _("Required information is overdue."),
    "requirements.pending_verification": _("Your details are being verified."),
    "rejected.fraud": _("The payment processor rejected the account."),
    "rejected.other": _("The payment processor rejected the account."),
    "under_review": _("The payment processor is reviewing the account."),
    "listed": _("The payment processor is reviewing the account."),
}


@register.filter
def requirement_labels(codes: list[str]) -> list[str]:
    """Distinct words for the requirement codes, in order."""
    seen: list[str] = []
    for code in codes or []:
        label = str(REQUIREMENTS.get(code, code))
        if label not in seen:
            seen.append(label)
    return seen


@register.filter
def disabled_reason_label(reason: str) -> str:
    return str(DISABLED_REASONS.get(reason, reason))


def _attempt(request: Any, state: Any, *, pays: bool, failed: bool, page: str) -> dict[str, Any]:
    """A pending escrow payment as its page shows it to those who may pay (`pays`): Stripe's
    Payment Element until the poster comes back from Stripe (`?payment_intent=`), then
    "processing" until the webhook confirms it; or the last failure. `page` is the path the
    Payment Element returns to."""
    latest = state.latest
    returned = bool(
        request is not None
        and latest is not None
        and request.GET.get("payment_intent") == latest.external_id
    )
    element = bool(
        pays
        and state.processing
        and latest is not None
        and latest.gateway == "stripe"
        and latest.client_secret
        and settings.STRIPE_PUBLISHABLE_KEY
        and not returned
    )
    return {
        "latest": latest if pays else None,
        "processing": pays and state.processing and (returned or not element),
        "failed": pays and failed,
        "return_url": request.build_absolute_uri(page) if element and request is not None else "",
        "failure_message": latest.failure_message if latest is not None and pays else "",
        "element": element,
        "client_secret": latest.client_secret if element and latest is not None else "",
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY if element else "",
        "decides": pays,
    }


@register.simple_tag(takes_context=True)
def funding_attempt(context: Any, contract: Any) -> dict[str, Any]:
    """What the contract page says about the escrow payment (its client secret for the
    poster's deciders only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    state = contract_funding_state(contract_id=contract.pk)
    decides = user is not None and contract_capabilities(user=user, contract=contract).decides
    page = reverse("frontend:contract_detail", args=[contract.pk])
    return _attempt(request, state, pays=decides, failed=state.failed, page=page)


@register.simple_tag(takes_context=True)
def pool_funding_attempt(context: Any, task: Any, pays: bool) -> dict[str, Any]:
    """What a contest's (or piece-work task's) page says about the payment into its pool, for
    the members who may pay it (`pays`); it returns to the page it is on."""
    request = context.get("request")
    state = task_pool_state(task_id=task.pk)
    failed = state.failed and state.held.amount == 0
    page = request.path if request is not None else ""
    return _attempt(request, state, pays=pays, failed=failed, page=page)


@register.simple_tag(takes_context=True)
def payout_notice(context: Any) -> dict[str, Any]:
    """For the earnings page: what waits for a payout account that is not active yet."""
    from accounts.selectors import provider_profile_ids_operated_by
    from marketplace.money import Money
    from payments.selectors import payout_statuses

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"waiting": Money.zero(), "setup_needed": False}
    statuses = payout_statuses(profile_ids=provider_profile_ids_operated_by(user=user))
    waiting = sum((s.pending_total for s in statuses), Money.zero())
    return {
        "waiting": waiting,
        "setup_needed": any(s.state != "active" for s in statuses),
    }
