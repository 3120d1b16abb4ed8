"""Receipts: one for every funding, payout and platform fee, written with its ledger entry."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from accounts.models import Membership, User
from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.money import Money
from payments.models import JournalEntry, Receipt
from payments.receipts import (
    EInvoiceResult,
    masked_name,
    receipt_issue_einvoice,
    receipt_record,
    receipts_csv,
    receipts_visible_to,
    tax_included,
)
from payments.services import escrow_fund, escrow_split_execute, milestone_refund
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory, UserFactory
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    milestone,
    poster_owner,
    provider_user,
)
from tests.payments.helpers import payouts_active
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

K = Receipt.Kind


@pytest.fixture
def contract() -> Contract:
    """50,000 yuan in two milestones, for a verified enterprise, to an individual 王芳明."""
    designer = UserFactory(name="Fang", real_name_verified=True, verified_real_name="王芳明")
    task = TaskFactory(organization__name="重庆山城智能家电有限公司", organization__verified=True)
    contract = awarded_contract(task=task, provider=ProviderProfileFactory(user=designer))
    payouts_active(contract)  # the provider set up payouts: a release is transferred at once
    return contract


def release(contract: Contract, position: int) -> None:
    deliver(contract, position)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, position))
    from payments.services import milestone_release

    milestone_release(milestone_id=milestone(contract, position).pk)


# --- the arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "tax"),
    [
        (106_00, 600, 6_00),  # ¥106 incl. 6 % is ¥100 + ¥6
        (1_000_00, 600, 56_60),  # 1000 × 0.06 / 1.06 = 56.603… → 56.60
        (53, 600, 3),  # 2.9999… → 3
        (9, 600, 1),  # 0.5094… → 1 (half up)
        (8, 600, 0),  # 0.4528… → 0
        (1_000_00, 0, 0),
        (1_000_00, 1300, 11_504),  # 13 %: 115.044… → 115.04
    ],
)
def test_the_tax_inside_an_amount_is_rounded_half_up_to_the_fen(
    amount: int, rate: int, tax: int
) -> None:
    assert tax_included(amount, rate) == tax


def test_the_exact_half_rounds_up() -> None:
    # At 6 % no amount is exactly half a fen; at 0.16 % (10,016) some are: 5,008 remains.
    amount = next(a for a in range(1, 100_000) if (a * 16) % 10_016 == 5_008)
    assert tax_included(amount, 16) == (amount * 16) // 10_016 + 1


def test_a_negative_amount_has_no_tax() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        tax_included(-1, 600)


@pytest.mark.parametrize(
    ("name", "masked"), [("李明", "李*"), ("欧阳娜娜", "欧***"), ("王", "王*"), ("", "*")]
)
def test_an_individuals_name_is_masked(name: str, masked: str) -> None:
    assert masked_name(name) == masked


# --- one receipt per entry -----------------------------------------------------------------------


def test_funding_writes_one_receipt_to_the_poster_organization(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    receipt = Receipt.objects.get()
    entry = JournalEntry.objects.get(reference__endswith=":received")
    assert receipt.kind == K.FUNDING
    assert receipt.entry == entry
    assert receipt.organization == contract.organization
    assert receipt.provider is None
    assert receipt.buyer_type == Receipt.BuyerType.ORGANIZATION
    assert receipt.buyer_name == "重庆山城智能家电有限公司"
    assert receipt.buyer_taxpayer_id == contract.organization.credit_code
    assert len(receipt.buyer_taxpayer_id) == 18
    assert receipt.seller_name == "众包平台（演示）科技有限公司"
    assert receipt.seller_taxpayer_id == "91500000MA5U7DB0X9"
    assert receipt.item_name == "*现代服务*任务托管资金"
    assert receipt.money == Money(50_000_00)
    assert receipt.tax_rate_bps == 600
    assert receipt.tax == Money(2_830_19)  # 50,000 × 6 / 106 = 2,830.188…
    assert receipt.net + receipt.tax == receipt.money
    assert receipt.tax_rate_percent == "6%"
    assert receipt.number == f"ZB{receipt.issue_date:%Y%m%d}F{entry.pk:08d}"


def test_a_release_writes_a_fee_and_a_payout_receipt_to_the_provider(
    contract: Contract,
) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    release(contract, 1)
    fee = Receipt.objects.get(kind=K.PLATFORM_FEE)
    payout = Receipt.objects.get(kind=K.PAYOUT)
    for receipt in (fee, payout):
        assert receipt.provider_id == contract.provider_id
        assert receipt.organization is None
        assert receipt.milestone == milestone(contract, 1)
        assert receipt.buyer_type == Receipt.BuyerType.INDIVIDUAL
        assert receipt.buyer_name == "王**"
        assert receipt.buyer_taxpayer_id == ""
    assert fee.money == Money(1_000_00)  # 5 % of 20,000
    assert fee.item_name == "*现代服务*平台服务费"
    assert fee.tax == Money(56_60)
    assert fee.entry.reference == f"contract:{contract.pk}:milestone:1:release"
    assert payout.money == Money(19_000_00)
    assert payout.entry.reference == f"contract:{contract.pk}:milestone:1:release:transfer"
    assert Receipt.objects.count() == 3


def test_a_firm_providers_receipts_carry_the_firms_name_and_credit_code() -> None:
    firm_profile = ProviderProfileFactory(firm=True)
    contract = awarded_contract(provider=firm_profile)
    payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    release(contract, 1)
    payout = Receipt.objects.get(kind=K.PAYOUT)
    assert payout.buyer_type == Receipt.BuyerType.ORGANIZATION
    assert payout.buyer_name == firm_profile.organization.name
    assert payout.buyer_taxpayer_id == firm_profile.organization.credit_code


def test_an_unverified_poster_has_no_taxpayer_id_on_its_receipt() -> None:
    contract = awarded_contract()
    escrow_fund(actor=poster_owner(contract), contract=contract)
    assert Receipt.objects.get().buyer_taxpayer_id == ""


def test_releasing_again_writes_no_second_receipt(contract: Contract) -> None:
    from payments.services import milestone_release

    escrow_fund(actor=poster_owner(contract), contract=contract)
    release(contract, 1)
    milestone_release(milestone_id=milestone(contract, 1).pk)
    assert Receipt.objects.filter(kind=K.PAYOUT).count() == 1
    assert Receipt.objects.filter(kind=K.PLATFORM_FEE).count() == 1


def test_recording_the_same_entry_twice_returns_the_first_receipt(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    first = Receipt.objects.get()
    again = receipt_record(
        entry=first.entry, kind=K.FUNDING, contract=contract, amount=Money(50_000_00)
    )
    assert again.pk == first.pk
    assert Receipt.objects.count() == 1


def test_the_database_refuses_a_second_receipt_of_an_entry(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    first = Receipt.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(
            **{
                f.attname: getattr(first, f.attname)
                for f in Receipt._meta.concrete_fields
                if f.name not in ("id", "number")
            },
            number="ZB-other",
        )


def test_a_refund_writes_no_receipt(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    milestone_refund(actor=poster_owner(contract), milestone=milestone(contract, 2))
    assert list(Receipt.objects.values_list("kind", flat=True)) == [K.FUNDING]


def test_a_split_writes_receipts_for_the_released_part_only(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    # The disputes app will open disputes through contracts; here the state is set directly.
    Milestone.objects.filter(contract=contract, position=1).update(status=Milestone.Status.DISPUTED)
    escrow_split_execute(
        milestone=milestone(contract, 1),
        refund=Money(5_000_00),
        release=Money(15_000_00),
        actor=None,
        reference="decision:1",
    )
    assert Receipt.objects.get(kind=K.PLATFORM_FEE).money == Money(750_00)
    assert Receipt.objects.get(kind=K.PAYOUT).money == Money(14_250_00)
    assert Receipt.objects.get(kind=K.PAYOUT).entry.reference.endswith(":split-release:transfer")


def test_a_failed_release_leaves_no_receipt(
    contract: Contract, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.errors import Conflict
    from payments import gateway as gateway_module

    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))

    def refuse(self: Any, **kwargs: Any) -> None:
        raise Conflict("the gateway is down")

    monkeypatch.setattr(gateway_module.SandboxGateway, "transfer_create", refuse)
    from payments.services import milestone_release

    with pytest.raises(Conflict):
        milestone_release(milestone_id=milestone(contract, 1).pk)
    assert list(Receipt.objects.values_list("kind", flat=True)) == [K.FUNDING]


# --- the e-invoice integration point -------------------------------------------------------------


def test_the_default_issuer_records_not_issued_after_commit(
    contract: Contract, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        escrow_fund(actor=poster_owner(contract), contract=contract)
    receipt = Receipt.objects.get()
    assert receipt.einvoice_status == Receipt.EInvoiceStatus.NOT_ISSUED
    assert receipt.einvoice_issuer == "none"
    assert receipt.einvoice_number == ""
    assert "No e-invoice issuer is configured" in receipt.einvoice_message


class CountingIssuer:
    """An issuer that counts its calls and issues invoice numbers."""

    name = "counting"
    calls: list[str] = []

    def issue(self, receipt: Receipt) -> EInvoiceResult:
        self.calls.append(receipt.number)
        return EInvoiceResult(status=Receipt.EInvoiceStatus.ISSUED, number="2644200000012345")


def test_a_configured_issuer_issues_once(contract: Contract, settings: Any) -> None:
    settings.RECEIPTS = {
        **settings.RECEIPTS,
        "EINVOICE_ISSUER": "tests.payments.test_receipts.CountingIssuer",
    }
    CountingIssuer.calls = []
    escrow_fund(actor=poster_owner(contract), contract=contract)
    receipt = Receipt.objects.get()
    assert receipt.einvoice_status == Receipt.EInvoiceStatus.PENDING
    receipt_issue_einvoice(receipt_id=receipt.pk)
    receipt_issue_einvoice(receipt_id=receipt.pk)
    receipt.refresh_from_db()
    assert receipt.einvoice_status == Receipt.EInvoiceStatus.ISSUED
    assert receipt.einvoice_number == "2644200000012345"
    assert receipt.einvoice_issuer == "counting"
    assert CountingIssuer.calls == [receipt.number]


# --- who sees which receipts ---------------------------------------------------------------------


def test_each_side_sees_only_its_own_receipts(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    release(contract, 1)
    poster = set(receipts_visible_to(user=poster_owner(contract)).values_list("kind", flat=True))
    provider = set(receipts_visible_to(user=provider_user(contract)).values_list("kind", flat=True))
    assert poster == {K.FUNDING}
    assert provider == {K.PAYOUT, K.PLATFORM_FEE}
    assert not receipts_visible_to(user=UserFactory()).exists()


def test_a_plain_member_of_the_poster_sees_no_receipts(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    member: User = UserFactory()
    Membership.objects.create(
        user=member, organization=contract.organization, role=Membership.Role.MEMBER
    )
    admin: User = UserFactory()
    Membership.objects.create(
        user=admin, organization=contract.organization, role=Membership.Role.ADMIN
    )
    assert not receipts_visible_to(user=member).exists()
    assert receipts_visible_to(user=admin).count() == 1


def test_another_organizations_owner_sees_nothing() -> None:
    contract = awarded_contract()
    escrow_fund(actor=poster_owner(contract), contract=contract)
    stranger: User = UserFactory()
    OrganizationFactory(owner=stranger)
    assert not receipts_visible_to(user=stranger).exists()


# --- CSV -----------------------------------------------------------------------------------------


def test_the_csv_has_every_invoice_field_in_yuan(contract: Contract) -> None:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    with translation.override("en"):
        text = receipts_csv(Receipt.objects.all())
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["Receipt number", "Issue date", "Kind"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Buyer (invoice title)"] == "重庆山城智能家电有限公司"
    assert row["Buyer taxpayer ID"] == contract.organization.credit_code
    assert row["Amount incl. tax"] == "50000.00"
    assert row["Tax rate"] == "6%"
    assert row["Tax"] == "2830.19"
    assert row["Amount excl. tax"] == "47169.81"
    assert row["Seller taxpayer ID"] == "91500000MA5U7DB0X9"


def test_the_csv_does_not_let_a_title_run_as_a_formula() -> None:
    contract = awarded_contract(title='=HYPERLINK("http://evil.example","点我")')
    escrow_fund(actor=poster_owner(contract), contract=contract)
    rows = list(csv.reader(io.StringIO(receipts_csv(Receipt.objects.all())[1:])))
    assert rows[1][4].startswith("'=")


# --- races ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_releases_write_one_payout_and_one_fee_receipt() -> None:
    from payments.services import milestone_release

    assert connection.vendor == "postgresql"
    contract = awarded_contract()
    payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    m = milestone(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=m)

    results = run_concurrently(*[lambda: milestone_release(milestone_id=m.pk)] * 10)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Receipt.objects.filter(kind=K.PAYOUT).count() == 1
    assert Receipt.objects.filter(kind=K.PLATFORM_FEE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_of_one_entry_write_one_receipt() -> None:
    """Without the contract's lock (a caller that forgot it), the constraint still holds."""
    assert connection.vendor == "postgresql"
    contract = awarded_contract()
    escrow_fund(actor=poster_owner(contract), contract=contract)
    funding = Receipt.objects.get()
    entry = funding.entry
    Receipt.objects.all().delete()

    def record() -> Receipt:
        return receipt_record(
            entry=entry, kind=K.FUNDING, contract=contract, amount=Money(50_000_00)
        )

    results = run_concurrently(*[record] * 8)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len({r.pk for r in results}) == 1
    assert Receipt.objects.count() == 1
