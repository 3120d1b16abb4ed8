"""Funding, release, refund and split on the sandbox gateway, through the real services."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.money import Money
from payments.models import Escrow, GatewayObject, JournalEntry, Posting
from payments.services import (
    escrow_fund,
    escrow_split_execute,
    milestone_refund,
    milestone_release,
)
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    milestone,
    poster_owner,
    provider_user,
)
from tests.payments.helpers import (
    K,
    assert_ledger_sound,
    escrow,
    fee_revenue,
    payouts_active,
    provider,
)

pytestmark = pytest.mark.django_db

M = Milestone.Status


@pytest.fixture
def contract() -> Contract:
    """A contract whose provider's payout account is active (the sandbox form)."""
    contract = awarded_contract()
    payouts_active(contract)
    return contract


def test_funding_all_milestones_holds_the_whole_amount_and_starts_the_contract(
    contract: Contract,
) -> None:
    payment = escrow_fund(actor=poster_owner(contract), contract=contract, scope="all")
    contract.refresh_from_db()
    assert payment.gateway == "sandbox"
    assert payment.status == GatewayObject.Status.SUCCEEDED
    assert contract.status == Contract.Status.ACTIVE
    assert escrow(contract) == Money(50_000_00)
    assert set(contract.milestones.values_list("status", flat=True)) == {M.FUNDED}
    assert_ledger_sound()


def test_funding_the_next_milestone_funds_only_the_first(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract, scope="next")
    assert escrow(contract) == Money(20_000_00)
    assert milestone(contract, 1).status == M.FUNDED
    assert milestone(contract, 2).status == M.AWAITING_FUNDING
    escrow_fund(actor=poster_owner(contract), contract=contract, scope="next")
    assert escrow(contract) == Money(50_000_00)


def test_funding_twice_is_refused_and_moves_nothing_more(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    with pytest.raises(InvalidTransition):
        escrow_fund(actor=poster_owner(contract), contract=contract)
    assert escrow(contract) == Money(50_000_00)


def test_the_provider_cannot_fund_the_escrow(contract: Contract) -> None:
    with pytest.raises(NotAllowed):
        escrow_fund(actor=provider_user(contract), contract=contract)
    assert not JournalEntry.objects.exists()


def test_an_unknown_scope_is_refused(contract: Contract) -> None:
    with pytest.raises(ValidationFailed):
        escrow_fund(actor=poster_owner(contract), contract=contract, scope="half")
    assert not GatewayObject.objects.exists()


def accepted(contract: Contract, position: int = 1) -> Milestone:
    deliver(contract, position)
    m = milestone(contract, position)
    milestone_accept(actor=poster_owner(contract), milestone=m)
    return m


def test_acceptance_releases_the_milestone_less_the_fee_after_commit(
    contract: Contract, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    assert milestone(contract, 1).status == M.RELEASED
    assert escrow(contract) == Money(30_000_00)
    assert fee_revenue() == Money(1_000_00)  # 5 % of 20,000 yuan
    assert provider(contract) == Money(19_000_00)
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(0)
    transfer = GatewayObject.objects.get(kind=GatewayObject.Kind.TRANSFER)
    assert transfer.amount == 19_000_00
    assert transfer.idempotency_key == f"contract:{contract.pk}:milestone:1:release"
    assert_ledger_sound()


def test_releasing_again_moves_money_once(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    m = accepted(contract)
    milestone_release(milestone_id=m.pk)
    milestone_release(milestone_id=m.pk)
    assert escrow(contract) == Money(30_000_00)
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.TRANSFER).count() == 1


def test_a_milestone_not_accepted_cannot_be_released(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    with pytest.raises(InvalidTransition):
        milestone_release(milestone_id=milestone(contract, 1).pk)
    assert escrow(contract) == Money(50_000_00)


def test_a_frozen_escrow_releases_nothing(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    m = accepted(contract)
    Escrow.objects.filter(contract=contract).update(frozen_at="2026-01-01T00:00Z")
    with pytest.raises(Conflict):
        milestone_release(milestone_id=m.pk)
    assert milestone(contract, 1).status == M.ACCEPTED
    assert escrow(contract) == Money(50_000_00)


def test_a_refund_before_work_returns_the_escrow_to_the_poster(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    milestone_refund(actor=poster_owner(contract), milestone=milestone(contract, 2))
    assert milestone(contract, 2).status == M.REFUNDED
    assert escrow(contract) == Money(20_000_00)
    refund = GatewayObject.objects.get(kind=GatewayObject.Kind.REFUND)
    assert refund.amount == 30_000_00
    assert_ledger_sound()


def test_a_delivered_milestone_cannot_be_refunded(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    with pytest.raises(InvalidTransition):
        milestone_refund(actor=poster_owner(contract), milestone=milestone(contract, 1))
    assert escrow(contract) == Money(50_000_00)


def disputed(contract: Contract) -> Milestone:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    # The disputes app will open disputes through contracts; here the state is set directly.
    Milestone.objects.filter(contract=contract, position=1).update(status=M.DISPUTED)
    return milestone(contract, 1)


def test_a_split_refunds_one_part_and_releases_the_other(contract: Contract) -> None:
    m = disputed(contract)
    escrow_split_execute(
        milestone=m,
        refund=Money(5_000_00),
        release=Money(15_000_00),
        actor=None,
        reference="decision:1",
    )
    assert milestone(contract, 1).status == M.SPLIT
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract) == Money(14_250_00)
    assert fee_revenue() == Money(750_00)
    assert_ledger_sound()
    # Executing the same decision again changes nothing.
    escrow_split_execute(
        milestone=m, refund=Money(5_000_00), release=Money(15_000_00), actor=None, reference="x"
    )
    assert escrow(contract) == Money(30_000_00)


@pytest.mark.parametrize(
    ("refund", "release"),
    [(0, 0), (-1, 20_000_01), (20_000_00, 1), (10_000_00, 20_000_00), (1, 1)],
    ids=["zero", "negative", "over-by-one", "over-escrow", "under"],
)
def test_a_split_that_does_not_add_up_is_refused_and_writes_nothing(
    contract: Contract, refund: int, release: int
) -> None:
    m = disputed(contract)
    entries = JournalEntry.objects.count()
    postings = Posting.objects.count()
    with pytest.raises(ValidationFailed):
        escrow_split_execute(
            milestone=m, refund=Money(refund), release=Money(release), actor=None, reference="d"
        )
    assert (JournalEntry.objects.count(), Posting.objects.count()) == (entries, postings)
    assert milestone(contract, 1).status == M.DISPUTED


def test_a_milestone_not_in_dispute_cannot_be_split(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    with pytest.raises(InvalidTransition):
        escrow_split_execute(
            milestone=milestone(contract, 1),
            refund=Money(10_000_00),
            release=Money(10_000_00),
            actor=None,
            reference="d",
        )


def test_acceptance_without_payments_escrow_still_succeeds_and_the_release_waits(
    contract: Contract, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    from tests.frontend.contracts_setup import fund

    fund(contract)  # funded outside payments (the demo seed does this): no money in escrow
    deliver(contract, 1)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    assert milestone(contract, 1).status == M.ACCEPTED
    assert not JournalEntry.objects.exists()
