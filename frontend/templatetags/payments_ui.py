"""What the payment templates ask without a view's help: which gateway runs."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def payments_sandbox() -> bool:
    """True when no Stripe keys are set: payments are recorded, no real money moves."""
    return bool(settings.PAYMENTS_GATEWAY == "sandbox")


@register.simple_tag
def funding_vouchers(contract: Any) -> list[Any]:
    """The poster organization's vouchers that can pay into this contract's escrow today."""
    from payments.voucher_selectors import vouchers_usable_for_contract

    return vouchers_usable_for_contract(contract=contract)


@register.simple_tag
def funding_sources(contract: Any) -> Any:
    """Where the contract's escrow money came from: card payments and voucher programmes."""
    from payments.selectors import contract_funding_sources

    return contract_funding_sources(contract_id=contract.pk, currency=contract.currency)
