"""Stripe webhooks: verified, stored by event id, processed once, in any order (DESIGN §6).

The event's id is inserted under a unique constraint in the same transaction as its effects,
so a repeated delivery finds the row and does nothing, and a crash before commit leaves no
trace and Stripe's retry does the work. An event about a payment we have not recorded yet
(Stripe can be faster than our commit) is refused without storing it, so Stripe sends it again.
"""

from __future__ import annotations

import enum
from typing import Any

from django.db import IntegrityError, transaction

from marketplace.errors import DomainError
from payments import stripe_api
from payments.models import ConnectedAccount, GatewayObject, WebhookEvent
from payments.services import payment_failed, payment_succeeded
from payments.services.connect import account_state_apply
from payments.services.disputes import card_dispute_closed, card_dispute_opened
from payments.services.pool import pool_payment_failed, pool_payment_succeeded


class Outcome(enum.Enum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    REFUSED = "refused"
    RETRY_LATER = "retry_later"


class NotYetKnown(Exception):
    """The event is about an object whose creation has not committed yet."""


def _payment_intent_succeeded(obj: Any) -> None:
    payment = GatewayObject.objects.filter(
        kind=GatewayObject.Kind.PAYMENT_INTENT, gateway="stripe", external_id=obj["id"]
    ).first()
    if payment is None:
        raise NotYetKnown(obj["id"])
    charge = obj.get("latest_charge")
    charge_id = charge if isinstance(charge, str) else None
    if payment.contract_id is None:
        pool_payment_succeeded(payment=payment, charge_id=charge_id)  # a task pool's payment
        return
    payment_succeeded(payment=payment, charge_id=charge_id)


def _account_updated(obj: Any, created: int) -> None:
    account = ConnectedAccount.objects.select_for_update().filter(external_id=obj["id"]).first()
    if account is None:
        return
    account_state_apply(account=account, state=obj, created=created)


def _payment_intent_failed(obj: Any, *, canceled: bool) -> None:
    payment = GatewayObject.objects.filter(
        kind=GatewayObject.Kind.PAYMENT_INTENT, gateway="stripe", external_id=obj["id"]
    ).first()
    if payment is None:
        raise NotYetKnown(obj["id"])
    error = obj.get("last_payment_error") or {}
    message = (
        str(obj.get("cancellation_reason") or "canceled")
        if canceled
        else str(error.get("message") or error.get("code") or "")
    )
    if payment.contract_id is None:
        pool_payment_failed(payment=payment, message=message, canceled=canceled)
        return
    payment_failed(payment=payment, message=message, canceled=canceled)


HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "account.updated",
    "charge.dispute.created",
    "charge.dispute.closed",
}


def _handle(event_type: str, obj: Any, created: int) -> None:
    if event_type == "payment_intent.succeeded":
        _payment_intent_succeeded(obj)
    elif event_type in ("payment_intent.payment_failed", "payment_intent.canceled"):
        _payment_intent_failed(obj, canceled=event_type == "payment_intent.canceled")
    elif event_type == "account.updated":
        _account_updated(obj, created)
    elif event_type == "charge.dispute.created":
        card_dispute_opened(obj=obj)
    elif event_type == "charge.dispute.closed":
        card_dispute_closed(obj=obj)


def webhook_process(*, payload: bytes, signature: str | None) -> Outcome:
    """Verify, store and handle one webhook delivery. Raises stripe_api.SignatureInvalid.

    Safe twice and concurrently: the second insert of an event id waits for the first
    transaction and then fails the unique constraint, so its effects happen once."""
    event = stripe_api.webhook_event_construct(payload=payload, signature=signature)
    event_type = event["type"]
    obj = event["data"]["object"]
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    WebhookEvent.objects.create(event_id=event["id"], type=event_type)
            except IntegrityError:
                return Outcome.DUPLICATE
            if event_type not in HANDLED:
                return Outcome.IGNORED
            try:
                with transaction.atomic():
                    _handle(event_type, obj, int(event.get("created") or 0))
            except DomainError as refusal:
                # Permanent: resending cannot help. The effects rolled back; the event stays,
                # with the reason, so it is processed once and finance can see it.
                WebhookEvent.objects.filter(event_id=event["id"]).update(
                    refused_reason=str(refusal.message)[:2000]
                )
                return Outcome.REFUSED
    except NotYetKnown:
        return Outcome.RETRY_LATER
    return Outcome.PROCESSED
