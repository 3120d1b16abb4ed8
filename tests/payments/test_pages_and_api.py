"""The Fund escrow step on the contract page, the fund operation of the API, the earnings page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.money import Money
from payments.models import JournalEntry
from payments.services import escrow_fund
from tests.api_helpers import assert_error, client_for
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    english,
    milestone,
    poster_owner,
    provider_user,
)
from tests.page_helpers import html, signed_in
from tests.payments.helpers import escrow, payouts_active

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract() -> Contract:
    contract = awarded_contract()
    payouts_active(contract)
    return contract


def test_the_poster_sees_the_sandbox_fund_form_on_the_contract_page(contract: Contract) -> None:
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert 'id="fund-escrow"' in page
    assert "Sandbox, no real money" in page


def test_the_provider_sees_no_fund_form(contract: Contract) -> None:
    page = html(english(provider_user(contract)).get(f"/contracts/{contract.pk}/"))
    assert 'id="fund-escrow"' not in page


def test_the_fund_form_speaks_chinese(contract: Contract) -> None:
    page = html(
        signed_in(poster_owner(contract), language="zh-hans").get(f"/contracts/{contract.pk}/")
    )
    assert "沙盒环境，不涉及真实资金" in page
    assert "托管资金" in page


def test_posting_the_fund_form_funds_the_escrow(contract: Contract) -> None:
    response = english(poster_owner(contract)).post(
        f"/contracts/{contract.pk}/fund/", {"scope": "next"}
    )
    assert response.status_code == 302
    assert escrow(contract) == Money(20_000_00)
    assert milestone(contract, 1).status == Milestone.Status.FUNDED


def test_the_provider_cannot_post_the_fund_form(contract: Contract) -> None:
    response = english(provider_user(contract)).post(f"/contracts/{contract.pk}/fund/")
    assert response.status_code == 403
    assert not JournalEntry.objects.exists()


def test_a_stranger_gets_404_from_the_fund_form(contract: Contract) -> None:
    from tests.accounts.factories import UserFactory

    response = english(UserFactory()).post(f"/contracts/{contract.pk}/fund/")
    assert response.status_code == 404


def test_the_api_funds_the_escrow(contract: Contract) -> None:
    response = client_for(poster_owner(contract)).post(
        f"/api/v1/contracts/{contract.pk}/fund/", {"scope": "all"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["gateway"] == "sandbox"
    assert body["status"] == "succeeded"
    assert body["amount"] == 50_000_00
    assert escrow(contract) == Money(50_000_00)


@pytest.mark.parametrize("scope", ["half", "", 3])
def test_the_api_refuses_a_bad_scope_and_writes_nothing(contract: Contract, scope: Any) -> None:
    response = client_for(poster_owner(contract)).post(
        f"/api/v1/contracts/{contract.pk}/fund/", {"scope": scope}, format="json"
    )
    assert_error(response, 400)
    assert not JournalEntry.objects.exists()


def test_the_api_refuses_funding_twice(contract: Contract) -> None:
    client = client_for(poster_owner(contract))
    client.post(f"/api/v1/contracts/{contract.pk}/fund/", {}, format="json")
    assert_error(client.post(f"/api/v1/contracts/{contract.pk}/fund/", {}, format="json"), 409)


def test_the_api_refuses_the_provider(contract: Contract) -> None:
    response = client_for(provider_user(contract)).post(
        f"/api/v1/contracts/{contract.pk}/fund/", {}, format="json"
    )
    assert_error(response, 403)


def test_the_fund_operation_is_in_the_schema() -> None:
    response = client_for(None).get("/api/v1/schema/", {"format": "json"})
    assert "/api/v1/contracts/{contract_id}/fund/" in response.json()["paths"]


def test_the_earnings_page_shows_pending_available_and_paid_out(
    contract: Contract, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    page = html(english(provider_user(contract)).get("/me/earnings/"))
    assert "CN¥30,000.00" in page  # milestone 2, still in escrow
    assert "CN¥19,000.00" in page  # milestone 1 less the 5 % fee
    first = milestone(contract, 1)
    # The payout says what it paid for, with a link to the milestone on the contract page.
    assert f"/contracts/{contract.pk}/#milestone-1" in page
    assert first.title in page
    zh = html(signed_in(provider_user(contract), language="zh-hans").get("/me/earnings/"))
    assert "收入" in zh
    assert "待结算" in zh


def test_the_earnings_page_needs_a_login() -> None:
    assert Client().get("/me/earnings/").status_code == 302
