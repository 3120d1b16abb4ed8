"""A card payment with a voucher part beside it that arrives after another funding already
paid some of its milestones (a double payment that partly overlaps): the card gives back only
its own part of those milestones, and the voucher's share of them goes back to the voucher,
so no programme money pays for a milestone the other funding paid. On stripe-mock (a pending
card payment and its reservation)."""

from __future__ import annotations

import pytest

from contracts.services import contract_funding_received
from marketplace.money import Money
from payments.ledger import balance_of, ledger_post
from payments.models import GatewayObject, VoucherReturn, VoucherShare, VoucherSpend
from payments.services import escrow_fund_start, payment_succeeded
from payments.services._common import escrow_account, poster_account
from tests.frontend.contracts_setup import awarded_contract, milestone, poster_owner
from tests.payments.helpers import K, assert_ledger_sound, escrow
from tests.payments.test_stripe_api import stripe_mock  # noqa: F401  (fixture)
from tests.payments.voucher_setup import issue, make_programme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_mock")]


def voucher_balance(voucher_id: int) -> Money:
    return balance_of(kind=K.VOUCHER, owner=f"voucher:{voucher_id}", currency="CNY")


def test_a_partly_repeated_payment_returns_the_vouchers_share_of_the_overlap() -> None:
    contract = awarded_contract()  # milestones of 20,000 and 30,000
    voucher = issue(make_programme(face_value=30_000_00), contract.organization)
    funding = escrow_fund_start(
        actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk
    )
    payment = funding.payment
    assert payment is not None
    assert payment.status == GatewayObject.Status.PENDING
    spend = funding.voucher_spend
    assert spend is not None
    shares = dict(
        VoucherShare.objects.filter(spend=spend).values_list("milestone__position", "amount")
    )
    assert sum(shares.values()) == spend.amount == 25_000_00  # 50 % of 50,000
    assert payment.amount == 25_000_00
    # Meanwhile milestone 1 was paid another way (a second funding path), in full.
    first = milestone(contract, 1)
    ledger_post(
        reference="test:other-funding",
        reason="escrow funded",
        lines=[
            (poster_account(contract), Money(-20_000_00)),
            (escrow_account(contract), Money(20_000_00)),
        ],
    )
    contract_funding_received(contract=contract, milestone_ids=[first.pk], reference="other")

    payment_succeeded(payment=payment, charge_id="ch_twice")

    # Milestone 1 was paid twice: the card's own part of it (20,000 − its voucher share) is
    # refunded, and the voucher's share of it is back on the voucher.
    refund = GatewayObject.objects.get(kind=GatewayObject.Kind.REFUND)
    assert refund.amount == 20_000_00 - shares[1]
    assert refund.idempotency_key == f"{payment.idempotency_key}:duplicate-refund"
    returned = VoucherReturn.objects.get()
    assert (returned.amount, returned.milestone_id) == (shares[1], first.pk)
    assert returned.kind == VoucherReturn.Kind.REFUND_TO_VOUCHER
    assert voucher_balance(voucher.pk) == Money(30_000_00 - shares[2])
    # What escrow holds is exactly the two milestones; only milestone 2 carries voucher money.
    assert escrow(contract) == Money(50_000_00)
    assert list(VoucherShare.objects.values_list("milestone__position", "amount")) == [
        (2, shares[2])
    ]
    assert VoucherSpend.objects.get().status == VoucherSpend.Status.POSTED
    assert milestone(contract, 2).status == "funded"
    # The poster: paid 20,000 (other) + 25,000 (card), got the card's part of milestone 1 back.
    assert balance_of(
        kind=K.POSTER_FUNDING, owner=f"organization:{contract.organization_id}", currency="CNY"
    ) == Money(-(20_000_00 + 25_000_00 - refund.amount))
    # The same event again moves nothing more.
    payment_succeeded(payment=payment, charge_id="ch_twice")
    assert VoucherReturn.objects.count() == 1
    assert GatewayObject.objects.filter(kind=GatewayObject.Kind.REFUND).count() == 1
    assert escrow(contract) == Money(50_000_00)
    assert_ledger_sound()
