"""Vouchers on the pages and in the API: the fund form with a voucher, the organization's
vouchers, issuing (finance staff only), the programme report and its claims CSV; each object
checked with a second user."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from accounts.models import Membership
from contracts.models import Contract
from contracts.services import milestone_accept
from marketplace.money import Money
from payments.models import JournalEntry, Voucher, VoucherSpend
from payments.services import escrow_fund_start, milestone_release
from payments.services.vouchers import voucher_remaining
from tests.accounts.factories import OrganizationFactory, UserFactory, make_org_member
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
from tests.payments.helpers import escrow
from tests.payments.voucher_setup import finance_user, government, issue, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract() -> Contract:
    return awarded_contract()


@pytest.fixture
def voucher(contract: Contract) -> Voucher:
    return issue(make_programme(), contract.organization)


# --- the fund form -------------------------------------------------------------------------
def test_the_fund_form_offers_the_organizations_usable_vouchers(
    contract: Contract, voucher: Voucher
) -> None:
    other = issue(make_programme(), OrganizationFactory())
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert 'id="voucher-apply"' in page
    assert f'value="{voucher.pk}"' in page
    assert voucher.code in page
    assert other.code not in page
    zh = html(
        signed_in(poster_owner(contract), language="zh-hans").get(f"/contracts/{contract.pk}/")
    )
    assert "创新券" in zh
    assert "不使用创新券" in zh


def test_no_voucher_section_without_usable_vouchers(contract: Contract) -> None:
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert 'id="voucher-apply"' not in page


def test_posting_the_fund_form_with_a_voucher_splits_the_funding(
    contract: Contract, voucher: Voucher
) -> None:
    client = english(poster_owner(contract))
    response = client.post(
        f"/contracts/{contract.pk}/fund/", {"scope": "all", "voucher": str(voucher.pk)}
    )
    assert response.status_code == 302
    assert escrow(contract) == Money(50_000_00)
    assert voucher_remaining(voucher) == Money(5_000_00)
    page = html(client.get(response["Location"]))
    assert voucher.code in page  # the success message names the voucher


def test_the_fund_form_says_why_a_voucher_amount_is_refused(
    contract: Contract, voucher: Voucher
) -> None:
    client = english(poster_owner(contract))
    response = client.post(
        f"/contracts/{contract.pk}/fund/",
        {"scope": "all", "voucher": str(voucher.pk), "voucher_amount": "26000"},
        follow=True,
    )
    assert "pays at most 50% of the funding" in html(response)
    assert not JournalEntry.objects.filter(reference__contains=":fund:").exists()
    response = client.post(
        f"/contracts/{contract.pk}/fund/",
        {"scope": "all", "voucher": str(voucher.pk), "voucher_amount": "abc"},
        follow=True,
    )
    assert "Enter an amount such as 1200 or 1200.50." in html(response)
    assert not VoucherSpend.objects.exists()


def test_another_organizations_voucher_is_refused_on_the_page(contract: Contract) -> None:
    other = issue(make_programme(), OrganizationFactory())
    response = english(poster_owner(contract)).post(
        f"/contracts/{contract.pk}/fund/", {"voucher": str(other.pk)}, follow=True
    )
    assert "This voucher is not one of your organization&#x27;s." in html(response)
    assert not VoucherSpend.objects.exists()
    assert escrow(contract) == Money(0)


# --- the fund API ----------------------------------------------------------------------------
def test_the_api_funds_with_a_voucher(contract: Contract, voucher: Voucher) -> None:
    response = client_for(poster_owner(contract)).post(
        f"/api/v1/contracts/{contract.pk}/fund/",
        {"scope": "all", "voucher_id": voucher.pk, "voucher_amount": 12_000_00},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == 38_000_00
    assert body["total"] == 50_000_00
    assert body["voucher"] == {
        "voucher_id": voucher.pk,
        "code": voucher.code,
        "amount": 12_000_00,
        "status": "posted",
    }
    assert body["status"] == "succeeded"


def test_the_api_without_a_voucher_answers_as_before(contract: Contract) -> None:
    response = client_for(poster_owner(contract)).post(
        f"/api/v1/contracts/{contract.pk}/fund/", {}, format="json"
    )
    body = response.json()
    assert (body["gateway"], body["amount"], body["voucher"]) == ("sandbox", 50_000_00, None)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"voucher_amount": 30_000_00}, "voucher_over_cap"),
        ({"voucher_amount": 0}, "voucher_amount"),
        ({"voucher_amount": -5}, "voucher_amount"),
        ({"voucher_amount": 100.5}, "invalid"),
        ({"voucher_amount": "100"}, "invalid"),
    ],
)
def test_the_api_refuses_bad_voucher_amounts_and_writes_nothing(
    contract: Contract, voucher: Voucher, payload: dict[str, Any], code: str
) -> None:
    response = client_for(poster_owner(contract)).post(
        f"/api/v1/contracts/{contract.pk}/fund/",
        {"voucher_id": voucher.pk, **payload},
        format="json",
    )
    assert_error(response, 400, code=code)
    assert not JournalEntry.objects.filter(reference__contains=":fund:").exists()
    assert not VoucherSpend.objects.exists()


def test_the_api_refuses_another_organizations_voucher(contract: Contract) -> None:
    other = issue(make_programme(), OrganizationFactory())
    response = client_for(poster_owner(contract)).post(
        f"/api/v1/contracts/{contract.pk}/fund/", {"voucher_id": other.pk}, format="json"
    )
    error = assert_error(response, 400, code="voucher_not_yours")
    assert error["fields"]["voucher"]
    assert not VoucherSpend.objects.exists()


# --- the organization's vouchers -------------------------------------------------------------
def test_the_org_vouchers_page_shows_remaining_value_and_expiry(
    contract: Contract, voucher: Voucher
) -> None:
    escrow_fund_start(actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk)
    url = f"/orgs/{contract.organization.slug}/vouchers/"
    page = html(english(poster_owner(contract)).get(url))
    assert voucher.code in page
    assert "CN¥5,000.00" in page  # 30,000 less the 25,000 spent
    assert voucher.valid_until.isoformat() in page
    zh = html(signed_in(poster_owner(contract), language="zh-hans").get(url))
    assert "剩余" in zh
    assert "¥5,000.00" in zh


def test_the_org_vouchers_page_is_for_owners_and_admins(
    contract: Contract, voucher: Voucher
) -> None:
    url = f"/orgs/{contract.organization.slug}/vouchers/"
    member = UserFactory()
    make_org_member(member, contract.organization, Membership.Role.MEMBER)
    assert english(member).get(url).status_code == 403
    assert english(UserFactory()).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_api_lists_the_organizations_vouchers(contract: Contract, voucher: Voucher) -> None:
    url = f"/api/v1/organizations/{contract.organization.pk}/vouchers/"
    body = client_for(poster_owner(contract)).get(url).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["code"], row["remaining"], row["status"]) == (voucher.code, 30_000_00, "active")
    assert row["programme"]["max_share_bps"] == 5_000
    assert_error(client_for(UserFactory()).get(url), 404)
    assert_error(client_for(provider_user(contract)).get(url), 404)


# --- issuing through the API -----------------------------------------------------------------
def test_finance_staff_issue_through_the_api(contract: Contract) -> None:
    programme = make_programme(budget=100_000_00, face_value=30_000_00)
    url = f"/api/v1/voucher-programmes/{programme.pk}/vouchers/"
    client = client_for(finance_user())
    response = client.post(
        url, {"organization_id": contract.organization.pk, "count": 2}, format="json"
    )
    assert response.status_code == 201, response.content
    assert [v["remaining"] for v in response.json()] == [30_000_00, 30_000_00]
    over = client.post(
        url, {"organization_id": contract.organization.pk, "count": 2}, format="json"
    )
    assert_error(over, 409, code="over_budget")
    assert_error(client.post(url, {"organization_id": 999_999}, format="json"), 400)
    assert_error(
        client.post(url, {"organization_id": contract.organization.pk, "count": 0}, format="json"),
        400,
    )
    assert Voucher.objects.count() == 2


def test_others_cannot_issue(contract: Contract) -> None:
    issuer_owner = UserFactory()
    programme = make_programme(issuer=government(owner=issuer_owner))
    url = f"/api/v1/voucher-programmes/{programme.pk}/vouchers/"
    payload = {"organization_id": contract.organization.pk}
    assert_error(client_for(poster_owner(contract)).post(url, payload, format="json"), 404)
    # The issuer's owner reads the report but issuing is finance staff's.
    assert_error(client_for(issuer_owner).post(url, payload, format="json"), 403)
    assert_error(client_for(UserFactory(is_staff=True)).post(url, payload, format="json"), 404)
    assert not Voucher.objects.exists()


# --- the report and the CSV ------------------------------------------------------------------
def _released_with_voucher(contract: Contract, voucher: Voucher) -> None:
    escrow_fund_start(actor=poster_owner(contract), contract=contract, voucher_id=voucher.pk)
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    milestone_release(milestone_id=milestone(contract, 1).pk)


def test_the_report_page_and_csv_for_the_issuers_staff(contract: Contract) -> None:
    issuer_owner = UserFactory()
    programme = make_programme(issuer=government(owner=issuer_owner))
    voucher = issue(programme, contract.organization)
    _released_with_voucher(contract, voucher)
    page = html(english(issuer_owner).get(f"/vouchers/programmes/{programme.pk}/"))
    assert "CN¥10,000.00" in page  # claimed: the voucher's share of milestone 1
    assert "Balanced" in page
    assert contract.organization.name in page
    zh = html(
        signed_in(issuer_owner, language="zh-hans").get(f"/vouchers/programmes/{programme.pk}/")
    )
    assert "已申领" in zh or "申领" in zh
    listing = html(english(issuer_owner).get("/vouchers/programmes/"))
    assert programme.name in listing
    response = english(issuer_owner).get(f"/vouchers/programmes/{programme.pk}/claims.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["amount_fen"] == "1000000"
    assert rows[0]["milestone"] == "1"
    assert "sha256:" in rows[0]["delivery_files"]
    assert rows[0]["auto_accepted"] == "no"


def test_the_report_is_hidden_from_everyone_else(contract: Contract) -> None:
    programme = make_programme()
    for user in (poster_owner(contract), provider_user(contract), UserFactory(is_staff=True)):
        assert english(user).get(f"/vouchers/programmes/{programme.pk}/").status_code == 404
        assert (
            english(user).get(f"/vouchers/programmes/{programme.pk}/claims.csv").status_code == 404
        )
        assert_error(
            client_for(user).get(f"/api/v1/voucher-programmes/{programme.pk}/report/"), 404
        )
        assert client_for(user).get("/api/v1/voucher-programmes/").json()["count"] == 0


def test_the_api_report_and_csv_for_finance(contract: Contract) -> None:
    programme = make_programme()
    voucher = issue(programme, contract.organization)
    _released_with_voucher(contract, voucher)
    client = client_for(finance_user())
    report = client.get(f"/api/v1/voucher-programmes/{programme.pk}/report/").json()
    assert report["issued"] == 30_000_00
    assert report["spent"] == 25_000_00
    assert report["claimed"] == 10_000_00
    assert report["held"] == 15_000_00
    assert report["balanced"] is True
    assert report["holders"][0]["organization_id"] == contract.organization.pk
    response = client.get(f"/api/v1/voucher-programmes/{programme.pk}/claims.csv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert client.get("/api/v1/voucher-programmes/").json()["count"] == 1


# --- the admin -------------------------------------------------------------------------------
def test_finance_staff_create_a_programme_and_issue_in_the_admin(contract: Contract) -> None:
    from payments.models import VoucherProgramme

    finance = finance_user()
    issuer = government()
    client = Client()
    client.force_login(finance)
    response = client.post(
        "/admin/payments/voucherprogramme/add/",
        {
            "issuer": issuer.pk,
            "name": "科技创新券",
            "budget_yuan": "100000",
            "face_value_yuan": "20000",
            "valid_from": "2026-01-01",
            "valid_until": "2030-12-31",
            "eligible_kinds": ["rd_solution"],
            "max_share_bps": "5000",
        },
    )
    assert response.status_code == 302, html(response)
    programme = VoucherProgramme.objects.get()
    assert programme.budget == 100_000_00
    # A bad form writes nothing and says why.
    bad = client.post(
        "/admin/payments/voucherprogramme/add/",
        {
            "issuer": issuer.pk,
            "name": "x",
            "budget_yuan": "100",
            "face_value_yuan": "200",
            "valid_from": "2026-01-01",
            "valid_until": "2030-12-31",
            "eligible_kinds": ["rd_solution"],
            "max_share_bps": "5000",
        },
    )
    assert bad.status_code == 200
    assert "单张创新券的面值不能超过项目总预算" in html(bad)  # the finance user reads Chinese
    assert VoucherProgramme.objects.count() == 1
    # The issue action: a form, then the service.
    changelist = "/admin/payments/voucherprogramme/"
    form = client.post(changelist, {"action": "issue_vouchers", "_selected_action": [programme.pk]})
    assert form.status_code == 200
    assert 'name="count"' in html(form)
    done = client.post(
        changelist,
        {
            "action": "issue_vouchers",
            "_selected_action": [programme.pk],
            "apply": "1",
            "organization": contract.organization.pk,
            "count": "5",
        },
    )
    assert done.status_code == 302
    assert Voucher.objects.filter(programme=programme).count() == 5
    over = client.post(
        changelist,
        {
            "action": "issue_vouchers",
            "_selected_action": [programme.pk],
            "apply": "1",
            "organization": contract.organization.pk,
            "count": "1",
        },
    )
    assert over.status_code == 200
    assert "超出项目预算" in html(over)
    assert Voucher.objects.filter(programme=programme).count() == 5


def test_staff_without_the_finance_group_cannot_add_programmes() -> None:
    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/payments/voucherprogramme/add/").status_code == 403
