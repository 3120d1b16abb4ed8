"""Signed webhook sequences: verified, stored by event id, processed once in any order."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import Client

from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.errors import Conflict
from marketplace.money import Money
from payments.models import ConnectedAccount, Escrow, GatewayObject, WebhookEvent
from payments.services import escrow_fund, milestone_release
from tests.frontend.contracts_setup import awarded_contract, deliver, milestone, poster_owner
from tests.payments.helpers import escrow

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_secret"
URL = "/payments/stripe/webhook/"


@pytest.fixture(autouse=True)
def _stripe(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.PAYMENTS_GATEWAY = "stripe"


def event(event_id: str, event_type: str, obj: dict[str, Any], created: int = 0) -> bytes:
    body = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "api_version": "2026-08-26.dahlia",
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def sign(body: bytes, *, at: int | None = None, secret: str = SECRET) -> str:
    timestamp = at if at is not None else int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def post(body: bytes, signature: str | None = None) -> Any:
    headers = {"HTTP_STRIPE_SIGNATURE": signature if signature is not None else sign(body)}
    return Client().post(URL, body, content_type="application/json", **headers)


def pending_payment() -> tuple[Any, GatewayObject]:
    """A contract whose Stripe payment intent was created and awaits its webhook."""
    contract = awarded_contract()
    payment = GatewayObject.objects.create(
        gateway="stripe",
        kind=GatewayObject.Kind.PAYMENT_INTENT,
        idempotency_key=f"contract:{contract.pk}:fund:1-2",
        external_id=f"pi_{contract.pk}",
        contract=contract,
        milestone_ids=list(contract.milestones.values_list("pk", flat=True)),
        amount=contract.amount,
        currency=contract.currency,
    )
    return contract, payment


def succeeded(payment: GatewayObject, event_id: str = "evt_1") -> bytes:
    return event(
        event_id,
        "payment_intent.succeeded",
        {"id": payment.external_id, "object": "payment_intent", "latest_charge": "ch_1"},
    )


def test_payment_succeeded_funds_the_escrow(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"  # the processor fee lookup needs no Stripe here
    contract, payment = pending_payment()
    response = post(succeeded(payment))
    assert response.status_code == 200
    assert response.json() == {"outcome": "processed"}
    assert escrow(contract) == Money(50_000_00)
    assert milestone(contract, 1).status == Milestone.Status.FUNDED
    assert GatewayObject.objects.filter(kind="charge", external_id="ch_1").exists()


def test_the_same_event_twice_is_processed_once(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
    contract, payment = pending_payment()
    body = succeeded(payment)
    assert post(body).json() == {"outcome": "processed"}
    assert post(body).json() == {"outcome": "duplicate"}
    assert escrow(contract) == Money(50_000_00)
    assert WebhookEvent.objects.count() == 1


def test_a_second_event_for_the_same_payment_moves_nothing_more(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
    contract, payment = pending_payment()
    post(succeeded(payment, "evt_1"))
    assert post(succeeded(payment, "evt_2")).json() == {"outcome": "processed"}
    assert escrow(contract) == Money(50_000_00)


def test_an_event_for_a_payment_not_yet_recorded_asks_stripe_to_retry(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
    body = event("evt_early", "payment_intent.succeeded", {"id": "pi_unknown"})
    assert post(body).status_code == 409
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "signature",
    [
        "t=1,v1=00",
        "",
        "garbage",
    ],
    ids=["wrong-mac", "empty", "garbage"],
)
def test_a_bad_signature_is_refused_and_stores_nothing(signature: str) -> None:
    contract, payment = pending_payment()
    response = post(succeeded(payment), signature)
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert escrow(contract) == Money(0)


def test_a_signature_with_another_secret_is_refused() -> None:
    contract, payment = pending_payment()
    body = succeeded(payment)
    assert post(body, sign(body, secret="whsec_other")).status_code == 400
    assert escrow(contract) == Money(0)


def test_an_old_timestamp_is_refused() -> None:
    contract, payment = pending_payment()
    body = succeeded(payment)
    assert post(body, sign(body, at=int(time.time()) - 3600)).status_code == 400
    assert escrow(contract) == Money(0)


def test_a_tampered_body_is_refused() -> None:
    contract, payment = pending_payment()
    body = succeeded(payment)
    signature = sign(body)
    assert post(body.replace(b"ch_1", b"ch_2"), signature).status_code == 400
    assert escrow(contract) == Money(0)


def test_get_is_not_allowed() -> None:
    assert Client().get(URL).status_code == 405


def test_account_updates_apply_in_event_order_whatever_the_arrival_order() -> None:
    contract = awarded_contract()
    account = ConnectedAccount.objects.create(provider=contract.provider, external_id="acct_9")
    newer = event("evt_b", "account.updated", {"id": "acct_9", "payouts_enabled": True}, 2000)
    older = event("evt_a", "account.updated", {"id": "acct_9", "payouts_enabled": False}, 1000)
    post(newer)
    post(older)
    account.refresh_from_db()
    assert account.payouts_enabled is True


def test_a_card_dispute_freezes_the_escrow(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
    contract = awarded_contract()
    escrow_fund(actor=poster_owner(contract), contract=contract)
    charge = GatewayObject.objects.get(kind=GatewayObject.Kind.CHARGE)
    body = event("evt_d", "charge.dispute.created", {"id": "dp_1", "charge": charge.external_id})
    assert post(body).json() == {"outcome": "processed"}
    assert Escrow.objects.get(contract=contract).frozen_at is not None
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    with pytest.raises(Conflict):
        milestone_release(milestone_id=milestone(contract, 1).pk)
    assert escrow(contract) == Money(50_000_00)


def test_an_unhandled_event_type_is_stored_and_ignored() -> None:
    body = event("evt_x", "customer.created", {"id": "cus_1"})
    assert post(body).json() == {"outcome": "ignored"}
    assert post(body).json() == {"outcome": "duplicate"}


def test_a_payment_our_rules_refuse_is_kept_once_and_not_resent(settings: Any) -> None:
    """A cancelled contract cannot be funded: the event is stored with the reason and answered
    200, so Stripe stops resending it; nothing is posted and a replay changes nothing."""
    settings.PAYMENTS_GATEWAY = "sandbox"
    contract, payment = pending_payment()
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.CANCELLED)
    body = succeeded(payment, event_id="evt_refused")

    response = post(body)

    assert response.status_code == 200
    assert response.json() == {"outcome": "refused"}
    stored = WebhookEvent.objects.get(event_id="evt_refused")
    assert stored.refused_reason
    assert escrow(contract) == Money(0)
    assert milestone(contract, 1).status == Milestone.Status.AWAITING_FUNDING
    assert post(body).json() == {"outcome": "duplicate"}
