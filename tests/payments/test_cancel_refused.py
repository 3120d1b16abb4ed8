"""A PaymentIntent cancel Stripe refuses because the intent moved on between our read and the
cancel (payment_intent_unexpected_state: it succeeded, or is processing): handled as "not
cancellable", recorded once, never retried as if Stripe were down, and nothing is posted.
Against stripe-mock, the refusal answered by the recording proxy in front of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from marketplace.errors import Conflict
from payments.models import GatewayObject, JournalEntry
from payments.services import escrow_fund
from payments.services.funding import payment_cancel
from payments.services.pool import pool_fund_start
from tests.frontend.contracts_setup import awarded_contract, poster_owner
from tests.payments.fault_proxy import FaultProxy
from tests.payments.pool_setup import contest_task, fen
from tests.payments.test_pool import pool_held
from tests.payments.test_webhooks import SECRET, event, post
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db
NOT_CANCELLABLE = GatewayObject.Cancellation.NOT_CANCELLABLE


@pytest.fixture
def proxy(settings: Any) -> Iterator[FaultProxy]:
    upstream = os.environ.get("STRIPE_API_BASE")
    assert upstream, 'STRIPE_API_BASE is unset: eval "$(scripts/test-servers env)"'
    with FaultProxy(upstream) as running:
        settings.STRIPE_API_BASE = running.url
        settings.STRIPE_SECRET_KEY = "sk_test_123"
        settings.STRIPE_WEBHOOK_SECRET = SECRET
        settings.PAYMENTS_GATEWAY = "stripe"
        yield running


def test_a_refused_cancel_is_not_cancellable_recorded_once_and_not_retried(
    proxy: FaultProxy,
) -> None:
    contract = awarded_contract()
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    cancel_path = f"/v1/payment_intents/{payment.external_id}/cancel"
    proxy.inject(cancel_path, "unexpected_state")

    assert payment_cancel(payment=payment) == NOT_CANCELLABLE

    cancels = proxy.requests_to(cancel_path)
    assert [c.fault for c in cancels] == ["unexpected_state"]  # one try: a 400 is not retried
    assert cancels[0].headers["Idempotency-Key"] == f"{payment.idempotency_key}:cancel"
    # The intent was read before the cancel and again after the refusal, to say what it is.
    reads = proxy.requests_to(f"/v1/payment_intents/{payment.external_id}", method="GET")
    assert len(reads) == 2
    payment.refresh_from_db()
    assert payment.cancellation == NOT_CANCELLABLE
    assert payment.status == GatewayObject.Status.PENDING  # its webhook still decides
    # Asked again (the sweep), the recorded outcome answers: Stripe is not asked twice.
    assert payment_cancel(payment=payment) == NOT_CANCELLABLE
    assert len(proxy.requests_to(cancel_path)) == 1
    assert not JournalEntry.objects.exists()


def test_a_cancel_stripe_accepts_is_cancelled(proxy: FaultProxy) -> None:
    contract = awarded_contract()
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert payment_cancel(payment=payment) == GatewayObject.Cancellation.CANCELED
    assert len(proxy.requests_to(f"/v1/payment_intents/{payment.external_id}/cancel")) == 1


def test_a_pool_payment_stripe_will_not_cancel_keeps_the_pool_to_it(proxy: FaultProxy) -> None:
    """The poster asks for another amount while the first pool payment is pending, but Stripe
    will not cancel the first (it went through meanwhile): refused as "being processed", no
    second PaymentIntent, and the first one's webhook then funds the pool once."""
    task = contest_task()
    first = pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    proxy.inject(f"/v1/payment_intents/{first.external_id}/cancel", "unexpected_state")

    with pytest.raises(Conflict) as refused:
        pool_fund_start(
            actor=task_owner(task), task=task, amount=fen(80_000_00), purpose="contest_prize"
        )

    assert refused.value.code == "funding_under_way"
    assert len(proxy.requests_to("/v1/payment_intents", method="POST")) == 2  # create, cancel
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.PAYMENT_INTENT).count() == 1
    first.refresh_from_db()
    assert first.status == GatewayObject.Status.PENDING
    body = event(
        "evt_pool_late",
        "payment_intent.succeeded",
        {"id": first.external_id, "object": "payment_intent", "latest_charge": "ch_late"},
    )
    assert post(body).json() == {"outcome": "processed"}
    assert pool_held(task) == fen(100_000_00)


def test_a_pool_payment_stripe_would_not_cancel_is_not_asked_again(proxy: FaultProxy) -> None:
    """The refusal of the new pool payment rolls back what its attempt wrote, but not the
    first payment's "not cancellable": a second attempt answers from it, and Stripe's cancel
    is asked once under the payment's key."""
    task = contest_task()
    first = pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    cancel_path = f"/v1/payment_intents/{first.external_id}/cancel"
    proxy.inject(cancel_path, "unexpected_state")

    for amount in (80_000_00, 60_000_00):
        with pytest.raises(Conflict) as refused:
            pool_fund_start(
                actor=task_owner(task), task=task, amount=fen(amount), purpose="contest_prize"
            )
        assert refused.value.code == "funding_under_way"

    cancels = proxy.requests_to(cancel_path)
    assert [c.headers["Idempotency-Key"] for c in cancels] == [f"{first.idempotency_key}:cancel"]
    first.refresh_from_db()
    assert first.cancellation == NOT_CANCELLABLE
    assert first.status == GatewayObject.Status.PENDING  # its webhook still decides
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.PAYMENT_INTENT).count() == 1
    assert not JournalEntry.objects.exists()
