"""Races on PostgreSQL: opening a dispute against auto-acceptance, two mediators at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from contracts.models import Milestone
from contracts.services import milestone_auto_accept
from disputes.models import Dispute, DisputeDecision
from disputes.services import dispute_decide, dispute_respond
from marketplace.errors import Conflict, InvalidTransition
from marketplace.money import Money
from payments.models import GatewayObject, JournalEntry
from tests.accounts.concurrency import run_concurrently
from tests.disputes.setup import (
    REASONS,
    RESPONSE,
    funded_contract,
    mediator,
    open_dispute,
    small_amounts,
)
from tests.frontend.contracts_setup import deliver, milestone, poster_owner
from tests.payments.helpers import assert_ledger_sound, escrow, provider

pytestmark = pytest.mark.django_db(transaction=True)
M = Milestone.Status


@pytest.mark.parametrize("attempt", range(4))
def test_opening_a_dispute_races_auto_acceptance_and_exactly_one_wins(attempt: int) -> None:
    assert connection.vendor == "postgresql"
    contract = funded_contract()
    deliver(contract, 1)
    m = milestone(contract, 1)
    # The review window has just run out: the sweeper and the provider act at the same moment.
    Milestone.objects.filter(pk=m.pk).update(review_due_at=timezone.now() - dt.timedelta(seconds=1))

    results = run_concurrently(
        lambda: open_dispute(contract), lambda: milestone_auto_accept(milestone_id=m.pk)
    )

    opened, accepted = results
    final = milestone(contract, 1).status
    if isinstance(opened, Dispute):
        # The dispute won: the auto-acceptance re-checked under the lock and found it disputed.
        assert accepted is False
        assert final == M.DISPUTED
        assert Dispute.objects.count() == 1
    else:
        # The acceptance won: the dispute was refused, nothing of it written.
        assert isinstance(opened, InvalidTransition), opened
        assert accepted is True
        assert final in (M.ACCEPTED, M.RELEASED)
        assert not Dispute.objects.exists()
    assert escrow(contract) + provider(contract) <= Money(50_000_00)
    assert_ledger_sound()


def test_two_mediators_deciding_at_once_give_one_execution(settings: Any) -> None:
    assert connection.vendor == "postgresql"
    small_amounts(settings)
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    first, second = mediator(), mediator()

    results = run_concurrently(
        lambda: dispute_decide(
            actor=first, dispute=d, refund=8_000_00, release=12_000_00, reasons=REASONS
        ),
        lambda: dispute_decide(
            actor=second, dispute=d, refund=2_000_00, release=18_000_00, reasons=REASONS
        ),
    )

    decisions = [r for r in results if isinstance(r, DisputeDecision)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(decisions) == 1
    assert len(refused) == 1
    assert isinstance(refused[0], Conflict)
    assert DisputeDecision.objects.count() == 1
    d.refresh_from_db()
    assert d.status == Dispute.Status.EXECUTED
    winner = decisions[0]
    key = f"contract:{contract.pk}:milestone:1"
    assert JournalEntry.objects.filter(reference=f"{key}:split-release").count() == 1
    assert JournalEntry.objects.filter(reference=f"{key}:split-refund").count() == 1
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.TRANSFER).count() == 1
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract) == Money(winner.release).basis_points(9500)
    assert_ledger_sound()


def test_the_sweeper_running_twice_at_once_executes_a_decision_once() -> None:
    from disputes.services import disputes_advance_due

    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=d, refund=5_000_00, release=15_000_00, reasons=REASONS)
    later = timezone.now() + dt.timedelta(days=30)

    results = run_concurrently(
        lambda: disputes_advance_due(now=later), lambda: disputes_advance_due(now=later)
    )

    assert sorted(results) == [0, 1]
    key = f"contract:{contract.pk}:milestone:1"
    assert JournalEntry.objects.filter(reference=f"{key}:split-release").count() == 1
    assert escrow(contract) == Money(30_000_00)
    assert_ledger_sound()
