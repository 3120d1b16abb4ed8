"""The task pool under concurrent allocations and returns, on PostgreSQL: the pool never goes
negative, never pays out more than was funded, and a reference allocates once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from contracts.models import Milestone
from marketplace.errors import Conflict
from payments.models import JournalEntry, PoolMove
from payments.selectors import task_pool_state
from payments.services.pool import pool_allocate, pool_fund_start, pool_return
from tasks.models import Task
from tests.accounts.concurrency import run_concurrently
from tests.payments.helpers import assert_ledger_sound, escrow
from tests.payments.pool_setup import contest_task, fen, prize_contract
from tests.payments.test_pool import assert_pool_invariant, pool_held
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def funded() -> Task:
    assert connection.vendor == "postgresql"
    task = contest_task()
    pool_fund_start(
        actor=task_owner(task), task=task, amount=fen(100_000_00), purpose="contest_prize"
    )
    return task


def allocated_total(task: Task) -> int:
    total = PoolMove.objects.filter(pool__task=task, kind=PoolMove.Kind.ALLOCATE).aggregate(
        t=Sum("amount")
    )["t"]
    return int(total or 0)


def refused_over_pool(results: list[Any]) -> list[Any]:
    """Every result is a success (None) or the over_pool refusal: nothing else, no deadlock."""
    others = [r for r in results if r is not None and not _over_pool(r)]
    assert others == []
    return [r for r in results if r is not None]


def _over_pool(result: Any) -> bool:
    return isinstance(result, Conflict) and result.code == "over_pool"


def test_ten_allocations_exceeding_the_pool_at_once_never_take_it_below_zero(
    funded: Task,
) -> None:
    contracts = [prize_contract(funded, 15_000_00) for _ in range(10)]
    calls = [
        lambda c=c, n=n: pool_allocate(
            task=funded, contract=c, amount=fen(15_000_00), reference=f"prize:{n}"
        )
        for n, c in enumerate(contracts)
    ]

    results = run_concurrently(*calls)

    refused = refused_over_pool(results)
    assert len(refused) == 4  # 6 × 15,000 fit in 100,000; the seventh does not
    assert allocated_total(funded) == 90_000_00 <= 100_000_00
    assert pool_held(funded) == fen(10_000_00)
    for contract, result in zip(contracts, results, strict=True):
        funded_here = result is None
        assert escrow(contract) == fen(15_000_00 if funded_here else 0)
        status = contract.milestones.get().status
        assert status == (
            Milestone.Status.FUNDED if funded_here else Milestone.Status.AWAITING_FUNDING
        )
    assert_pool_invariant(funded)


def test_the_same_reference_allocated_ten_times_at_once_moves_money_once(funded: Task) -> None:
    contract = prize_contract(funded, 30_000_00)
    allocate = lambda: pool_allocate(  # noqa: E731
        task=funded, contract=contract, amount=fen(30_000_00), reference="prize:1"
    )

    results = run_concurrently(*[allocate] * 10)

    assert results == [None] * 10  # the repeats find the allocation done and do nothing
    assert PoolMove.objects.filter(kind=PoolMove.Kind.ALLOCATE).count() == 1
    assert (
        JournalEntry.objects.filter(reference=f"task:{funded.pk}:pool:allocate:prize:1").count()
        == 1
    )
    assert escrow(contract) == fen(30_000_00)
    assert pool_held(funded) == fen(70_000_00)
    assert_pool_invariant(funded)


def test_allocations_and_returns_racing_for_the_same_money_never_overdraw_it(
    funded: Task,
) -> None:
    contracts = [prize_contract(funded, 20_000_00) for _ in range(5)]
    calls = [
        lambda c=c, n=n: pool_allocate(
            task=funded, contract=c, amount=fen(20_000_00), reference=f"prize:{n}"
        )
        for n, c in enumerate(contracts)
    ] + [
        lambda n=n: pool_return(
            task=funded, amount=fen(20_000_00), fee_bps=500, reference=f"rest:{n}", reason="x"
        )
        for n in range(5)
    ]

    results = run_concurrently(*calls)

    refused = refused_over_pool(results)
    assert len(refused) == 5  # 100,000 covers five of the ten 20,000 moves, whichever win
    state = task_pool_state(task_id=funded.pk)
    assert state.held == fen(0)
    assert state.allocated + state.returned + state.fee == fen(100_000_00)
    assert allocated_total(funded) == sum(20_000_00 for r in results[:5] if r is None)
    assert_pool_invariant(funded)
    assert_ledger_sound()
