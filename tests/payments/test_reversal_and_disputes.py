"""Taking back released money (dispute decisions), and card disputes' outcomes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Notification
from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.errors import Conflict, InvalidTransition, ValidationFailed
from marketplace.money import Money
from payments.models import (
    CardDispute,
    ConnectedAccount,
    Escrow,
    GatewayObject,
    JournalEntry,
    Posting,
)
from payments.services import (
    escrow_fund,
    escrow_split_execute,
    milestone_release,
    milestone_release_reverse,
)
from tests.accounts.factories import UserFactory
from tests.frontend.contracts_setup import awarded_contract, deliver, milestone, poster_owner
from tests.payments.helpers import (
    K,
    assert_ledger_sound,
    escrow,
    fee_revenue,
    payouts_active,
    provider,
)
from tests.payments.test_stripe_api import stripe_mock  # noqa: F401  (fixture)
from tests.payments.test_webhooks import event, post

pytestmark = pytest.mark.django_db
REVERSAL = GatewayObject.Kind.TRANSFER_REVERSAL
REFUND = GatewayObject.Kind.REFUND


def poster_balance(contract: Contract) -> Money:
    from payments.ledger import balance_of

    return balance_of(
        kind=K.POSTER_FUNDING, owner=f"organization:{contract.organization_id}", currency="CNY"
    )


def released(*, active: bool = True) -> tuple[Contract, Milestone]:
    contract = awarded_contract()
    if active:
        payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    return contract, milestone_release(milestone_id=milestone(contract, 1).pk)


def test_a_partial_reversal_takes_back_from_the_transfer_and_refunds_the_poster() -> None:
    contract, m = released()
    before = poster_balance(contract)
    milestone_release_reverse(
        milestone=m, amount=Money(5_000_00), actor=None, reference="decision-1"
    )
    reversal = GatewayObject.objects.get(kind=REVERSAL)
    assert reversal.amount == 5_000_00
    assert reversal.idempotency_key == f"contract:{contract.pk}:milestone:1:reverse:decision-1"
    refund = GatewayObject.objects.get(kind=REFUND)
    assert refund.amount == 5_000_00
    assert provider(contract) == Money(14_000_00)
    assert poster_balance(contract) - before == Money(5_000_00)
    assert escrow(contract) == Money(30_000_00)  # milestone 2 still held; nothing stays behind
    assert fee_revenue() == Money(1_000_00)
    assert_ledger_sound()
    # The same decision again moves nothing.
    milestone_release_reverse(
        milestone=m, amount=Money(5_000_00), actor=None, reference="decision-1"
    )
    assert GatewayObject.objects.filter(kind=REVERSAL).count() == 1
    assert provider(contract) == Money(14_000_00)


def test_a_whole_reversal_takes_the_fee_back_too() -> None:
    contract, m = released()
    milestone_release_reverse(milestone=m, amount=Money(20_000_00), actor=None, reference="d2")
    assert provider(contract) == Money(0)
    assert fee_revenue() == Money(0)
    assert GatewayObject.objects.get(kind=REVERSAL).amount == 19_000_00
    assert GatewayObject.objects.get(kind=REFUND).amount == 20_000_00
    assert_ledger_sound()
    with pytest.raises(ValidationFailed):
        milestone_release_reverse(milestone=m, amount=Money(1), actor=None, reference="d3")


def test_a_reversal_before_payout_reduces_what_waits_for_the_provider() -> None:
    contract, m = released(active=False)
    milestone_release_reverse(milestone=m, amount=Money(4_000_00), actor=None, reference="d")
    waiting = GatewayObject.objects.get(kind=GatewayObject.Kind.TRANSFER)
    assert waiting.status == GatewayObject.Status.PENDING
    assert waiting.amount == 15_000_00
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(15_000_00)
    assert not GatewayObject.objects.filter(kind=REVERSAL).exists()
    payouts_active(contract)
    from payments.services.payouts import payouts_pending_execute

    payouts_pending_execute(provider_id=contract.provider_id)
    assert provider(contract) == Money(15_000_00)
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(0)
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("amount", "reference", "error"),
    [
        (Money(0), "d", ValidationFailed),
        (Money(-1), "d", ValidationFailed),
        (Money(20_000_01), "d", ValidationFailed),
        (Money(1_00), "bad reference!", ValidationFailed),
        (Money(1_00, "USD"), "d", ValidationFailed),
    ],
    ids=["zero", "negative", "more-than-released", "bad-reference", "wrong-currency"],
)
def test_a_bad_reversal_is_refused_and_writes_nothing(
    amount: Money, reference: str, error: type[Exception]
) -> None:
    _contract, m = released()
    counts = (JournalEntry.objects.count(), Posting.objects.count(), GatewayObject.objects.count())
    with pytest.raises(error):
        milestone_release_reverse(milestone=m, amount=amount, actor=None, reference=reference)
    assert (
        JournalEntry.objects.count(),
        Posting.objects.count(),
        GatewayObject.objects.count(),
    ) == counts


def test_a_milestone_not_released_cannot_be_reversed() -> None:
    contract = awarded_contract()
    escrow_fund(actor=poster_owner(contract), contract=contract)
    with pytest.raises(InvalidTransition):
        milestone_release_reverse(
            milestone=milestone(contract, 1), amount=Money(1_00), actor=None, reference="d"
        )


def test_a_split_of_a_released_milestone_reverses_the_refund_part() -> None:
    contract, m = released()
    escrow_split_execute(
        milestone=m,
        refund=Money(8_000_00),
        release=Money(12_000_00),
        actor=None,
        reference="decision-9",
    )
    assert milestone(contract, 1).status == Milestone.Status.RELEASED
    assert GatewayObject.objects.get(kind=REVERSAL).amount == 8_000_00
    assert provider(contract) == Money(11_000_00)
    with pytest.raises(ValidationFailed):
        escrow_split_execute(
            milestone=m, refund=Money(1), release=Money(1), actor=None, reference="d"
        )
    assert_ledger_sound()


# --- Card disputes ------------------------------------------------------------------------------


@pytest.fixture
def finance_user() -> Any:
    user = UserFactory(is_staff=True)
    group, _created = Group.objects.get_or_create(name="Finance")
    group.permissions.add(
        Permission.objects.get(codename="handle_finance", content_type__app_label="payments")
    )
    user.groups.add(group)
    return user


@pytest.fixture
def _webhooks(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"


def dispute_event(charge: GatewayObject, event_id: str, kind: str, status: str) -> bytes:
    obj = {
        "id": "dp_1",
        "object": "dispute",
        "charge": charge.external_id,
        "amount": charge.amount,
        "reason": "fraudulent",
        "status": status,
    }
    return event(event_id, f"charge.dispute.{kind}", obj)


@pytest.mark.usefixtures("_webhooks")
def test_a_card_dispute_freezes_alerts_finance_and_a_won_one_unfreezes(
    finance_user: Any, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    contract = awarded_contract()
    payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    charge = GatewayObject.objects.get(kind=GatewayObject.Kind.CHARGE)
    bystander = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(dispute_event(charge, "evt_1", "created", "needs_response"))
    assert Escrow.objects.get(contract=contract).frozen_at is not None
    assert Notification.objects.filter(recipient=finance_user, kind="card_dispute_opened").exists()
    assert not Notification.objects.filter(recipient=bystander).exists()
    with django_capture_on_commit_callbacks(execute=True):
        post(dispute_event(charge, "evt_2", "closed", "won"))
    dispute = CardDispute.objects.get()
    assert dispute.status == CardDispute.Status.WON
    assert Escrow.objects.get(contract=contract).frozen_at is None
    assert escrow(contract) == Money(50_000_00)
    assert Notification.objects.filter(recipient=finance_user, kind="card_dispute_closed").exists()
    # Money moves again.
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    milestone_release(milestone_id=milestone(contract, 1).pk)
    assert provider(contract) == Money(19_000_00)


@pytest.mark.usefixtures("_webhooks")
def test_a_lost_card_dispute_takes_the_amount_out_of_escrow_as_a_chargeback() -> None:
    contract, _m = released()
    charge = GatewayObject.objects.get(kind=GatewayObject.Kind.CHARGE)
    post(dispute_event(charge, "evt_1", "created", "needs_response"))
    with pytest.raises(Conflict):
        milestone_release_reverse(
            milestone=milestone(contract, 1), amount=Money(1_00), actor=None, reference="d"
        )
    post(dispute_event(charge, "evt_2", "closed", "lost"))
    post(dispute_event(charge, "evt_2", "closed", "lost"))  # replayed: processed once
    dispute = CardDispute.objects.get()
    assert dispute.status == CardDispute.Status.LOST
    # 50,000 disputed; 30,000 was still in escrow, 20,000 had been released.
    assert escrow(contract) == Money(0)
    assert dispute.platform_loss == 20_000_00
    from payments.ledger import balance_of

    assert balance_of(kind=K.CHARGEBACKS, owner="platform", currency="CNY") == Money(50_000_00)
    assert Escrow.objects.get(contract=contract).frozen_at is None
    assert_ledger_sound()


@pytest.mark.usefixtures("stripe_mock")
def test_a_reversal_on_stripe_reverses_the_transfer_and_refunds_with_derived_keys() -> None:
    from payments.services import payment_succeeded
    from payments.services.connect import account_state_apply

    contract = awarded_contract()
    account = ConnectedAccount.objects.create(provider=contract.provider, external_id="acct_1")
    account_state_apply(account=account, state={"capabilities": {"transfers": "active"}}, created=1)
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    payment_succeeded(payment=payment, charge_id="ch_1")
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    m = milestone_release(milestone_id=milestone(contract, 1).pk)
    milestone_release_reverse(milestone=m, amount=Money(3_000_00), actor=None, reference="dec-4")
    reversal = GatewayObject.objects.get(kind=REVERSAL)
    assert reversal.external_id.startswith("trr_")
    assert reversal.gateway == "stripe"
    refund = GatewayObject.objects.get(kind=REFUND)
    assert refund.external_id.startswith("re_")
    assert refund.idempotency_key == f"contract:{contract.pk}:milestone:1:reverse:dec-4:refund"
    assert provider(contract) == Money(16_000_00)
    assert_ledger_sound()
