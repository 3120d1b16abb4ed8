"""Every Stripe call payments makes, against stripe-mock (which validates each request
against Stripe's OpenAPI spec of the pinned API version and echoes idempotency keys)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from contracts.models import Milestone
from contracts.services import milestone_accept
from marketplace.money import Money
from payments import stripe_api
from payments.models import ConnectedAccount, GatewayObject
from payments.services import escrow_fund, milestone_release, payment_succeeded
from tests.frontend.contracts_setup import awarded_contract, deliver, milestone, poster_owner
from tests.payments.helpers import escrow, provider


@pytest.fixture
def stripe_mock(settings: Any) -> None:
    """Point the client at stripe-mock; a missing server fails the test, never skips it."""
    base = os.environ.get("STRIPE_API_BASE")
    assert base, 'STRIPE_API_BASE is unset: eval "$(scripts/test-servers env)"'
    settings.STRIPE_API_BASE = base
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.PAYMENTS_GATEWAY = "stripe"


def echoed_key(obj: Any) -> str | None:
    return obj.last_response.headers.get("Idempotency-Key")


@pytest.mark.usefixtures("stripe_mock")
class TestStripeCalls:
    def test_payment_intent_carries_the_transfer_group_and_the_key(self) -> None:
        intent = stripe_api.payment_intent_create(
            amount=20_000_00,
            currency="CNY",
            transfer_group="contract-7",
            metadata={"contract": "7"},
            key="contract:7:fund:1-2",
        )
        assert intent.id.startswith("pi_")
        assert intent.client_secret
        assert echoed_key(intent) == "contract:7:fund:1-2"

    def test_processor_fee_is_read_from_the_balance_transaction(self) -> None:
        assert stripe_api.charge_processor_fee(charge_id="ch_123") >= 0

    def test_transfer_with_source_transaction(self) -> None:
        transfer = stripe_api.transfer_create(
            amount=19_000_00,
            currency="CNY",
            destination="acct_123",
            transfer_group="contract-7",
            source_transaction="ch_123",
            metadata={"milestone": "1"},
            key="contract:7:milestone:1:release",
        )
        assert transfer.id.startswith("tr_")
        assert echoed_key(transfer) == "contract:7:milestone:1:release"

    def test_partial_refund_of_a_payment_intent(self) -> None:
        refund = stripe_api.refund_create(
            payment_intent="pi_123", amount=5_000_00, metadata={}, key="contract:7:milestone:1:r"
        )
        assert refund.id.startswith("re_")
        assert echoed_key(refund) == "contract:7:milestone:1:r"

    def test_transfer_reversal(self) -> None:
        reversal = stripe_api.transfer_reversal_create(
            transfer_id="tr_123", amount=1_000_00, metadata={}, key="contract:7:milestone:1:rev"
        )
        assert reversal.id.startswith("trr_")
        assert echoed_key(reversal) == "contract:7:milestone:1:rev"

    def test_connect_account_and_onboarding_link(self) -> None:
        account = stripe_api.connect_account_create(
            email="li.ming@provider.demo", country="CN", key="provider:3:account"
        )
        assert account.id.startswith("acct_")
        link = stripe_api.account_link_create(
            account=account.id,
            refresh_url="https://example.com/refresh",
            return_url="https://example.com/return",
        )
        assert link.url.startswith("https://")

    def test_an_unreachable_stripe_becomes_our_error_after_retries(self, settings: Any) -> None:
        settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
        with pytest.raises(stripe_api.StripeFailed):
            stripe_api.refund_create(payment_intent="pi_1", amount=1, metadata={}, key="k")


@pytest.mark.django_db
@pytest.mark.usefixtures("stripe_mock")
def test_the_stripe_gateway_funds_on_the_webhook_and_releases_by_transfer() -> None:
    contract = awarded_contract()
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert payment.gateway == "stripe"
    assert payment.status == GatewayObject.Status.PENDING
    assert payment.external_id.startswith("pi_")
    assert escrow(contract) == Money(0)
    assert milestone(contract, 1).status == Milestone.Status.AWAITING_FUNDING

    payment_succeeded(payment=payment, charge_id="ch_from_webhook")
    assert escrow(contract) == Money(50_000_00)
    assert milestone(contract, 1).status == Milestone.Status.FUNDED

    ConnectedAccount.objects.create(
        provider=contract.provider,
        external_id="acct_provider",
        payouts_enabled=True,
        transfers_active=True,
    )
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    milestone_release(milestone_id=milestone(contract, 1).pk)
    transfer = GatewayObject.objects.get(kind=GatewayObject.Kind.TRANSFER)
    assert transfer.external_id.startswith("tr_")
    assert milestone(contract, 1).status == Milestone.Status.RELEASED
    assert provider(contract) == Money(19_000_00)


@pytest.mark.django_db
@pytest.mark.usefixtures("stripe_mock")
def test_a_failed_transfer_leaves_the_release_pending_with_nothing_half_done(
    settings: Any,
) -> None:
    contract = awarded_contract()
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    payment_succeeded(payment=payment, charge_id="ch_1")
    ConnectedAccount.objects.create(
        provider=contract.provider,
        external_id="acct_provider",
        payouts_enabled=True,
        transfers_active=True,
    )
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(stripe_api.StripeFailed):
        milestone_release(milestone_id=milestone(contract, 1).pk)
    assert milestone(contract, 1).status == Milestone.Status.ACCEPTED
    assert escrow(contract) == Money(50_000_00)
    assert not GatewayObject.objects.filter(kind=GatewayObject.Kind.TRANSFER).exists()
