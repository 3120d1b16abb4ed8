"""The task pool on the Stripe gateway, against stripe-mock (through a recording proxy, so the
parameters and Idempotency-Key of every request can be read): the pool's PaymentIntent, its
signed webhook processed once, the winners' transfers made from the pool's charge, and the
return of the rest as a partial refund of the pool's payment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from contracts.models import Contract, Milestone
from marketplace.money import Money
from payments.models import GatewayObject, JournalEntry, PoolMove, WebhookEvent
from payments.selectors import task_pool_state
from payments.services import milestone_refund, milestone_release
from payments.services.pool import pool_allocate, pool_fund_start, pool_return
from tasks.models import Task
from tests.payments.fault_proxy import FaultProxy, Recorded
from tests.payments.helpers import assert_ledger_sound, escrow, provider
from tests.payments.pool_setup import contest_task, deliver_and_accept, fen, prize_contract
from tests.payments.test_pool import pool_held, poster_funding
from tests.payments.test_webhooks import SECRET, event, post
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db
Kind = GatewayObject.Kind


@pytest.fixture
def proxy(settings: Any) -> Iterator[FaultProxy]:
    """A pass-through recording proxy in front of stripe-mock; a missing server fails."""
    upstream = os.environ.get("STRIPE_API_BASE")
    assert upstream, 'STRIPE_API_BASE is unset: eval "$(scripts/test-servers env)"'
    with FaultProxy(upstream) as running:
        settings.STRIPE_API_BASE = running.url
        settings.STRIPE_SECRET_KEY = "sk_test_123"
        settings.STRIPE_WEBHOOK_SECRET = SECRET
        settings.PAYMENTS_GATEWAY = "stripe"
        yield running


def only(requests: list[Recorded]) -> Recorded:
    assert len(requests) == 1, requests
    return requests[0]


def succeeded(payment: GatewayObject, event_id: str, charge: str = "ch_pool_1") -> bytes:
    return event(
        event_id,
        "payment_intent.succeeded",
        {"id": payment.external_id, "object": "payment_intent", "latest_charge": charge},
    )


def fund_on_stripe(task: Task, amount: int = 100_000_00) -> GatewayObject:
    payment = pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(amount), purpose="contest_prize"
    )
    assert post(succeeded(payment, f"evt_pool_{task.pk}")).json() == {"outcome": "processed"}
    payment.refresh_from_db()
    return payment


def test_the_pool_payment_intent_carries_the_tasks_transfer_group_and_its_key(
    proxy: FaultProxy,
) -> None:
    task = contest_task()
    payment = pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    sent = only(proxy.requests_to("/v1/payment_intents"))
    key = f"task:{task.pk}:pool:fund:1:{100_000_00}"
    assert sent.headers["Idempotency-Key"] == key
    form = sent.form()
    assert form["transfer_group"] == f"task-{task.pk}"
    assert (form["amount"], form["currency"]) == (str(100_000_00), "cny")
    assert (form["metadata[task]"], form["metadata[key]"]) == (str(task.pk), key)
    # Pending until the webhook: the pool holds nothing yet, and asking again is the same
    # payment (no second PaymentIntent).
    assert (payment.gateway, payment.status, payment.idempotency_key) == (
        "stripe", GatewayObject.Status.PENDING, key,
    )  # fmt: skip
    assert payment.external_id.startswith("pi_")
    assert pool_held(task) == fen(0)
    again = pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    assert again.pk == payment.pk
    assert len(proxy.requests_to("/v1/payment_intents")) == 1
    assert task_pool_state(task_id=task.pk).processing


def test_the_pool_webhook_is_verified_and_processed_once_and_a_replay_moves_nothing(
    proxy: FaultProxy,
) -> None:
    task = contest_task()
    payment = pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    body = succeeded(payment, "evt_pool_1")
    assert post(body, "t=1,v1=00").status_code == 400  # a bad signature: refused, nothing
    assert pool_held(task) == fen(0)
    assert not WebhookEvent.objects.exists()

    assert post(body).json() == {"outcome": "processed"}
    assert post(body).json() == {"outcome": "duplicate"}  # the same event replayed
    # Another event id for the same payment (Stripe resends under a new id): no second move.
    assert post(succeeded(payment, "evt_pool_2")).json() == {"outcome": "processed"}
    payment.refresh_from_db()
    assert payment.status == GatewayObject.Status.SUCCEEDED
    assert pool_held(task) == fen(100_000_00)
    assert poster_funding(task) == fen(-100_000_00)
    assert PoolMove.objects.filter(kind=PoolMove.Kind.FUND).count() == 1
    assert JournalEntry.objects.filter(reference=f"{payment.idempotency_key}:received").count() == 1
    charge = GatewayObject.objects.get(kind=Kind.CHARGE)
    assert (charge.external_id, charge.task_id, charge.contract_id) == ("ch_pool_1", task.pk, None)
    # The processor's fee was read from the charge's balance transaction at stripe-mock.
    assert proxy.requests_to("/v1/charges/ch_pool_1", method="GET")
    assert_ledger_sound()


def test_winners_are_paid_from_the_pools_charge_and_the_rest_is_refunded_against_it(
    proxy: FaultProxy,
) -> None:
    task = contest_task()
    payment = fund_on_stripe(task)
    first, second = prize_contract(task, 50_000_00), prize_contract(task, 20_000_00)
    pool_allocate(task=task, contract=first, amount=fen(50_000_00), reference="prize:1")
    pool_allocate(task=task, contract=second, amount=fen(20_000_00), reference="prize:2")
    for contract in (first, second):
        milestone_release(milestone_id=deliver_and_accept(contract).pk)
        assert contract.milestones.get().status == Milestone.Status.RELEASED
        assert escrow(contract) == fen(0)

    transfers = proxy.requests_to("/v1/transfers")
    assert [t.headers["Idempotency-Key"] for t in transfers] == [
        f"contract:{first.pk}:milestone:1:release",
        f"contract:{second.pk}:milestone:1:release",
    ]
    for sent, contract, net in zip(transfers, (first, second), (47_500_00, 19_000_00), strict=True):
        form = sent.form()
        assert form["source_transaction"] == "ch_pool_1"  # the pool payment's charge
        assert form["transfer_group"] == f"task-{task.pk}"  # the charge's group
        assert form["destination"] == f"acct_{contract.provider_id}"
        assert (form["amount"], form["metadata[contract]"]) == (str(net), str(contract.pk))
    assert provider(first) == fen(47_500_00)
    assert provider(second) == fen(19_000_00)

    pool_return(task=task, amount=fen(30_000_00), fee_bps=1_000, reference="rest", reason="x")
    refund = only(proxy.requests_to("/v1/refunds"))
    key = f"task:{task.pk}:pool:return:rest:payment:{payment.pk}"
    assert refund.headers["Idempotency-Key"] == key
    form = refund.form()
    assert form["payment_intent"] == payment.external_id
    assert (form["amount"], form["metadata[task]"]) == (str(27_000_00), str(task.pk))
    recorded = GatewayObject.objects.get(kind=Kind.REFUND)
    assert (recorded.idempotency_key, recorded.amount) == (key, 27_000_00)
    assert recorded.task_id == task.pk
    assert recorded.external_id.startswith("re_")
    # Returning again under the same reference asks Stripe nothing more.
    pool_return(task=task, amount=fen(30_000_00), fee_bps=1_000, reference="rest", reason="x")
    assert len(proxy.requests_to("/v1/refunds")) == 1
    assert pool_held(task) == fen(0)
    assert poster_funding(task) == fen(-73_000_00)
    assert_ledger_sound()


def test_a_prize_larger_than_any_one_pool_payment_is_paid_from_the_platforms_balance(
    proxy: FaultProxy,
) -> None:
    """Two payments of 60,000 and 40,000: a 70,000 prize fits neither charge, so its transfer
    names no source_transaction (Stripe refuses a transfer larger than its source)."""
    task = contest_task()
    fund_on_stripe(task, 60_000_00)
    second = pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(40_000_00), purpose="contest_prize"
    )
    post(succeeded(second, "evt_pool_second", charge="ch_pool_2"))
    contract: Contract = prize_contract(task, 70_000_00)
    pool_allocate(task=task, contract=contract, amount=fen(70_000_00), reference="prize:1")
    milestone_release(milestone_id=deliver_and_accept(contract).pk)
    form = only(proxy.requests_to("/v1/transfers")).form()
    assert "source_transaction" not in form
    assert form["transfer_group"] == f"contract-{contract.pk}"
    assert provider(contract) == Money(66_500_00, "CNY")
    assert_ledger_sound()


def test_a_prize_milestone_refunded_before_delivery_refunds_the_pool_payment_at_stripe(
    proxy: FaultProxy,
) -> None:
    task = contest_task()
    payment = fund_on_stripe(task)
    contract = prize_contract(task, 50_000_00)
    pool_allocate(task=task, contract=contract, amount=fen(50_000_00), reference="prize:1")
    milestone_refund(actor=task_owner(task), milestone=contract.milestones.get())
    sent = only(proxy.requests_to("/v1/refunds"))
    assert sent.headers["Idempotency-Key"] == f"contract:{contract.pk}:milestone:1:refund"
    form = sent.form()
    assert form["payment_intent"] == payment.external_id  # the pool's, the only payment
    assert (form["amount"], form["metadata[contract]"]) == (str(50_000_00), str(contract.pk))
    assert escrow(contract) == fen(0)
    assert poster_funding(task) == fen(-50_000_00)
    assert_ledger_sound()


def test_reconciling_a_prize_contract_reads_the_pools_transfer_group_and_refunds(
    proxy: FaultProxy,
) -> None:
    from payments.reconciliation import contract_findings

    task = contest_task()
    payment = fund_on_stripe(task)
    contract = prize_contract(task, 50_000_00)
    pool_allocate(task=task, contract=contract, amount=fen(50_000_00), reference="prize:1")
    contract_findings(contract)
    lists = [r.path for r in proxy.requests_to("/v1/", method="GET")]
    assert any(f"transfer_group=task-{task.pk}" in path for path in lists), lists
    assert any(f"payment_intent={payment.external_id}" in path for path in lists), lists
