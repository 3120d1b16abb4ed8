"""The task pool (issue 14's escrow) on the sandbox gateway, through the real services: fund,
allocate to prize contracts, release them through the normal acceptance path, return the rest
less a fee; and every refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.models import Milestone
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from marketplace.money import Money
from payments.ledger import balance_of, unbalanced_entries
from payments.models import GatewayObject, JournalEntry, PoolMove, Posting, TaskPool
from payments.selectors import task_pool_state
from payments.services.pool import (
    pool_allocate,
    pool_freeze,
    pool_fund_start,
    pool_return,
    pool_unfreeze,
)
from payments.signals import pool_funded
from tasks.models import Task
from tests.accounts.factories import UserFactory
from tests.payments.helpers import K, assert_ledger_sound, escrow, fee_revenue, provider
from tests.payments.pool_setup import (
    contest_task,
    deliver_and_accept,
    fen,
    prize_contract,
    solver,
)
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db

M = Milestone.Status


def pool_held(task: Task) -> Money:
    return balance_of(kind=K.TASK_POOL, owner=f"task:{task.pk}", currency="CNY")


def poster_funding(task: Task) -> Money:
    return balance_of(
        kind=K.POSTER_FUNDING, owner=f"organization:{task.organization_id}", currency="CNY"
    )


def assert_pool_invariant(task: Task) -> None:
    state = task_pool_state(task_id=task.pk)
    assert state.held == state.funded - state.allocated - state.returned - state.fee
    assert state.held == pool_held(task)
    assert state.held.amount >= 0
    assert_ledger_sound()


@pytest.fixture
def task() -> Task:
    return contest_task()


@pytest.fixture
def funded(task: Task) -> Task:
    pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    return task


def snapshot() -> tuple[int, int, int, int]:
    return (
        JournalEntry.objects.count(),
        Posting.objects.count(),
        PoolMove.objects.count(),
        GatewayObject.objects.count(),
    )


def test_funding_the_pool_posts_the_ledger_and_sends_pool_funded_once(
    task: Task, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    pool_funded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            payment = pool_fund_start(
                actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
            )
    finally:
        pool_funded.disconnect(receiver)
    assert payment.gateway == "sandbox"
    assert payment.status == GatewayObject.Status.SUCCEEDED
    assert payment.contract_id is None
    assert payment.task_id == task.pk
    assert payment.idempotency_key == f"task:{task.pk}:pool:fund:1:{100_000_00}"
    assert pool_held(task) == fen(100_000_00)
    assert poster_funding(task) == fen(-100_000_00)
    assert heard == [{"signal": pool_funded, "task_id": task.pk, "amount": fen(100_000_00)}]
    state = task_pool_state(task_id=task.pk)
    assert (state.funded, state.held, state.purpose) == (fen(100_000_00),) * 2 + ("contest_prize",)
    assert not state.processing
    assert not state.failed
    assert_pool_invariant(task)


def test_a_second_funding_adds_to_the_pool_under_a_new_key(funded: Task) -> None:
    second = pool_fund_start(
        actor=task_owner(funded), task=funded, amount=fen(100_000_00), purpose="contest_prize"
    )
    assert second.idempotency_key == f"task:{funded.pk}:pool:fund:2:{100_000_00}"
    assert pool_held(funded) == fen(200_000_00)
    assert_pool_invariant(funded)


def test_the_whole_contest_fund_allocate_release_two_winners_and_return_the_rest(
    funded: Task, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    first = prize_contract(funded, 50_000_00)
    second = prize_contract(funded, 20_000_00)
    pool_allocate(task=funded, contract=first, amount=fen(50_000_00), reference="prize:1")
    pool_allocate(task=funded, contract=second, amount=fen(20_000_00), reference="prize:2")
    first.refresh_from_db()
    assert first.status == first.Status.ACTIVE
    assert first.milestones.get().status == M.FUNDED
    assert escrow(first) == fen(50_000_00)
    assert escrow(second) == fen(20_000_00)
    assert pool_held(funded) == fen(30_000_00)
    assert_pool_invariant(funded)

    for contract in (first, second):
        with django_capture_on_commit_callbacks(execute=True):
            deliver_and_accept(contract)
        assert contract.milestones.get().status == M.RELEASED
        assert escrow(contract) == fen(0)
    assert provider(first) == fen(47_500_00)  # less the 5 % platform fee
    assert provider(second) == fen(19_000_00)
    pool_charge = GatewayObject.objects.get(kind=GatewayObject.Kind.CHARGE, task=funded)
    transfers = GatewayObject.objects.filter(kind=GatewayObject.Kind.TRANSFER).order_by("id")
    assert [t.amount for t in transfers] == [47_500_00, 19_000_00]
    # Both winners' transfers are made from the one pool charge (source_transaction).
    assert {m.payment.idempotency_key for m in PoolMove.objects.filter(kind="allocate")} == {
        pool_charge.idempotency_key.removesuffix(":charge")
    }

    fees_before = fee_revenue()
    pool_return(
        task=funded, amount=fen(30_000_00), fee_bps=1_000, reference="rest", reason="no third prize"
    )
    assert pool_held(funded) == fen(0)
    assert fee_revenue() - fees_before == fen(3_000_00)
    refund = GatewayObject.objects.get(kind=GatewayObject.Kind.REFUND, task=funded)
    assert refund.amount == 27_000_00
    assert (
        refund.idempotency_key == f"task:{funded.pk}:pool:return:rest:payment:{pool_charge.pk - 1}"
    )
    state = task_pool_state(task_id=funded.pk)
    assert state.funded == fen(100_000_00)
    assert state.allocated == fen(70_000_00)
    assert state.returned == fen(27_000_00)
    assert state.fee == fen(3_000_00)
    assert state.held == fen(0)
    assert_pool_invariant(funded)
    # The poster paid 100,000, got 27,000 back: 73,000 net, of which 70,000 went to prizes.
    assert poster_funding(funded) == fen(-73_000_00)


def test_allocating_and_returning_again_with_the_same_reference_moves_money_once(
    funded: Task,
) -> None:
    contract = prize_contract(funded, 50_000_00)
    pool_allocate(task=funded, contract=contract, amount=fen(50_000_00), reference="prize:1")
    pool_allocate(task=funded, contract=contract, amount=fen(50_000_00), reference="prize:1")
    pool_return(task=funded, amount=fen(10_000_00), fee_bps=0, reference="r1", reason="rest")
    pool_return(task=funded, amount=fen(10_000_00), fee_bps=0, reference="r1", reason="rest")
    assert pool_held(funded) == fen(40_000_00)
    assert escrow(contract) == fen(50_000_00)
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.REFUND).count() == 1
    assert_pool_invariant(funded)


def test_over_allocation_is_refused_and_writes_nothing(funded: Task) -> None:
    contract = prize_contract(funded, 150_000_00)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        pool_allocate(task=funded, contract=contract, amount=fen(150_000_00), reference="big")
    assert refused.value.code == "over_pool"
    assert snapshot() == before
    assert contract.milestones.get().status == M.AWAITING_FUNDING


def test_over_return_is_refused_and_writes_nothing(funded: Task) -> None:
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        pool_return(task=funded, amount=fen(100_000_01), fee_bps=500, reference="r", reason="x")
    assert refused.value.code == "over_pool"
    assert snapshot() == before


def test_allocating_while_frozen_is_refused_until_unfrozen(funded: Task) -> None:
    contract = prize_contract(funded, 50_000_00)
    pool_freeze(funded, "objection 7 is being decided")
    assert task_pool_state(task_id=funded.pk).frozen
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        pool_allocate(task=funded, contract=contract, amount=fen(50_000_00), reference="p1")
    assert refused.value.code == "pool_frozen"
    with pytest.raises(Conflict):
        pool_return(task=funded, amount=fen(1_00), fee_bps=0, reference="r", reason="x")
    assert snapshot() == before
    pool_unfreeze(funded)
    pool_allocate(task=funded, contract=contract, amount=fen(50_000_00), reference="p1")
    assert escrow(contract) == fen(50_000_00)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (fen(0), "invalid_amount"),
        (fen(-5), "invalid_amount"),
        (Money(100, "USD"), "invalid_currency"),
    ],
)
def test_bad_amounts_are_refused_everywhere(funded: Task, amount: Money, code: str) -> None:
    contract = prize_contract(funded, 50_000_00)
    before = snapshot()
    for call in (
        lambda: pool_fund_start(
            actor=task_owner(funded), task=funded, amount=amount, purpose="contest_prize"
        ),
        lambda: pool_allocate(task=funded, contract=contract, amount=amount, reference="x"),
        lambda: pool_return(task=funded, amount=amount, fee_bps=0, reference="x", reason="x"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert refused.value.code == code
    assert snapshot() == before


def test_an_allocation_must_be_what_the_milestones_cost(funded: Task) -> None:
    contract = prize_contract(funded, 50_000_00, parts=(20_000_00, 30_000_00))
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        pool_allocate(task=funded, contract=contract, amount=fen(40_000_00), reference="x")
    assert refused.value.code == "amount_mismatch"
    assert snapshot() == before
    # One unit (milestone) at a time, as piece-work accepts units.
    first = contract.milestones.get(position=1)
    pool_allocate(
        task=funded, contract=contract, amount=fen(20_000_00), reference="unit:1",
        milestone_ids=[first.pk],
    )  # fmt: skip
    first.refresh_from_db()
    assert first.status == M.FUNDED
    assert contract.milestones.get(position=2).status == M.AWAITING_FUNDING
    with pytest.raises(InvalidTransition):
        pool_allocate(
            task=funded, contract=contract, amount=fen(20_000_00), reference="unit:1b",
            milestone_ids=[first.pk],
        )  # fmt: skip


def test_a_contract_of_another_task_and_a_reused_reference_are_refused(funded: Task) -> None:
    other = prize_contract(contest_task(), 10_000_00)
    with pytest.raises(ValidationFailed):
        pool_allocate(task=funded, contract=other, amount=fen(10_000_00), reference="x")
    mine = prize_contract(funded, 10_000_00)
    pool_allocate(task=funded, contract=mine, amount=fen(10_000_00), reference="x")
    again = prize_contract(funded, 10_000_00)
    with pytest.raises(Conflict) as refused:
        pool_allocate(task=funded, contract=again, amount=fen(10_000_00), reference="x")
    assert refused.value.code == "reference_reused"


def test_only_the_posters_owners_and_admins_fund_a_pool(task: Task) -> None:
    contract_solver = solver(prize_contract(contest_task(), 1_00))
    for actor in (UserFactory(), contract_solver):
        with pytest.raises(NotAllowed):
            pool_fund_start(actor=actor, task=task, amount=fen(1_00), purpose="contest_prize")
    assert not TaskPool.objects.exists()
    assert not GatewayObject.objects.exists()


def test_a_tender_has_no_pool_and_the_purpose_is_checked(task: Task) -> None:
    tender = contest_task(mode=Task.Mode.TENDER)
    with pytest.raises(InvalidTransition):
        pool_fund_start(
            actor=task_owner(tender), task=tender, amount=fen(1_00), purpose="contest_prize"
        )
    with pytest.raises(ValidationFailed):
        pool_fund_start(actor=task_owner(task), task=task, amount=fen(1_00), purpose="lottery")
    pool_fund_start(actor=task_owner(task), task=task, amount=fen(1_00), purpose="contest_prize")
    with pytest.raises(ValidationFailed):
        pool_fund_start(
            actor=task_owner(task), task=task, amount=fen(1_00), purpose="piecework_units"
        )


def test_a_task_without_a_pool_reads_empty_and_refuses_moves(task: Task) -> None:
    state = task_pool_state(task_id=task.pk)
    assert not state.exists
    assert state.held == fen(0)
    with pytest.raises(NotFound):
        pool_return(task=task, amount=fen(1_00), fee_bps=0, reference="r", reason="x")
    with pytest.raises(NotFound):
        pool_freeze(task, "x")


def test_a_return_spreads_over_the_pools_payments_never_refunding_one_beyond_what_it_can(
    funded: Task,
) -> None:
    pool_fund_start(
        actor=task_owner(funded), task=funded, amount=fen(30_000_00), purpose="contest_prize"
    )
    contract = prize_contract(funded, 90_000_00)
    pool_allocate(task=funded, contract=contract, amount=fen(90_000_00), reference="p")
    pool_return(task=funded, amount=fen(40_000_00), fee_bps=0, reference="rest", reason="x")
    refunds = GatewayObject.objects.filter(kind=GatewayObject.Kind.REFUND).order_by("id")
    # The first payment (100,000) carries the 90,000 prize: 10,000 of it is refundable.
    assert [r.amount for r in refunds] == [10_000_00, 30_000_00]
    assert pool_held(funded) == fen(0)
    assert unbalanced_entries() == []


def test_a_prize_paid_leaves_the_task_open_to_the_next_allocation(
    funded: Task, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    """One prize (or unit) contract finished is not the task's work done: the next contract
    the pool funds still starts. (Before, the first completion completed the task and the next
    allocation failed on "completed → in progress".)"""
    first = prize_contract(funded, 30_000_00)
    pool_allocate(task=funded, contract=first, amount=fen(30_000_00), reference="unit:1")
    with django_capture_on_commit_callbacks(execute=True):
        deliver_and_accept(first)
    first.refresh_from_db()
    funded.refresh_from_db()
    assert first.status == first.Status.COMPLETED
    assert funded.status == Task.Status.IN_PROGRESS
    second = prize_contract(funded, 20_000_00)
    pool_allocate(task=funded, contract=second, amount=fen(20_000_00), reference="unit:2")
    second.refresh_from_db()
    assert second.status == second.Status.ACTIVE
    assert escrow(second) == fen(20_000_00)
    assert_pool_invariant(funded)
