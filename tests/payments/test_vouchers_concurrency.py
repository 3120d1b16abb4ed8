"""Vouchers under concurrent requests on PostgreSQL: the budget is never over-issued, and one
voucher spent into two escrows at once pays no more than is left on it."""

from __future__ import annotations

import pytest
from django.db import connection

from marketplace.errors import Conflict, ValidationFailed
from marketplace.money import Money
from payments.models import Voucher, VoucherSpend
from payments.services import escrow_fund_start
from payments.services.vouchers import voucher_issue, voucher_remaining
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import OrganizationFactory
from tests.frontend.contracts_setup import awarded_contract, poster_owner
from tests.payments.helpers import assert_ledger_sound
from tests.payments.voucher_setup import finance_user, make_programme

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_concurrent_issues_never_go_over_the_budget() -> None:
    assert connection.vendor == "postgresql"
    programme = make_programme(budget=100_000_00, face_value=30_000_00)
    finance = finance_user()
    orgs = [OrganizationFactory() for _ in range(10)]

    results = run_concurrently(
        *[
            lambda org=org: voucher_issue(actor=finance, programme=programme, organization=org)
            for org in orgs
        ]
    )

    issued = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(issued) == 3
    assert len(refused) == 7
    assert all(isinstance(r, Conflict) and r.code == "over_budget" for r in refused)
    programme.refresh_from_db()
    assert programme.issued_total == 90_000_00
    assert Voucher.objects.filter(programme=programme).count() == 3
    assert_ledger_sound()


def test_one_voucher_spent_into_two_escrows_at_once_pays_only_what_is_left() -> None:
    first = awarded_contract()
    second = awarded_contract(organization=first.organization)
    programme = make_programme(face_value=30_000_00, share_bps=5_000)
    voucher = voucher_issue(
        actor=finance_user(), programme=programme, organization=first.organization
    )[0]
    owner = poster_owner(first)

    results = run_concurrently(
        *[
            lambda c=c: escrow_fund_start(
                actor=owner, contract=c, voucher_id=voucher.pk, voucher_amount=Money(20_000_00)
            )
            for c in (first, second)
        ]
    )

    funded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    # 20,000 each from a 30,000 voucher: one funding gets it, the other is told what is left.
    assert len(funded) == 1
    assert len(refused) == 1
    assert isinstance(refused[0], ValidationFailed)
    assert refused[0].code == "voucher_over_remaining"
    assert VoucherSpend.objects.count() == 1
    assert voucher_remaining(voucher) == Money(10_000_00)
    assert_ledger_sound()
