"""A failed payment intent is cancelled at Stripe when a new attempt replaces it, and a voucher
reservation behind a card payment that never succeeds goes back to the voucher: on the failed
or cancelled webhook, or through the beat sweep once VOUCHER_RESERVATION_SECONDS passed.
Against stripe-mock (through the fault proxy, which records each request and its key)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from marketplace.money import Money
from payments.models import (
    GatewayObject,
    JournalEntry,
    VoucherReturn,
    VoucherShare,
    VoucherSpend,
)
from payments.services import escrow_fund, escrow_fund_start
from payments.services.funding import voucher_reservations_sweep
from payments.services.vouchers import voucher_expire, voucher_remaining
from payments.tasks import release_stale_voucher_reservations
from tests.frontend.contracts_setup import awarded_contract, poster_owner
from tests.payments.fault_proxy import FaultProxy
from tests.payments.helpers import assert_ledger_sound, escrow
from tests.payments.test_webhooks import SECRET, event, post
from tests.payments.voucher_setup import issue, make_programme

pytestmark = pytest.mark.django_db
Cancellation = GatewayObject.Cancellation
Status = GatewayObject.Status


@pytest.fixture
def proxy(settings: Any) -> Iterator[FaultProxy]:
    upstream = os.environ.get("STRIPE_API_BASE")
    assert upstream, 'STRIPE_API_BASE is unset: eval "$(scripts/test-servers env)"'
    with FaultProxy(upstream, hold_seconds=1.5) as running:
        settings.STRIPE_API_BASE = running.url
        settings.STRIPE_SECRET_KEY = "sk_test_123"
        settings.STRIPE_WEBHOOK_SECRET = SECRET
        settings.PAYMENTS_GATEWAY = "stripe"
        settings.STRIPE_REQUEST_TIMEOUT = 1
        yield running


def failed(payment: GatewayObject, event_id: str, kind: str = "payment_failed") -> Any:
    obj = {
        "id": payment.external_id,
        "object": "payment_intent",
        "status": "requires_payment_method" if kind == "payment_failed" else "canceled",
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
        "cancellation_reason": "abandoned",
    }
    return post(event(event_id, f"payment_intent.{kind}", obj))


def cancels(proxy: FaultProxy, payment: GatewayObject) -> list[str]:
    path = f"/v1/payment_intents/{payment.external_id}/cancel"
    return [r.headers.get("Idempotency-Key", "") for r in proxy.requests_to(path)]


# --- superseded attempts ---------------------------------------------------------------------


def test_a_new_attempt_cancels_the_failed_one_at_stripe_with_its_key(proxy: FaultProxy) -> None:
    contract = awarded_contract()
    first = escrow_fund(actor=poster_owner(contract), contract=contract)
    failed(first, "evt_f1")
    first.refresh_from_db()
    assert first.status == Status.FAILED
    assert first.cancellation == ""  # no voucher behind it: the failure alone cancels nothing
    assert cancels(proxy, first) == []

    second = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.cancellation == Cancellation.CANCELED
    assert cancels(proxy, first) == [f"{first.idempotency_key}:cancel"]
    # It was read first (is it still cancellable?), then cancelled.
    assert proxy.requests_to(f"/v1/payment_intents/{first.external_id}", method="GET")

    # Asking again (the same pending attempt) asks Stripe nothing more.
    assert escrow_fund(actor=poster_owner(contract), contract=contract).pk == second.pk
    assert cancels(proxy, first) == [f"{first.idempotency_key}:cancel"]
    assert second.cancellation == ""


def test_a_cancel_stripe_cannot_take_now_does_not_stop_the_new_attempt(
    proxy: FaultProxy,
) -> None:
    contract = awarded_contract()
    first = escrow_fund(actor=poster_owner(contract), contract=contract)
    failed(first, "evt_f1")
    # Every try of the cancel fails (the SDK retries twice with the same key).
    proxy.inject(f"/v1/payment_intents/{first.external_id}/cancel", "500", "500", "500")
    second = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert second.status == Status.PENDING
    first.refresh_from_db()
    assert first.cancellation == ""
    keys = cancels(proxy, first)
    assert len(keys) == 3
    assert set(keys) == {f"{first.idempotency_key}:cancel"}

    # The sweep asks again, with the same key, and records it.
    assert voucher_reservations_sweep()["cancelled"] == 1
    first.refresh_from_db()
    assert first.cancellation == Cancellation.CANCELED
    assert set(cancels(proxy, first)) == {f"{first.idempotency_key}:cancel"}
    assert voucher_reservations_sweep()["cancelled"] == 0  # asked once


def test_a_failed_payment_not_replaced_is_left_for_the_poster_to_retry(
    proxy: FaultProxy,
) -> None:
    contract = awarded_contract()
    first = escrow_fund(actor=poster_owner(contract), contract=contract)
    failed(first, "evt_f1")
    assert voucher_reservations_sweep() == {"released": 0, "cancelled": 0}
    assert cancels(proxy, first) == []


# --- voucher reservations behind a failed or abandoned payment ------------------------------


def voucher_funding(contract: Any) -> tuple[Any, Any]:
    voucher = issue(make_programme(), contract.organization)
    funding = escrow_fund_start(
        actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk
    )
    assert funding.payment is not None
    assert funding.voucher_spend.status == VoucherSpend.Status.RESERVED
    assert voucher_remaining(voucher) == Money(5_000_00)
    return voucher, funding


@pytest.mark.parametrize("kind", ["payment_failed", "canceled"])
def test_the_failed_or_cancelled_webhook_releases_the_reservation(
    proxy: FaultProxy, kind: str
) -> None:
    contract = awarded_contract()
    voucher, funding = voucher_funding(contract)
    entries = JournalEntry.objects.count()

    assert failed(funding.payment, "evt_f", kind).json() == {"outcome": "processed"}

    spend = VoucherSpend.objects.get(pk=funding.voucher_spend.pk)
    assert spend.status == VoucherSpend.Status.RELEASED
    assert spend.released_at is not None
    assert not VoucherShare.objects.filter(spend=spend).exists()
    assert voucher_remaining(voucher) == Money(30_000_00)  # all of it back
    assert JournalEntry.objects.count() == entries  # a reservation was never in the ledger
    payment = GatewayObject.objects.get(pk=funding.payment.pk)
    assert payment.status == Status.FAILED
    assert payment.cancellation == Cancellation.CANCELED
    if kind == "payment_failed":
        # The card could still have been paid on its Payment Element: cancelled first.
        assert cancels(proxy, payment) == [f"{payment.idempotency_key}:cancel"]
    else:
        assert cancels(proxy, payment) == []  # Stripe cancelled it already
    # The poster can fund again, with the same voucher, under a fresh key.
    again = escrow_fund_start(
        actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk
    )
    assert again.payment is not None
    assert again.payment.pk != payment.pk
    assert again.voucher_spend.funding_key == (
        f"contract:{contract.pk}:fund:1-2:attempt:2:voucher:{voucher.pk}"
    )
    assert again.voucher_spend.status == VoucherSpend.Status.RESERVED
    assert voucher_remaining(voucher) == Money(5_000_00)
    assert escrow(contract) == Money(0)
    assert_ledger_sound()


def test_a_reservation_stays_while_stripe_cannot_cancel_and_the_sweep_releases_it(
    proxy: FaultProxy, settings: Any
) -> None:
    contract = awarded_contract()
    voucher, funding = voucher_funding(contract)
    proxy.inject(f"/v1/payment_intents/{funding.payment.external_id}", "500", "500", "500")
    assert failed(funding.payment, "evt_f").json() == {"outcome": "processed"}
    assert VoucherSpend.objects.get().status == VoucherSpend.Status.RESERVED
    assert voucher_remaining(voucher) == Money(5_000_00)

    # Not yet stale: the sweep leaves it.
    assert voucher_reservations_sweep()["released"] == 0
    later = timezone.now() + dt.timedelta(seconds=settings.VOUCHER_RESERVATION_SECONDS + 1)
    assert voucher_reservations_sweep(now=later)["released"] == 1
    assert VoucherSpend.objects.get().status == VoucherSpend.Status.RELEASED
    assert voucher_remaining(voucher) == Money(30_000_00)
    assert_ledger_sound()


def test_the_sweep_cancels_an_abandoned_payment_and_releases_its_reservation(
    proxy: FaultProxy, settings: Any, celery_eager: None
) -> None:
    settings.VOUCHER_RESERVATION_SECONDS = 0
    contract = awarded_contract()
    voucher, funding = voucher_funding(contract)
    # The poster never finished the Payment Element: no webhook ever comes.
    assert release_stale_voucher_reservations.delay().get() == {"released": 1, "cancelled": 0}
    payment = GatewayObject.objects.get(pk=funding.payment.pk)
    assert payment.status == Status.FAILED
    assert payment.cancellation == Cancellation.CANCELED
    assert cancels(proxy, payment) == [f"{payment.idempotency_key}:cancel"]
    assert VoucherSpend.objects.get().status == VoucherSpend.Status.RELEASED
    assert voucher_remaining(voucher) == Money(30_000_00)
    # Twice is safe; the late cancelled webhook changes nothing.
    assert voucher_reservations_sweep() == {"released": 0, "cancelled": 0}
    assert failed(payment, "evt_late", "canceled").json() == {"outcome": "processed"}
    assert voucher_remaining(voucher) == Money(30_000_00)
    assert_ledger_sound()


def test_a_payment_that_succeeded_keeps_its_voucher_part(proxy: FaultProxy, settings: Any) -> None:
    settings.VOUCHER_RESERVATION_SECONDS = 0
    contract = awarded_contract()
    _voucher, funding = voucher_funding(contract)
    body = event("evt_ok", "payment_intent.succeeded", {"id": funding.payment.external_id})
    assert post(body).json()["outcome"] == "processed"
    assert voucher_reservations_sweep() == {"released": 0, "cancelled": 0}
    assert VoucherSpend.objects.get().status == VoucherSpend.Status.POSTED
    assert escrow(contract) == Money(50_000_00)
    assert cancels(proxy, funding.payment) == []
    assert_ledger_sound()


def test_a_reservation_released_after_its_voucher_expired_goes_back_to_the_programme(
    proxy: FaultProxy, settings: Any
) -> None:
    settings.VOUCHER_RESERVATION_SECONDS = 0
    contract = awarded_contract()
    voucher, _funding = voucher_funding(contract)
    # The expiry returns the unreserved value and leaves the reserved part on the voucher.
    returned = voucher_expire(
        voucher_id=voucher.pk, today=voucher.valid_until + dt.timedelta(days=1)
    )
    assert returned is not None
    assert returned.amount == 5_000_00

    assert voucher_reservations_sweep()["released"] == 1

    spend = VoucherSpend.objects.get()
    back = VoucherReturn.objects.get(reference=f"{spend.funding_key}:released")
    assert back.kind == VoucherReturn.Kind.RELEASED_AFTER_EXPIRY
    assert back.amount == 25_000_00
    entry = JournalEntry.objects.get(reference=f"{spend.funding_key}:released")
    assert sorted(p.amount for p in entry.postings.all()) == [-25_000_00, 25_000_00]
    voucher.refresh_from_db()
    assert voucher_remaining(voucher) == Money(0)
    assert_ledger_sound()


# --- a failed attempt paid after all, once a newer attempt funded the milestones ------------


def test_an_old_attempt_paid_after_the_new_one_is_refunded_not_funded_twice(
    proxy: FaultProxy,
) -> None:
    contract = awarded_contract()
    first = escrow_fund(actor=poster_owner(contract), contract=contract)
    failed(first, "evt_f1")
    # Stripe cannot cancel it now: the old payment form stays payable.
    proxy.inject(f"/v1/payment_intents/{first.external_id}/cancel", "500", "500", "500")
    second = escrow_fund(actor=poster_owner(contract), contract=contract)
    response = post(event("evt_ok2", "payment_intent.succeeded", {"id": second.external_id}))
    assert response.status_code == 200
    assert escrow(contract) == Money(second.amount)

    # The poster pays the old form too; its webhook (twice) refunds it, once.
    for event_id in ("evt_ok1", "evt_ok1b"):
        response = post(event(event_id, "payment_intent.succeeded", {"id": first.external_id}))
        assert response.status_code == 200
    assert escrow(contract) == Money(second.amount)
    key = f"{first.idempotency_key}:duplicate-refund"
    assert JournalEntry.objects.filter(reference=key).count() == 1
    refunds = proxy.requests_to("/v1/refunds")
    assert {r.headers.get("Idempotency-Key") for r in refunds} == {key}
    contract.refresh_from_db()
    assert contract.status == contract.Status.ACTIVE
    assert_ledger_sound()
