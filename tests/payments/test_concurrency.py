"""Ten releases of one milestone at the same moment, on PostgreSQL: money moves once."""

from __future__ import annotations

import pytest
from django.db import connection

from contracts.models import Milestone
from contracts.services import milestone_accept
from marketplace.money import Money
from payments.models import GatewayObject, JournalEntry
from payments.services import escrow_fund, milestone_release
from tests.accounts.concurrency import run_concurrently
from tests.frontend.contracts_setup import awarded_contract, deliver, milestone, poster_owner
from tests.payments.helpers import assert_ledger_sound, escrow, payouts_active, provider

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_concurrent_releases_move_the_money_once() -> None:
    assert connection.vendor == "postgresql"
    contract = awarded_contract()
    payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    m = milestone(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=m)

    results = run_concurrently(*[lambda: milestone_release(milestone_id=m.pk)] * 10)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert milestone(contract, 1).status == Milestone.Status.RELEASED
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.TRANSFER).count() == 1
    release_entries = JournalEntry.objects.filter(reference__endswith=":milestone:1:release")
    assert release_entries.count() == 1
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract) == Money(19_000_00)
    assert_ledger_sound()
