"""The one module that talks to Stripe (STYLE.md item 15).

Nothing else imports `stripe`: the rest of the code goes through the payments gateway, which
calls into here. Keeping the SDK behind one door pins the API version in one place, lets the
tests point every request at stripe-mock through one setting (STRIPE_API_BASE), and gives one
spot to set idempotency keys and map Stripe's errors to ours.
"""

from __future__ import annotations

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Stripe's own default is 80 s; a request that slow is better retried with its idempotency key
# (DESIGN §10: the action stays pending) than left holding a worker.
REQUEST_TIMEOUT_SECONDS = 20
# Retries reuse the request's idempotency key, so a retried POST cannot charge twice.
MAX_NETWORK_RETRIES = 2


def stripe_client() -> stripe.StripeClient:
    """A client for our Stripe account, speaking settings.STRIPE_API_VERSION.

    STRIPE_API_BASE, when set, sends every API request to a local server (stripe-mock in the
    tests); production leaves it empty and talks to Stripe itself.
    """
    api_key = settings.STRIPE_SECRET_KEY
    if not api_key:
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY is not set: the sandbox gateway should have been used instead."
        )
    return stripe.StripeClient(
        api_key,
        stripe_version=settings.STRIPE_API_VERSION,
        base_addresses={"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else {},
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.new_default_http_client(timeout=REQUEST_TIMEOUT_SECONDS),
    )
