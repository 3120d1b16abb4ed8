"""The receipts pages (poster organization, provider) and the receipts API, with CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from accounts.models import Membership
from contracts.models import Contract
from contracts.services import milestone_accept
from payments.models import Receipt
from payments.services import escrow_fund
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.api_helpers import API, assert_error, client_for
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    english,
    milestone,
    poster_owner,
    provider_user,
)
from tests.page_helpers import html, signed_in
from tests.payments.helpers import payouts_active

pytestmark = pytest.mark.django_db

K = Receipt.Kind


@pytest.fixture
def contract(django_capture_on_commit_callbacks: Any, celery_eager: None) -> Contract:
    """Funded (50,000 yuan) and milestone 1 released: 1 funding, 1 fee and 1 payout receipt;
    the default e-invoice issuer has recorded each as not issued."""
    contract = awarded_contract(title="智能空气净化器外观设计", organization__verified=True)
    payouts_active(contract)  # the provider set up payouts: a release is transferred at once
    with django_capture_on_commit_callbacks(execute=True):
        escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    assert milestone(contract, 1).status == "released"
    return contract


def csv_rows(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


# --- pages ---------------------------------------------------------------------------------------


def test_the_poster_sees_the_funding_receipt_on_the_organization_page(contract: Contract) -> None:
    page = html(
        english(poster_owner(contract)).get(f"/orgs/{contract.organization.slug}/receipts/")
    )
    assert 'data-receipt-kind="funding"' in page
    assert 'data-receipt-kind="payout"' not in page
    assert "¥50,000.00" in page
    assert "¥2,830.19" in page  # the 6 % inside it
    assert contract.organization.credit_code in page
    assert "Not issued" in page
    assert "Sandbox, no real money" in page


def test_the_receipts_page_speaks_chinese(contract: Contract) -> None:
    client = signed_in(poster_owner(contract), language="zh-hans")
    page = html(client.get(f"/orgs/{contract.organization.slug}/receipts/"))
    assert "票据" in page
    assert "托管资金" in page
    assert "未开具" in page
    assert "下载 CSV" in page


def test_the_provider_sees_payout_and_fee_receipts(contract: Contract) -> None:
    page = html(english(provider_user(contract)).get("/me/receipts/"))
    assert 'data-receipt-kind="payout"' in page
    assert 'data-receipt-kind="platform_fee"' in page
    assert 'data-receipt-kind="funding"' not in page
    assert "¥19,000.00" in page
    assert "¥1,000.00" in page


def test_a_plain_member_of_the_poster_gets_403(contract: Contract) -> None:
    member = UserFactory()
    Membership.objects.create(
        user=member, organization=contract.organization, role=Membership.Role.MEMBER
    )
    url = f"/orgs/{contract.organization.slug}/receipts/"
    assert english(member).get(url).status_code == 403
    assert english(member).get(url.rstrip("/") + ".csv").status_code == 403


def test_another_organizations_owner_gets_404(contract: Contract) -> None:
    stranger = UserFactory()
    OrganizationFactory(owner=stranger)
    url = f"/orgs/{contract.organization.slug}/receipts"
    assert english(stranger).get(url + "/").status_code == 404
    assert english(stranger).get(url + ".csv").status_code == 404


def test_someone_else_sees_no_receipts_on_their_own_page(contract: Contract) -> None:
    page = html(english(UserFactory()).get("/me/receipts/"))
    assert "No receipts yet." in page
    assert "data-receipt-kind" not in page
    assert csv_rows(english(UserFactory()).get("/me/receipts.csv").content) == []


def test_signed_out_visitors_are_sent_to_sign_in(contract: Contract) -> None:
    from django.test import Client

    response = Client().get("/me/receipts/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_organization_csv_downloads_its_receipts(contract: Contract) -> None:
    response = english(poster_owner(contract)).get(
        f"/orgs/{contract.organization.slug}/receipts.csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response.content)
    assert len(rows) == 1
    assert rows[0]["Amount incl. tax"] == "50000.00"
    assert rows[0]["Task"] == "智能空气净化器外观设计"


def test_the_provider_csv_has_the_payout_and_the_fee(contract: Contract) -> None:
    rows = csv_rows(english(provider_user(contract)).get("/me/receipts.csv").content)
    assert sorted(r["Amount incl. tax"] for r in rows) == ["1000.00", "19000.00"]


def test_the_list_page_makes_a_fixed_number_of_queries(
    contract: Contract, django_assert_max_num_queries: Any
) -> None:
    client = english(poster_owner(contract))
    url = f"/orgs/{contract.organization.slug}/receipts/"
    client.get(url)
    with django_assert_max_num_queries(14):
        client.get(url)


# --- API -----------------------------------------------------------------------------------------


def test_the_api_lists_the_callers_receipts_with_integer_amounts(contract: Contract) -> None:
    body = client_for(provider_user(contract)).get(f"{API}/receipts/").json()
    assert body["count"] == 2
    by_kind = {r["kind"]: r for r in body["results"]}
    payout = by_kind["payout"]
    assert payout["amount"] == 19_000_00
    assert payout["tax_amount"] + payout["amount_excluding_tax"] == 19_000_00
    assert payout["tax_rate"] == "6%"
    assert payout["tax_rate_bps"] == 600
    assert payout["contract"] == contract.pk
    assert payout["milestone_position"] == 1
    assert payout["seller_taxpayer_id"] == "91500000MA5U7DB0X9"
    assert payout["einvoice_status"] == "not_issued"


def test_the_api_filters_by_kind_and_organization(contract: Contract) -> None:
    client = client_for(poster_owner(contract))
    assert client.get(f"{API}/receipts/", {"kind": "payout"}).json()["count"] == 0
    org = contract.organization_id
    assert client.get(f"{API}/receipts/", {"organization": org}).json()["count"] == 1
    assert client.get(f"{API}/receipts/", {"organization": org + 999}).json()["count"] == 0


def test_bad_filters_are_a_400(contract: Contract) -> None:
    client = client_for(poster_owner(contract))
    assert_error(client.get(f"{API}/receipts/", {"kind": "bribe"}), 400, code="invalid")
    assert_error(client.get(f"{API}/receipts/", {"issued_from": "yesterday"}), 400)
    error = assert_error(
        client.get(f"{API}/receipts/", {"issued_from": "2026-12-02", "issued_to": "2026-12-01"}),
        400,
    )
    assert "issued_to" in error["fields"]
    assert_error(client.get(f"{API}/receipts/export/", {"kind": "bribe"}), 400)


def test_a_second_user_sees_nothing_of_anothers_receipts(contract: Contract) -> None:
    stranger = UserFactory()
    OrganizationFactory(owner=stranger)
    client = client_for(stranger)
    assert client.get(f"{API}/receipts/").json()["count"] == 0
    for receipt in Receipt.objects.all():
        assert_error(client.get(f"{API}/receipts/{receipt.pk}/"), 404, code="not_found")
    assert csv_rows(client.get(f"{API}/receipts/export/").content) == []


def test_the_poster_cannot_read_the_providers_receipts(contract: Contract) -> None:
    payout = Receipt.objects.get(kind=K.PAYOUT)
    client = client_for(poster_owner(contract))
    assert_error(client.get(f"{API}/receipts/{payout.pk}/"), 404)
    funding = Receipt.objects.get(kind=K.FUNDING)
    assert client.get(f"{API}/receipts/{funding.pk}/").json()["number"] == funding.number


def test_the_api_needs_a_signed_in_caller(contract: Contract) -> None:
    assert_error(client_for(None).get(f"{API}/receipts/"), 401)
    assert_error(client_for(None).get(f"{API}/receipts/export/"), 401)


def test_the_api_csv_answers_whatever_the_accept_header(contract: Contract) -> None:
    response = client_for(provider_user(contract)).get(
        f"{API}/receipts/export/", {"kind": "payout"}, HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.content)
    assert len(rows) == 1
    assert next(iter(rows[0].values())) == Receipt.objects.get(kind=K.PAYOUT).number


def test_the_earnings_page_links_to_receipts_and_says_sandbox(contract: Contract) -> None:
    page = html(english(provider_user(contract)).get("/me/earnings/"))
    assert 'href="/me/receipts/"' in page
    assert "Sandbox, no real money" in page
