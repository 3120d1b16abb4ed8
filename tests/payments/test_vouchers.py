"""Innovation vouchers through the real services on the sandbox gateway: programmes, issuing,
spending beside the card payment, claims on release, returns on refund and expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Notification
from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.errors import Conflict, NotAllowed, ValidationFailed
from marketplace.money import Money
from payments.models import (
    GatewayObject,
    JournalEntry,
    Posting,
    Voucher,
    VoucherClaim,
    VoucherReturn,
    VoucherSpend,
)
from payments.services import (
    escrow_fund_start,
    escrow_split_execute,
    milestone_refund,
    milestone_release,
)
from payments.services.vouchers import voucher_expire, voucher_issue, voucher_remaining
from payments.tasks import expire_vouchers
from payments.voucher_selectors import programme_claim_rows, programme_report
from tasks.models import Task
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    milestone,
    poster_owner,
)
from tests.payments.helpers import K, assert_ledger_sound, escrow
from tests.payments.voucher_setup import finance_user, government, issue, make_programme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

M = Milestone.Status


@pytest.fixture
def contract() -> Contract:
    return awarded_contract()  # rd_solution, 20,000 + 30,000 yuan


def fund(contract: Contract, voucher: Voucher | None, **kwargs: Any) -> Any:
    return escrow_fund_start(
        actor=poster_owner(contract),
        contract=contract,
        voucher_id=voucher.pk if voucher else None,
        **kwargs,
    )


def written() -> tuple[int, int, int]:
    return (
        JournalEntry.objects.count(),
        GatewayObject.objects.count(),
        VoucherSpend.objects.count(),
    )


# --- programmes and issuing ------------------------------------------------------------------
def test_a_programme_posts_its_budget_to_its_own_account() -> None:
    programme = make_programme(budget=100_000_00)
    assert programme.issued_total == 0
    balance = Posting.objects.filter(
        account__kind=K.VOUCHER_PROGRAMME, account__owner=f"programme:{programme.pk}"
    )
    assert sum(p.amount for p in balance) == 100_000_00
    assert_ledger_sound()


def test_only_a_government_unit_issues_a_programme() -> None:
    with pytest.raises(ValidationFailed) as refused:
        make_programme(issuer=OrganizationFactory())
    assert "issuer" in refused.value.fields


def test_a_programme_needs_finance_staff() -> None:
    with pytest.raises(NotAllowed):
        make_programme(actor=UserFactory(is_staff=True))


def test_issuing_moves_face_value_to_the_voucher_and_notifies_the_owners(
    django_capture_on_commit_callbacks: Any,
) -> None:
    programme = make_programme()
    owner = UserFactory()
    org = OrganizationFactory(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        voucher = issue(programme, org)
    programme.refresh_from_db()
    assert programme.issued_total == 30_000_00
    assert voucher_remaining(voucher) == Money(30_000_00)
    notice = Notification.objects.get(recipient=owner, kind="voucher_issued")
    assert voucher.code in notice.body
    assert notice.url == f"/orgs/{org.slug}/vouchers/"
    assert_ledger_sound()


def test_the_budget_cannot_be_over_issued() -> None:
    programme = make_programme(budget=100_000_00, face_value=30_000_00)
    org = OrganizationFactory()
    issue(programme, org, count=3)
    with pytest.raises(Conflict) as refused:
        issue(programme, org)
    assert refused.value.code == "over_budget"
    programme.refresh_from_db()
    assert programme.issued_total == 90_000_00
    assert Voucher.objects.filter(programme=programme).count() == 3


def test_a_person_without_the_finance_permission_cannot_issue() -> None:
    programme = make_programme()
    with pytest.raises(NotAllowed):
        voucher_issue(
            actor=UserFactory(is_staff=True),
            programme=programme,
            organization=OrganizationFactory(),
        )
    assert not Voucher.objects.exists()


def test_vouchers_do_not_go_to_government_units() -> None:
    with pytest.raises(ValidationFailed):
        issue(make_programme(), government())


# --- spending --------------------------------------------------------------------------------
def test_a_voucher_pays_its_share_and_the_card_the_rest(contract: Contract) -> None:
    voucher = issue(make_programme(share_bps=5_000, face_value=30_000_00), contract.organization)
    funding = fund(contract, voucher)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    # 50,000 yuan funded: the voucher pays min(30,000 left, 50% = 25,000), the card 25,000.
    assert funding.voucher_part == Money(25_000_00)
    assert funding.payment.amount == 25_000_00
    assert escrow(contract) == Money(50_000_00)
    assert voucher_remaining(voucher) == Money(5_000_00)
    assert funding.voucher_spend.status == VoucherSpend.Status.POSTED
    shares = {s.milestone.position: s.amount for s in funding.voucher_spend.shares.all()}
    assert shares == {1: 10_000_00, 2: 15_000_00}
    assert_ledger_sound()


def test_the_voucher_pays_at_most_what_is_left(contract: Contract) -> None:
    voucher = issue(make_programme(face_value=8_000_00), contract.organization)
    funding = fund(contract, voucher)
    assert funding.voucher_part == Money(8_000_00)
    assert funding.payment.amount == 42_000_00
    assert voucher_remaining(voucher) == Money(0)


def test_a_voucher_can_pay_everything_when_its_share_allows(contract: Contract) -> None:
    voucher = issue(
        make_programme(share_bps=10_000, face_value=60_000_00, budget=60_000_00),
        contract.organization,
    )
    funding = fund(contract, voucher)
    contract.refresh_from_db()
    assert funding.payment is None
    assert funding.succeeded
    assert contract.status == Contract.Status.ACTIVE
    assert not GatewayObject.objects.exists()
    assert escrow(contract) == Money(50_000_00)
    assert voucher_remaining(voucher) == Money(10_000_00)


def test_a_chosen_voucher_amount_is_used(contract: Contract) -> None:
    voucher = issue(make_programme(), contract.organization)
    funding = fund(contract, voucher, voucher_amount=Money(1_234_56))
    assert funding.voucher_part == Money(1_234_56)
    assert funding.payment.amount == 50_000_00 - 1_234_56


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("other_org", "voucher_not_yours"),
        ("expired", "voucher_expired"),
        ("not_yet_valid", "voucher_not_yet_valid"),
        ("ineligible", "voucher_ineligible"),
        ("over_cap", "voucher_over_cap"),
        ("over_remaining", "voucher_over_remaining"),
        ("zero", "voucher_amount"),
        ("negative", "voucher_amount"),
        ("used_up", "voucher_used_up"),
    ],
)
def test_a_bad_voucher_is_refused_and_nothing_is_written(
    contract: Contract, setup: str, code: str
) -> None:
    amount = None
    if setup == "other_org":
        voucher = issue(make_programme(), OrganizationFactory())
    elif setup == "expired":
        voucher = issue(make_programme(), contract.organization)
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Voucher.objects.filter(pk=voucher.pk).update(valid_until=yesterday)
    elif setup == "not_yet_valid":
        voucher = issue(make_programme(starts=3), contract.organization)
    elif setup == "ineligible":
        voucher = issue(make_programme(kinds=[Task.Kind.CONSULTING]), contract.organization)
    elif setup == "over_cap":
        voucher = issue(make_programme(face_value=60_000_00), contract.organization)
        amount = Money(25_000_01)
    elif setup == "over_remaining":
        voucher = issue(make_programme(face_value=5_000_00), contract.organization)
        amount = Money(5_000_01)
    elif setup in ("zero", "negative"):
        voucher = issue(make_programme(), contract.organization)
        amount = Money(0 if setup == "zero" else -100)
    else:
        voucher = issue(make_programme(face_value=5_000_00), contract.organization)
        other = awarded_contract(organization=contract.organization)
        fund(other, voucher)
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        fund(contract, voucher, voucher_amount=amount)
    assert refused.value.code == code
    assert "voucher" in refused.value.fields
    assert written() == before
    contract.refresh_from_db()
    assert contract.status == Contract.Status.AWAITING_FUNDING


def test_an_unknown_voucher_id_is_refused(contract: Contract) -> None:
    with pytest.raises(ValidationFailed):
        escrow_fund_start(actor=poster_owner(contract), contract=contract, voucher_id=999_999)
    assert not JournalEntry.objects.filter(reference__contains="fund").exists()


def test_the_cap_is_on_the_amount_being_funded(contract: Contract) -> None:
    voucher = issue(make_programme(face_value=60_000_00), contract.organization)
    funding = fund(contract, voucher, scope="next")  # 20,000 yuan: at most 10,000
    assert funding.voucher_part == Money(10_000_00)
    assert milestone(contract, 2).status == M.AWAITING_FUNDING


# --- Stripe pending: the voucher part is reserved until the payment succeeds ---------------
def test_with_a_pending_card_payment_the_voucher_part_waits(
    contract: Contract, settings: Any
) -> None:
    from payments.services import payment_succeeded

    voucher = issue(make_programme(), contract.organization)
    settings.PAYMENTS_GATEWAY = "stripe"
    funding = fund(contract, voucher)
    assert funding.payment.status == GatewayObject.Status.PENDING
    assert funding.voucher_spend.status == VoucherSpend.Status.RESERVED
    assert escrow(contract) == Money(0)
    assert voucher_remaining(voucher) == Money(5_000_00)  # 25,000 reserved
    # Asking again for the same funding returns the same reservation and payment.
    again = fund(contract, voucher)
    assert again.voucher_spend.pk == funding.voucher_spend.pk
    assert again.payment.pk == funding.payment.pk
    # Another funding of the same milestones without the voucher is refused meanwhile.
    with pytest.raises(Conflict):
        fund(contract, None)
    settings.PAYMENTS_GATEWAY = "sandbox"
    payment_succeeded(payment=funding.payment)
    payment_succeeded(payment=funding.payment)  # a replayed webhook changes nothing
    assert escrow(contract) == Money(50_000_00)
    assert VoucherSpend.objects.get().status == VoucherSpend.Status.POSTED
    assert voucher_remaining(voucher) == Money(5_000_00)
    assert_ledger_sound()


# --- claims and returns ----------------------------------------------------------------------
def _accept(contract: Contract, position: int) -> Milestone:
    deliver(contract, position)
    m = milestone(contract, position)
    milestone_accept(actor=poster_owner(contract), milestone=m)
    milestone_release(milestone_id=m.pk)
    return milestone(contract, position)


def test_a_release_claims_the_voucher_share_on_the_programme(contract: Contract) -> None:
    programme = make_programme()
    voucher = issue(programme, contract.organization)
    fund(contract, voucher)
    m = _accept(contract, 1)
    assert m.status == M.RELEASED
    claim = VoucherClaim.objects.get()
    assert (claim.amount, claim.milestone_id, claim.programme_id) == (10_000_00, m.pk, programme.pk)
    milestone_release(milestone_id=m.pk)  # twice: still one claim
    assert VoucherClaim.objects.count() == 1
    report = programme_report(programme=programme)
    assert report.claimed == Money(10_000_00)
    assert report.held == Money(15_000_00)
    assert report.balanced
    row = programme_claim_rows(programme=programme)[0]
    assert row["contract"] == str(contract.pk)
    assert row["milestone"] == "1"
    assert "report.pdf sha256:" in row["delivery_files"]
    assert row["accepted_by"].endswith(f"<{poster_owner(contract).email}>")
    assert row["auto_accepted"] == "no"
    assert_ledger_sound()


def test_a_refund_returns_the_voucher_part_to_the_voucher(contract: Contract) -> None:
    programme = make_programme()
    voucher = issue(programme, contract.organization)
    fund(contract, voucher)
    milestone_refund(actor=poster_owner(contract), milestone=milestone(contract, 1))
    # 20,000: 10,000 back on the voucher, 10,000 refunded to the card.
    assert voucher_remaining(voucher) == Money(15_000_00)
    refund = GatewayObject.objects.get(kind=GatewayObject.Kind.REFUND)
    assert refund.amount == 10_000_00
    ret = VoucherReturn.objects.get()
    assert (ret.kind, ret.amount) == (VoucherReturn.Kind.REFUND_TO_VOUCHER, 10_000_00)
    assert escrow(contract) == Money(30_000_00)
    assert programme_report(programme=programme).balanced
    assert_ledger_sound()


def test_a_refund_after_expiry_returns_to_the_programme(contract: Contract) -> None:
    programme = make_programme()
    voucher = issue(programme, contract.organization)
    fund(contract, voucher)
    later = voucher.valid_until + dt.timedelta(days=1)
    voucher_expire(voucher_id=voucher.pk, today=later)
    milestone_refund(actor=poster_owner(contract), milestone=milestone(contract, 1))
    kinds = sorted(VoucherReturn.objects.values_list("kind", flat=True))
    assert kinds == [VoucherReturn.Kind.EXPIRY, VoucherReturn.Kind.REFUND_TO_PROGRAMME]
    report = programme_report(programme=programme)
    assert report.expired_returned == Money(5_000_00)
    assert report.returned_to_programme == Money(10_000_00)
    assert report.balanced
    assert_ledger_sound()


def test_a_fully_voucher_funded_milestone_refunds_without_the_gateway(contract: Contract) -> None:
    voucher = issue(
        make_programme(share_bps=10_000, face_value=50_000_00, budget=50_000_00),
        contract.organization,
    )
    fund(contract, voucher)
    milestone_refund(actor=poster_owner(contract), milestone=milestone(contract, 1))
    assert not GatewayObject.objects.exists()
    assert voucher_remaining(voucher) == Money(20_000_00)
    assert milestone(contract, 1).status == M.REFUNDED


def test_a_split_divides_the_voucher_share_in_proportion(contract: Contract) -> None:
    programme = make_programme()
    voucher = issue(programme, contract.organization)
    fund(contract, voucher)
    m = milestone(contract, 1)
    Milestone.objects.filter(pk=m.pk).update(status=M.DISPUTED)
    escrow_split_execute(
        milestone=milestone(contract, 1),
        refund=Money(5_000_00),
        release=Money(15_000_00),
        actor=None,
        reference="decision:1",
    )
    # Share 10,000 of 20,000: 7,500 of the release is claimed, 2,500 of the refund returns.
    assert VoucherClaim.objects.get().amount == 7_500_00
    assert VoucherReturn.objects.get().amount == 2_500_00
    assert GatewayObject.objects.get(kind=GatewayObject.Kind.REFUND).amount == 2_500_00
    assert programme_report(programme=programme).balanced
    assert_ledger_sound()


# --- expiry ----------------------------------------------------------------------------------
def test_the_beat_task_expires_vouchers_and_returns_their_value(contract: Contract) -> None:
    programme = make_programme()
    voucher = issue(programme, contract.organization)
    fund(contract, voucher)  # 25,000 spent, 5,000 left
    Voucher.objects.filter(pk=voucher.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert expire_vouchers.delay().get() == 1
    assert expire_vouchers.delay().get() == 0  # twice: nothing more
    voucher.refresh_from_db()
    assert voucher.expired_at is not None
    assert voucher_remaining(voucher) == Money(0)
    ret = VoucherReturn.objects.get(kind=VoucherReturn.Kind.EXPIRY)
    assert ret.amount == 5_000_00
    report = programme_report(programme=programme)
    assert report.unissued == Money(200_000_00 - 30_000_00 + 5_000_00)
    assert report.balanced
    assert_ledger_sound()


def test_an_expired_voucher_cannot_be_issued_from_an_ended_programme() -> None:
    programme = make_programme(starts=-60, ends=-1)
    with pytest.raises(Conflict):
        issue(programme, OrganizationFactory())


def test_the_finance_group_holds_the_voucher_permissions() -> None:
    user = finance_user()
    assert user.has_perm("payments.issue_voucher")
    assert user.has_perm("payments.view_voucher_report")
