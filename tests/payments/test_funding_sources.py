"""The contract page and GET /api/v1/contracts/{id}/funding/ say where the escrow money came
from: the card part and each voucher programme's part, for both sides and no one else."""

from __future__ import annotations

import pytest

from contracts.models import Contract
from marketplace.money import Money
from payments.models import Voucher
from payments.services import escrow_fund_start
from tests.accounts.factories import UserFactory
from tests.api_helpers import assert_error, client_for
from tests.frontend.contracts_setup import awarded_contract, english, poster_owner, provider_user
from tests.page_helpers import html, signed_in
from tests.payments.test_stripe_api import stripe_mock  # noqa: F401  (fixture)
from tests.payments.voucher_setup import issue, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract() -> Contract:
    return awarded_contract()


@pytest.fixture
def voucher(contract: Contract) -> Voucher:
    return issue(make_programme(), contract.organization)


def section(page: str) -> str:
    start = page.index('id="funding-sources"')
    return page[start : page.index("</section>", start)]


def test_the_page_shows_the_card_part_and_the_programmes_part(
    contract: Contract, voucher: Voucher
) -> None:
    escrow_fund_start(actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk)
    for user in (poster_owner(contract), provider_user(contract)):
        part = section(html(english(user).get(f"/contracts/{contract.pk}/")))
        assert "Escrow funding" in part
        assert "Paid by card" in part
        assert Money(25_000_00).format("en") in part  # the card half and the voucher half
        assert voucher.programme.name in part
        assert voucher.programme.issuer.name in part
        assert voucher.code in part
        assert Money(50_000_00).format("en") in part  # in total
        assert "Reserved until" not in part
    zh = section(
        html(
            signed_in(poster_owner(contract), language="zh-hans").get(f"/contracts/{contract.pk}/")
        )
    )
    assert "托管资金" in zh
    assert "银行卡支付" in zh
    assert Money(25_000_00).format("zh-hans") in zh


def test_without_any_funding_the_page_has_no_such_section(contract: Contract) -> None:
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert 'id="funding-sources"' not in page


def test_the_api_gives_the_sources_to_both_sides(contract: Contract, voucher: Voucher) -> None:
    escrow_fund_start(
        actor=poster_owner(contract),
        contract=contract,
        voucher_id=voucher.pk,
        voucher_amount=Money(10_000_00),
    )
    for user in (poster_owner(contract), provider_user(contract)):
        body = client_for(user).get(f"/api/v1/contracts/{contract.pk}/funding/").json()
        assert body["sources"] == {
            "currency": "CNY",
            "card": 40_000_00,
            "vouchers": [
                {
                    "programme": voucher.programme_id,
                    "programme_name": voucher.programme.name,
                    "issuer_name": voucher.programme.issuer.name,
                    "voucher_code": voucher.code,
                    "amount": 10_000_00,
                    "status": "posted",
                }
            ],
            "voucher_total": 10_000_00,
            "total": 50_000_00,
        }


def test_no_funding_yet_is_zero_and_no_vouchers(contract: Contract) -> None:
    body = client_for(poster_owner(contract)).get(f"/api/v1/contracts/{contract.pk}/funding/")
    assert body.json()["sources"] == {
        "currency": "CNY",
        "card": 0,
        "vouchers": [],
        "voucher_total": 0,
        "total": 0,
    }


def test_someone_else_sees_neither_the_page_nor_the_api(
    contract: Contract, voucher: Voucher
) -> None:
    escrow_fund_start(actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk)
    stranger = UserFactory()
    assert english(stranger).get(f"/contracts/{contract.pk}/").status_code == 404
    assert_error(client_for(stranger).get(f"/api/v1/contracts/{contract.pk}/funding/"), 404)
    assert client_for(None).get(f"/api/v1/contracts/{contract.pk}/funding/").status_code in (
        401,
        403,
    )


@pytest.mark.usefixtures("stripe_mock")
def test_a_reserved_voucher_part_is_shown_as_reserved_until_the_card_pays(
    contract: Contract, voucher: Voucher
) -> None:
    escrow_fund_start(actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk)
    part = section(html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/")))
    assert "Reserved until the card payment succeeds" in part
    assert Money(0).format("en") in part  # nothing paid by card yet, nothing held
    sources = (
        client_for(poster_owner(contract))
        .get(f"/api/v1/contracts/{contract.pk}/funding/")
        .json()["sources"]
    )
    assert sources["card"] == 0
    assert sources["vouchers"][0]["status"] == "reserved"
    assert sources["voucher_total"] == 0
    assert sources["total"] == 0
