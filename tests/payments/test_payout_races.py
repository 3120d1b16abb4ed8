"""Payouts, activations and reversals at the same moment, on PostgreSQL: money moves once."""

from __future__ import annotations

import pytest
from django.db import connection

from contracts.models import Contract
from contracts.services import milestone_accept
from marketplace.money import Money
from payments.models import ConnectedAccount, GatewayObject, JournalEntry
from payments.services import escrow_fund, milestone_release, milestone_release_reverse
from payments.services.connect import payout_account_open, payout_account_sandbox_activate
from payments.services.payouts import payouts_pending_execute
from tests.accounts.concurrency import run_concurrently
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    milestone,
    poster_owner,
    provider_user,
)
from tests.payments.helpers import K, assert_ledger_sound, payouts_active, provider

pytestmark = pytest.mark.django_db(transaction=True)


def released(*, active: bool) -> Contract:
    contract = awarded_contract()
    if active:
        payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    milestone_release(milestone_id=milestone(contract, 1).pk)
    return contract


def test_concurrent_payout_runs_transfer_a_pending_payout_once() -> None:
    assert connection.vendor == "postgresql"
    contract = released(active=False)
    payout_account_open(actor=provider_user(contract), provider=contract.provider)
    ConnectedAccount.objects.filter(provider=contract.provider).update(transfers_active=True)

    runs = run_concurrently(
        *[lambda: payouts_pending_execute(provider_id=contract.provider_id)] * 6
    )

    assert [r for r in runs if isinstance(r, Exception)] == []
    assert sum(r.paid for r in runs) == 1
    assert JournalEntry.objects.filter(reference__endswith=":release:transfer").count() == 1
    assert provider(contract) == Money(19_000_00)
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(0)
    assert_ledger_sound()


def test_concurrent_sandbox_activations_open_one_account_and_pay_once() -> None:
    contract = released(active=False)
    activate = lambda: payout_account_sandbox_activate(  # noqa: E731
        actor=provider_user(contract), provider=contract.provider, holder_name="王芳"
    )
    results = run_concurrently(*[activate] * 4)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert ConnectedAccount.objects.filter(provider=contract.provider).count() == 1
    payouts_pending_execute(provider_id=contract.provider_id)
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.TRANSFER).count() == 1
    assert provider(contract) == Money(19_000_00)


def test_the_same_reversal_requested_at_once_takes_money_back_once() -> None:
    contract = released(active=True)
    m = milestone(contract, 1)
    reverse = lambda: milestone_release_reverse(  # noqa: E731
        milestone=m, amount=Money(6_000_00), actor=None, reference="decision-7"
    )
    results = run_concurrently(*[reverse] * 5)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.TRANSFER_REVERSAL).count() == 1
    assert provider(contract) == Money(13_000_00)
    assert_ledger_sound()
