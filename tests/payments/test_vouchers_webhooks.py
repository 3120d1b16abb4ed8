"""A voucher beside a Stripe payment: reserved until the signed payment_intent.succeeded
webhook arrives, then posted with the card part once, however often the event is replayed."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.models import Contract
from marketplace.money import Money
from payments.models import VoucherSpend
from payments.services import escrow_fund_start
from payments.services.vouchers import voucher_remaining
from tests.frontend.contracts_setup import awarded_contract, poster_owner
from tests.payments.helpers import assert_ledger_sound, escrow
from tests.payments.test_webhooks import SECRET, event, post
from tests.payments.voucher_setup import issue, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stripe(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.PAYMENTS_GATEWAY = "stripe"


def test_the_voucher_part_posts_with_the_webhook_once() -> None:
    contract = awarded_contract()
    voucher = issue(make_programme(), contract.organization)
    funding = escrow_fund_start(
        actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk
    )
    assert funding.payment is not None
    assert funding.payment.amount == 25_000_00  # the card part, through stripe-mock
    assert funding.voucher_spend.status == VoucherSpend.Status.RESERVED
    assert escrow(contract) == Money(0)

    body = event("evt_voucher_1", "payment_intent.succeeded", {"id": funding.payment.external_id})
    assert post(body).json()["outcome"] == "processed"
    assert post(body).json()["outcome"] == "duplicate"

    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert escrow(contract) == Money(50_000_00)
    assert VoucherSpend.objects.get().status == VoucherSpend.Status.POSTED
    assert voucher_remaining(voucher) == Money(5_000_00)
    assert_ledger_sound()
