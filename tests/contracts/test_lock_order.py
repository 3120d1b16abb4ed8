"""One lock order (contract, then milestones, then task): races end right and never deadlock.

The concurrent tests run each call on its own PostgreSQL connection, started together at a
barrier. Without the contract lock, two acceptances each read the other milestone as still in
review and neither completes the contract; the round-robin repeats make that visible.
"""

from __future__ import annotations

import pytest
from django.db import connection

from contracts.models import Contract, Milestone
from contracts.services import (
    contract_award,
    contract_funding_received,
    milestone_accept,
    milestone_settle,
    milestone_submit,
)
from marketplace.audit import audit_trail
from marketplace.errors import InvalidTransition
from tasks.models import Task
from tests.accounts.concurrency import run_concurrently
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

ROUNDS = 3


def _contract(milestones: int = 2) -> Contract:
    task = TaskFactory()
    plan = [(f"第{n}阶段", 10_000_00, 10 * n) for n in range(1, milestones + 1)]
    bid = BidFactory(
        task=task, amount=10_000_00 * milestones, duration_days=10 * milestones, milestones=plan
    )
    return contract_award(actor=task_owner(task), bid=bid)


def _deliver(contract: Contract, *positions: int) -> list[Milestone]:
    provider = bid_operator(contract.bid)
    delivered = []
    for milestone in contract.milestones.filter(position__in=positions).order_by("position"):
        milestone_submit(actor=provider, milestone=milestone, note="成果已交付，请验收。")
        delivered.append(milestone)
    return delivered


def _completions(contract: Contract) -> int:
    return audit_trail(contract).filter(action="contract.complete").count()


@pytest.fixture
def postgresql() -> None:
    assert connection.vendor == "postgresql", "race tests need PostgreSQL (make test runs it)"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgresql")
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_milestones_accepted_at_once_complete_the_contract_exactly_once(round_: int):
    contract = contract_funding_received(contract=_contract(), reference="pi_race")
    first, second = _deliver(contract, 1, 2)
    owner = task_owner(contract.task)

    results = run_concurrently(
        lambda: milestone_accept(actor=owner, milestone=first),
        lambda: milestone_accept(actor=owner, milestone=second),
    )

    assert all(isinstance(r, Milestone) for r in results), results
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert _completions(contract) == 1
    assert Task.objects.get(pk=contract.task_id).status == Task.Status.COMPLETED


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgresql")
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_funding_racing_an_acceptance_finishes_without_deadlock(round_: int):
    """The first milestone is funded and delivered; the second's funding arrives while the
    poster accepts the first. Both lock the contract first, so one waits for the other."""
    contract = _contract()
    first_id, second_id = contract.milestones.order_by("position").values_list("id", flat=True)
    contract_funding_received(contract=contract, milestone_ids=[first_id], reference="pi_1")
    (first,) = _deliver(contract, 1)
    owner = task_owner(contract.task)

    results = run_concurrently(
        lambda: milestone_accept(actor=owner, milestone=first),
        lambda: contract_funding_received(
            contract=contract, milestone_ids=[second_id], reference="pi_2"
        ),
    )

    assert not any(isinstance(r, Exception) for r in results), results
    statuses = dict(contract.milestones.values_list("position", "status"))
    assert statuses == {1: Milestone.Status.ACCEPTED, 2: Milestone.Status.FUNDED}
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert _completions(contract) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgresql")
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_an_acceptance_racing_a_refund_of_the_other_milestone_completes_once(round_: int):
    """Refunded milestones count as finished: whichever of the two commits second sees both
    done under the contract lock and completes the contract."""
    contract = contract_funding_received(contract=_contract(), reference="pi_mix")
    first, second = contract.milestones.order_by("position")
    _deliver(contract, 1)
    owner = task_owner(contract.task)

    results = run_concurrently(
        lambda: milestone_accept(actor=owner, milestone=first),
        lambda: milestone_settle(
            milestone=second, outcome="refunded", actor=None, reference="re_mix"
        ),
    )

    assert all(isinstance(r, Milestone) for r in results), results
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert _completions(contract) == 1


@pytest.mark.django_db
def test_a_refunded_milestone_counts_as_done_so_the_contract_can_complete():
    contract = contract_funding_received(contract=_contract(), reference="pi_r")
    first, second = contract.milestones.order_by("position")
    _deliver(contract, 1)
    milestone_accept(actor=task_owner(contract.task), milestone=first)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE

    milestone_settle(milestone=second, outcome="refunded", actor=None, reference="re_2")

    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert Task.objects.get(pk=contract.task_id).status == Task.Status.COMPLETED


@pytest.mark.django_db
def test_a_milestone_split_by_a_decision_counts_as_done():
    contract = contract_funding_received(contract=_contract(milestones=1), reference="pi_s")
    (only,) = contract.milestones.all()
    Milestone.objects.filter(pk=only.pk).update(status=Milestone.Status.DISPUTED)

    milestone_settle(milestone=only, outcome="split", actor=None, reference="decision_1")
    milestone_settle(milestone=only, outcome="split", actor=None, reference="decision_1")

    only.refresh_from_db()
    assert only.status == Milestone.Status.SPLIT
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert _completions(contract) == 1


@pytest.mark.django_db
def test_a_split_needs_a_dispute_first():
    contract = contract_funding_received(contract=_contract(milestones=1), reference="pi_x")
    (only,) = contract.milestones.all()
    with pytest.raises(InvalidTransition):
        milestone_settle(milestone=only, outcome="split", actor=None, reference="decision_2")
    only.refresh_from_db()
    assert only.status == Milestone.Status.FUNDED
