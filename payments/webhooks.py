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
from django.utils import timezone

from marketplace.errors import DomainError
from payments import stripe_api
from payments.models import ConnectedAccount, Escrow, GatewayObject, WebhookEvent
from payments.services import payment_succeeded


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
    payment_succeeded(payment=payment, charge_id=charge if isinstance(charge, str) else None)


def _account_updated(obj: Any, created: int) -> None:
    account = ConnectedAccount.objects.select_for_update().filter(external_id=obj["id"]).first()
    if account is None or created < account.state_event_created:
        return
    account.payouts_enabled = bool(obj.get("payouts_enabled"))
    account.state_event_created = created
    account.save(update_fields=["payouts_enabled", "state_event_created", "updated_at"])


def _charge_dispute_created(obj: Any) -> None:
    charge = GatewayObject.objects.filter(
        kind=GatewayObject.Kind.CHARGE, external_id=obj.get("charge") or ""
    ).first()
    if charge is None:
        return
    Escrow.objects.get_or_create(contract_id=charge.contract_id)
    Escrow.objects.filter(contract_id=charge.contract_id, frozen_at__isnull=True).update(
        frozen_at=timezone.now(), frozen_reason=f"card dispute {obj.get('id', '')}"
    )


HANDLED = {"payment_intent.succeeded", "account.updated", "charge.dispute.created"}


def _handle(event_type: str, obj: Any, created: int) -> None:
    if event_type == "payment_intent.succeeded":
        _payment_intent_succeeded(obj)
    elif event_type == "account.updated":
        _account_updated(obj, created)
    elif event_type == "charge.dispute.created":
        _charge_dispute_created(obj)


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
