"""Failed and cancelled payment intents, fresh attempts, and the Payment Element on the page."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Notification
from contracts.models import Contract, Milestone
from marketplace.money import Money
from payments.models import GatewayObject
from payments.services import escrow_fund
from tests.api_helpers import client_for
from tests.frontend.contracts_setup import (
    awarded_contract,
    english,
    milestone,
    poster_owner,
    provider_user,
)
from tests.page_helpers import html
from tests.payments.helpers import escrow
from tests.payments.test_stripe_api import stripe_mock  # noqa: F401  (fixture)
from tests.payments.test_webhooks import event, post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_mock", "webhook_secret")]
PI = GatewayObject.Kind.PAYMENT_INTENT


@pytest.fixture
def webhook_secret(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"


@pytest.fixture
def contract() -> Contract:
    return awarded_contract()


def failed(payment: GatewayObject, event_id: str = "evt_f", kind: str = "payment_failed") -> Any:
    obj = {
        "id": payment.external_id,
        "object": "payment_intent",
        "status": "requires_payment_method" if kind == "payment_failed" else "canceled",
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
        "cancellation_reason": "abandoned",
    }
    return post(event(event_id, f"payment_intent.{kind}", obj))


def test_a_failed_payment_is_marked_failed_and_the_poster_is_told(
    contract: Contract, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    with django_capture_on_commit_callbacks(execute=True):
        assert failed(payment).json() == {"outcome": "processed"}
    payment.refresh_from_db()
    assert payment.status == GatewayObject.Status.FAILED
    assert payment.failure_message == "Your card was declined."
    assert escrow(contract) == Money(0)
    assert milestone(contract, 1).status == Milestone.Status.AWAITING_FUNDING
    assert Notification.objects.filter(
        recipient=poster_owner(contract), kind="payment_failed"
    ).exists()
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert "The last escrow payment failed." in page
    assert "Your card was declined." in page
    assert 'id="fund-escrow"' in page


def test_a_new_attempt_after_a_failure_gets_a_fresh_deterministic_key(contract: Contract) -> None:
    first = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert first.idempotency_key == f"contract:{contract.pk}:fund:1-2"
    # Asking again while the first is pending returns the same payment.
    assert escrow_fund(actor=poster_owner(contract), contract=contract).pk == first.pk
    failed(first)
    second = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert second.pk != first.pk
    assert second.idempotency_key == f"contract:{contract.pk}:fund:1-2:attempt:2"
    assert second.status == GatewayObject.Status.PENDING
    failed(second, event_id="evt_c", kind="canceled")
    second.refresh_from_db()
    assert second.status == GatewayObject.Status.FAILED
    third = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert third.idempotency_key == f"contract:{contract.pk}:fund:1-2:attempt:3"


def test_a_late_failure_of_a_payment_that_succeeded_changes_nothing(contract: Contract) -> None:
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    succeeded = {"id": payment.external_id, "object": "payment_intent", "latest_charge": "ch_1"}
    post(event("evt_ok", "payment_intent.succeeded", succeeded))
    failed(payment, event_id="evt_late")
    payment.refresh_from_db()
    assert payment.status == GatewayObject.Status.SUCCEEDED
    assert escrow(contract) == Money(50_000_00)


def test_a_failure_for_an_unknown_payment_asks_stripe_to_retry() -> None:
    obj = {"id": "pi_unknown", "object": "payment_intent", "last_payment_error": {}}
    assert post(event("evt_u", "payment_intent.payment_failed", obj)).status_code == 409


def test_the_payment_element_and_its_client_secret_are_for_the_poster_only(
    contract: Contract,
) -> None:
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    assert payment.client_secret
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert 'id="stripe-payment"' in page
    assert f'data-client-secret="{payment.client_secret}"' in page
    assert 'data-publishable-key="pk_test_123"' in page
    assert "https://js.stripe.com/v3/" in page
    assert f'data-return-url="http://testserver/contracts/{contract.pk}/"' in page
    assert "Sandbox, no real money" not in page
    provider_page = html(english(provider_user(contract)).get(f"/contracts/{contract.pk}/"))
    assert payment.client_secret not in provider_page
    assert "stripe-payment" not in provider_page


def test_the_return_page_says_processing_until_the_webhook(contract: Contract) -> None:
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    client = english(poster_owner(contract))
    back = (
        f"/contracts/{contract.pk}/?payment_intent={payment.external_id}&redirect_status=succeeded"
    )
    page = html(client.get(back))
    assert "Payment processing" in page
    assert payment.client_secret not in page
    assert 'id="fund-escrow"' not in page
    succeeded = {"id": payment.external_id, "object": "payment_intent", "latest_charge": "ch_1"}
    post(event("evt_ok", "payment_intent.succeeded", succeeded))
    page = html(client.get(back))
    assert "Payment processing" not in page
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_without_a_publishable_key_the_page_says_processing(
    contract: Contract, settings: Any
) -> None:
    settings.STRIPE_PUBLISHABLE_KEY = ""
    escrow_fund(actor=poster_owner(contract), contract=contract)
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert "Payment processing" in page
    assert "stripe-payment" not in page


def test_the_funding_state_api_gives_the_secret_to_the_poster_only(contract: Contract) -> None:
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    url = f"/api/v1/contracts/{contract.pk}/funding/"
    mine = client_for(poster_owner(contract)).get(url).json()
    assert mine["state"] == "processing"
    assert mine["client_secret"] == payment.client_secret
    theirs = client_for(provider_user(contract)).get(url).json()
    assert theirs["state"] == "processing"
    assert theirs["client_secret"] == ""
    failed(payment)
    assert client_for(poster_owner(contract)).get(url).json()["state"] == "failed"
    stranger = awarded_contract()
    assert client_for(poster_owner(stranger)).get(url).status_code == 404


def test_the_sandbox_keeps_its_own_form(contract: Contract, settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
    page = html(english(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    assert 'id="fund-escrow"' in page
    assert "js.stripe.com" not in page
    assert PI not in page
