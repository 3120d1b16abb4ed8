"""The one module that talks to Stripe (STYLE.md item 15).

Nothing else imports `stripe`: the rest of the code goes through the payments gateway, which
calls into here. Keeping the SDK behind one door pins the API version in one place, lets the
tests point every request at stripe-mock through one setting (STRIPE_API_BASE), and gives one
spot to set idempotency keys and map Stripe's errors to ours.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Stripe's own default is 80 s; a request that slow is better retried with its idempotency key
# (DESIGN §10: the action stays pending) than left holding a worker.
REQUEST_TIMEOUT_SECONDS = 20  # settings.STRIPE_REQUEST_TIMEOUT overrides it (the fault tests)
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
        http_client=stripe.new_default_http_client(
            timeout=getattr(settings, "STRIPE_REQUEST_TIMEOUT", None) or REQUEST_TIMEOUT_SECONDS
        ),
    )


# --- The calls payments makes (each POST with its caller's deterministic idempotency key) ---


class StripeFailed(Exception):
    """Stripe refused or could not be reached; the action stays pending and may be retried
    with the same idempotency key (DESIGN §10)."""


class SignatureInvalid(Exception):
    """A webhook whose signature or timestamp does not verify."""


WEBHOOK_TOLERANCE_SECONDS = 300


class IntentStateRefused(StripeFailed):
    """Stripe refused a request the PaymentIntent's present state does not allow (code
    payment_intent_unexpected_state): a cancel of an intent that succeeded, is processing or
    was cancelled meanwhile. Not a fault to retry: the intent moved on."""


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except stripe.InvalidRequestError as exc:
        if exc.code == "payment_intent_unexpected_state":
            raise IntentStateRefused(str(exc.user_message or exc)) from exc
        raise StripeFailed(str(exc.user_message or exc)) from exc
    except stripe.StripeError as exc:
        raise StripeFailed(str(exc.user_message or exc)) from exc


def payment_intent_create(
    *, amount: int, currency: str, transfer_group: str, metadata: dict[str, str], key: str
) -> Any:
    return _call(
        stripe_client().v1.payment_intents.create,
        params={
            "amount": amount,
            "currency": currency.lower(),
            "transfer_group": transfer_group,
            "metadata": metadata,
            "automatic_payment_methods": {"enabled": True},
        },
        options={"idempotency_key": key},
    )


# Stripe cancels a PaymentIntent only in these states (a succeeded or cancelled one is final).
CANCELLABLE_INTENT_STATES = frozenset(
    {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "requires_capture",
        "processing",
    }
)


def payment_intent_retrieve(*, payment_intent: str) -> Any:
    return _call(stripe_client().v1.payment_intents.retrieve, payment_intent)


def payment_intent_cancel(*, payment_intent: str, reason: str, key: str) -> Any:
    return _call(
        stripe_client().v1.payment_intents.cancel,
        payment_intent,
        params={"cancellation_reason": reason},
        options={"idempotency_key": key},
    )


def charge_processor_fee(*, charge_id: str) -> int:
    """The processor's fee of a charge, in minor units, from its balance transaction."""
    charge = _call(
        stripe_client().v1.charges.retrieve,
        charge_id,
        params={"expand": ["balance_transaction"]},
    )
    balance_transaction = charge.balance_transaction
    if balance_transaction is None or isinstance(balance_transaction, str):
        return 0
    return int(balance_transaction.fee or 0)


def transfer_create(
    *,
    amount: int,
    currency: str,
    destination: str,
    transfer_group: str,
    source_transaction: str | None,
    metadata: dict[str, str],
    key: str,
) -> Any:
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency.lower(),
        "destination": destination,
        "transfer_group": transfer_group,
        "metadata": metadata,
    }
    if source_transaction:
        params["source_transaction"] = source_transaction
    return _call(
        stripe_client().v1.transfers.create, params=params, options={"idempotency_key": key}
    )


def refund_create(*, payment_intent: str, amount: int, metadata: dict[str, str], key: str) -> Any:
    return _call(
        stripe_client().v1.refunds.create,
        params={"payment_intent": payment_intent, "amount": amount, "metadata": metadata},
        options={"idempotency_key": key},
    )


def transfer_reversal_create(
    *, transfer_id: str, amount: int, metadata: dict[str, str], key: str
) -> Any:
    return _call(
        stripe_client().v1.transfers.reversals.create,
        transfer_id,
        params={"amount": amount, "metadata": metadata},
        options={"idempotency_key": key},
    )


def connect_account_create(*, email: str, country: str, key: str) -> Any:
    return _call(
        stripe_client().v1.accounts.create,
        params={
            "email": email,
            "country": country,
            "controller": {
                "stripe_dashboard": {"type": "express"},
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
            },
            "capabilities": {"transfers": {"requested": True}},
        },
        options={"idempotency_key": key},
    )


def account_link_create(*, account: str, refresh_url: str, return_url: str) -> Any:
    return _call(
        stripe_client().v1.account_links.create,
        params={
            "account": account,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
        },
    )


# Reconciliation reads whole lists: page by page (100 a page, Stripe's largest) through the
# SDK's auto-paging, up to LIST_MAX_OBJECTS objects, past which the run fails loudly rather
# than compare part of a list.
LIST_PAGE_SIZE = 100
LIST_MAX_OBJECTS = 10_000


class ListTooLong(StripeFailed):
    """A list had more objects than reconciliation reads (LIST_MAX_OBJECTS)."""


def _every(first_page: Any) -> list[Any]:
    """Every object of a list or search result, following has_more page by page."""
    found: list[Any] = []
    try:
        for obj in first_page.auto_paging_iter():
            found.append(obj)
            if len(found) > LIST_MAX_OBJECTS:
                raise ListTooLong(f"more than {LIST_MAX_OBJECTS} objects in one list")
    except stripe.StripeError as exc:
        raise StripeFailed(str(exc.user_message or exc)) from exc
    return found


def payment_intents_of_contract(*, contract_id: int) -> list[Any]:
    """The payment intents whose metadata names the contract (Stripe's search API)."""
    return _every(
        _call(
            stripe_client().v1.payment_intents.search,
            params={
                "query": f"metadata['contract']:'{int(contract_id)}'",
                "limit": LIST_PAGE_SIZE,
            },
        )
    )


def refunds_of_payment_intent(*, payment_intent: str) -> list[Any]:
    return _every(
        _call(
            stripe_client().v1.refunds.list,
            params={"payment_intent": payment_intent, "limit": LIST_PAGE_SIZE},
        )
    )


def transfers_of_group(*, transfer_group: str) -> list[Any]:
    return _every(
        _call(
            stripe_client().v1.transfers.list,
            params={"transfer_group": transfer_group, "limit": LIST_PAGE_SIZE},
        )
    )


def reversals_of_transfer(*, transfer: Any) -> list[Any]:
    """A transfer's reversals: those it embeds, or, when it says there are more, the whole
    list from Stripe."""
    reversals = getattr(transfer, "reversals", None)
    if reversals is None:
        return []
    if not getattr(reversals, "has_more", False):
        return list(reversals.data)
    return _every(
        _call(
            stripe_client().v1.transfers.reversals.list,
            transfer.id,
            params={"limit": LIST_PAGE_SIZE},
        )
    )


def account_retrieve(*, account: str) -> Any:
    return _call(stripe_client().v1.accounts.retrieve, account)


def webhook_event_construct(*, payload: bytes, signature: str | None) -> dict[str, Any]:
    """The verified event of a webhook body as plain data, or SignatureInvalid (bad signature,
    timestamp outside the tolerance)."""
    try:
        event = stripe.Webhook.construct_event(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=WEBHOOK_TOLERANCE_SECONDS,
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise SignatureInvalid(str(exc)) from exc
    return dict(event.to_dict())
