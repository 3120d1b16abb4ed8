"""Money taken back from a contract funded from a task pool (a contest's prize contract): a
refund before delivery, a dispute's split and a reversal after release all refund the pool's
payment (there is no payment of the contract's own), with balanced entries, and the pool's
own return of the rest still refunds no payment beyond what it paid."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.models import Contract, Milestone
from disputes.models import Dispute
from disputes.services import dispute_decide, dispute_open, dispute_respond
from payments.models import GatewayObject
from payments.services import milestone_refund, milestone_release, milestone_release_reverse
from payments.services.pool import pool_allocate, pool_fund_start, pool_return
from tasks.models import Task
from tests.disputes.setup import REASONS, RESPONSE, STATEMENT, mediator, small_amounts
from tests.payments.helpers import escrow, provider
from tests.payments.pool_setup import (
    contest_task,
    deliver_and_accept,
    fen,
    prize_contract,
    solver,
)
from tests.payments.test_pool import assert_pool_invariant, pool_held, poster_funding
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db
M = Milestone.Status
REFUND = GatewayObject.Kind.REFUND


@pytest.fixture
def funded() -> Task:
    task = contest_task()
    pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    return task


def pool_payment(task: Task, n: int = 1) -> GatewayObject:
    return GatewayObject.objects.filter(
        kind=GatewayObject.Kind.PAYMENT_INTENT, task=task, contract__isnull=True
    ).order_by("id")[n - 1]


def prize(task: Task, amount: int = 50_000_00) -> Contract:
    contract = prize_contract(task, amount)
    pool_allocate(task=task, contract=contract, amount=fen(amount), reference=f"p{contract.pk}")
    return contract


def delivered(contract: Contract) -> Milestone:
    from contracts.services import milestone_submit
    from tests.frontend.contracts_setup import pdf

    m = contract.milestones.get()
    milestone_submit(actor=solver(contract), milestone=m, note="方案已提交。", files=[pdf()])
    return contract.milestones.get()


def test_a_dispute_split_60_40_on_a_prize_contract_refunds_the_pool_payment(
    funded: Task, settings: Any
) -> None:
    small_amounts(settings)
    contract = prize(funded)
    m = delivered(contract)
    dispute = dispute_open(
        actor=task_owner(funded), milestone=m, reason=Dispute.Reason.QUALITY, statement=STATEMENT
    )
    dispute_respond(actor=solver(contract), dispute=dispute, response=RESPONSE)
    dispute_decide(
        actor=mediator(), dispute=dispute, refund=30_000_00, release=20_000_00, reasons=REASONS
    )
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.EXECUTED
    assert contract.milestones.get().status == M.SPLIT
    assert escrow(contract) == fen(0)
    assert provider(contract) == fen(19_000_00)  # 20,000 less the 5 % fee
    refund = GatewayObject.objects.get(kind=REFUND)
    assert refund.amount == 30_000_00
    assert refund.idempotency_key == f"contract:{contract.pk}:milestone:1:split-refund"
    assert (refund.contract_id, refund.task_id) == (contract.pk, funded.pk)
    # The poster paid 100,000 into the pool and has 30,000 of the prize back.
    assert poster_funding(funded) == fen(-70_000_00)
    assert pool_held(funded) == fen(50_000_00)
    assert_pool_invariant(funded)
    # The pool's payment: 50,000 drawn by the prize (30,000 of it refunded now); the other
    # 50,000 is what the pool can still return, in one refund of that payment.
    pool_return(task=funded, amount=fen(50_000_00), fee_bps=0, reference="rest", reason="x")
    returned = GatewayObject.objects.filter(kind=REFUND, contract__isnull=True).get()
    assert returned.amount == 50_000_00
    assert returned.idempotency_key.endswith(f":payment:{pool_payment(funded).pk}")
    assert poster_funding(funded) == fen(-20_000_00)
    assert_pool_invariant(funded)


def test_refunding_a_prize_milestone_before_delivery_refunds_the_pool_payment(
    funded: Task,
) -> None:
    contract = prize(funded)
    m = milestone_refund(actor=task_owner(funded), milestone=contract.milestones.get())
    assert m.status == M.REFUNDED
    assert escrow(contract) == fen(0)
    refund = GatewayObject.objects.get(kind=REFUND)
    assert (refund.amount, refund.contract_id, refund.task_id) == (
        50_000_00,
        contract.pk,
        funded.pk,
    )
    assert refund.idempotency_key == f"contract:{contract.pk}:milestone:1:refund"
    assert poster_funding(funded) == fen(-50_000_00)
    # Asked again: it is refunded already, nothing moves.
    milestone_refund(actor=task_owner(funded), milestone=contract.milestones.get())
    assert GatewayObject.objects.filter(kind=REFUND).count() == 1
    assert_pool_invariant(funded)


def test_a_reversal_after_a_prize_was_paid_refunds_the_pool_payment(funded: Task) -> None:
    contract = prize(funded)
    milestone_release(milestone_id=deliver_and_accept(contract).pk)
    assert provider(contract) == fen(47_500_00)
    m = contract.milestones.get()
    milestone_release_reverse(milestone=m, amount=fen(10_000_00), actor=None, reference="dec-1")
    assert provider(contract) == fen(37_500_00)
    assert escrow(contract) == fen(0)
    refund = GatewayObject.objects.get(kind=REFUND)
    assert refund.amount == 10_000_00
    assert refund.idempotency_key == f"contract:{contract.pk}:milestone:1:reverse:dec-1:refund"
    assert poster_funding(funded) == fen(-90_000_00)
    assert_pool_invariant(funded)


def test_a_prize_no_single_payment_covered_is_refunded_across_the_pools_payments(
    funded: Task,
) -> None:
    """Payments of 100,000 and 40,000; a 120,000 prize fits neither: its refund takes what
    each payment can give, oldest first, and the pool's return afterwards the rest."""
    pool_fund_start(
        actor=task_owner(funded), task=funded, amount=fen(40_000_00), purpose="contest_prize"
    )
    contract = prize(funded, 120_000_00)
    milestone_refund(actor=task_owner(funded), milestone=contract.milestones.get())
    first, second = pool_payment(funded, 1), pool_payment(funded, 2)
    parts = GatewayObject.objects.filter(kind=REFUND).order_by("id")
    key = f"contract:{contract.pk}:milestone:1:refund"
    assert [(r.amount, r.idempotency_key) for r in parts] == [
        (100_000_00, f"{key}:payment:{first.pk}"),
        (20_000_00, f"{key}:payment:{second.pk}"),
    ]
    assert escrow(contract) == fen(0)
    pool_return(task=funded, amount=fen(20_000_00), fee_bps=0, reference="rest", reason="x")
    returned = GatewayObject.objects.filter(kind=REFUND, contract__isnull=True).get()
    assert (returned.amount, returned.idempotency_key[-len(f":{second.pk}") :]) == (
        20_000_00, f":{second.pk}",
    )  # fmt: skip
    for payment in (first, second):
        total = sum(r.amount for r in GatewayObject.objects.filter(kind=REFUND) if
                    r.idempotency_key.endswith(f":payment:{payment.pk}"))  # fmt: skip
        assert total <= payment.amount
    assert poster_funding(funded) == fen(0)
    assert_pool_invariant(funded)
