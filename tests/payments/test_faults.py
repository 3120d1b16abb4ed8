"""Faults between us and Stripe: timeouts, 500s and dropped connections, injected by a local
proxy in front of stripe-mock. Retries carry the same Idempotency-Key, the action stays
pending and is retried later with that key, and nothing is posted twice (DESIGN §10)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.money import Money
from payments.models import ConnectedAccount, GatewayObject, JournalEntry
from payments.services import escrow_fund, milestone_release, payment_succeeded
from payments.services.connect import account_state_apply
from payments.stripe_api import StripeFailed
from payments.tasks import retry_pending_payouts
from tests.frontend.contracts_setup import awarded_contract, deliver, milestone, poster_owner
from tests.payments.fault_proxy import FaultProxy
from tests.payments.helpers import K, assert_ledger_sound, escrow, provider

pytestmark = pytest.mark.django_db
TRANSFER = GatewayObject.Kind.TRANSFER
ACTIVE = {"capabilities": {"transfers": "active"}, "requirements": {"currently_due": []}}


@pytest.fixture
def proxy(settings: Any) -> Iterator[FaultProxy]:
    upstream = os.environ.get("STRIPE_API_BASE")
    assert upstream, 'STRIPE_API_BASE is unset: eval "$(scripts/test-servers env)"'
    with FaultProxy(upstream, hold_seconds=1.5) as running:
        settings.STRIPE_API_BASE = running.url
        settings.STRIPE_SECRET_KEY = "sk_test_123"
        settings.PAYMENTS_GATEWAY = "stripe"
        settings.STRIPE_REQUEST_TIMEOUT = 1
        yield running


def funded_and_accepted(*, active: bool) -> Contract:
    contract = awarded_contract()
    account = ConnectedAccount.objects.create(provider=contract.provider, external_id="acct_1")
    if active:
        account_state_apply(account=account, state=ACTIVE, created=1)
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    payment_succeeded(payment=payment, charge_id="ch_1")
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    return contract


def keys(proxy: FaultProxy, prefix: str) -> list[str]:
    return [r.headers.get("Idempotency-Key", "") for r in proxy.requests_to(prefix)]


@pytest.mark.parametrize(
    "faults", [("500",), ("drop",), ("timeout",), ("500", "timeout")], ids=lambda f: "-".join(f)
)
def test_a_retried_transfer_carries_the_same_key_and_moves_money_once(
    proxy: FaultProxy, faults: tuple[str, ...]
) -> None:
    contract = funded_and_accepted(active=True)
    proxy.inject("/v1/transfers", *faults)
    milestone_release(milestone_id=milestone(contract, 1).pk)
    release_key = f"contract:{contract.pk}:milestone:1:release"
    assert keys(proxy, "/v1/transfers") == [release_key] * (len(faults) + 1)
    assert GatewayObject.objects.filter(kind=TRANSFER).count() == 1
    assert JournalEntry.objects.filter(reference=f"{release_key}:transfer").count() == 1
    assert provider(contract) == Money(19_000_00)
    assert_ledger_sound()


def test_a_payment_intent_retried_after_a_500_has_one_key(proxy: FaultProxy) -> None:
    contract = awarded_contract()
    proxy.inject("/v1/payment_intents", "500", "drop")
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert keys(proxy, "/v1/payment_intents") == [f"contract:{contract.pk}:fund:1-2"] * 3
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.PAYMENT_INTENT).count() == 1
    assert payment.external_id.startswith("pi_")


def test_when_every_retry_fails_the_release_stays_pending_and_a_later_retry_uses_the_key(
    proxy: FaultProxy,
) -> None:
    contract = funded_and_accepted(active=True)
    proxy.inject("/v1/transfers", "500", "drop", "timeout")  # the first call and both retries
    with pytest.raises(StripeFailed):
        milestone_release(milestone_id=milestone(contract, 1).pk)
    assert milestone(contract, 1).status == Milestone.Status.ACCEPTED
    assert escrow(contract) == Money(50_000_00)
    assert not JournalEntry.objects.filter(reference__contains=":milestone:1:release").exists()
    # Later (the Celery task's autoretry), Stripe answers again.
    milestone_release(milestone_id=milestone(contract, 1).pk)
    release_key = f"contract:{contract.pk}:milestone:1:release"
    assert keys(proxy, "/v1/transfers") == [release_key] * 4
    assert milestone(contract, 1).status == Milestone.Status.RELEASED
    assert JournalEntry.objects.filter(reference=f"{release_key}:transfer").count() == 1
    assert provider(contract) == Money(19_000_00)
    assert_ledger_sound()


def test_a_pending_payout_survives_a_failing_stripe_and_is_paid_once_by_the_beat_job(
    proxy: FaultProxy,
) -> None:
    contract = funded_and_accepted(active=False)
    milestone_release(milestone_id=milestone(contract, 1).pk)
    waiting = GatewayObject.objects.get(kind=TRANSFER)
    assert waiting.status == GatewayObject.Status.PENDING
    proxy.inject("/v1/transfers", "timeout", "500", "drop")
    account = ConnectedAccount.objects.get(provider=contract.provider)
    account_state_apply(account=account, state=ACTIVE, created=5)
    from payments.services.payouts import payouts_pending_execute

    run = payouts_pending_execute(provider_id=contract.provider_id)
    assert (run.paid, run.waiting) == (0, 1)
    waiting.refresh_from_db()
    assert waiting.status == GatewayObject.Status.PENDING
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(19_000_00)
    assert provider(contract) == Money(0)
    assert retry_pending_payouts.apply().get() == 1
    assert retry_pending_payouts.apply().get() == 0  # nothing left: nothing paid twice
    waiting.refresh_from_db()
    assert waiting.status == GatewayObject.Status.SUCCEEDED
    assert keys(proxy, "/v1/transfers") == [waiting.idempotency_key] * 4
    assert JournalEntry.objects.filter(reference=f"{waiting.idempotency_key}:transfer").count() == 1
    assert provider(contract) == Money(19_000_00)
    assert_ledger_sound()
