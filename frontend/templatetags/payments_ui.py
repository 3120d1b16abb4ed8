"""What the payment templates ask without a view's help: which gateway runs."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def payments_sandbox() -> bool:
    """True when no Stripe keys are set: payments are recorded, no real money moves."""
    return bool(settings.PAYMENTS_GATEWAY == "sandbox")
