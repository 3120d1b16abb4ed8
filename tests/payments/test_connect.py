"""Provider payout accounts (Connect Express or the sandbox) and payouts gated on them."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Notification
from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.money import Money
from payments.models import ConnectedAccount, GatewayObject, JournalEntry
from payments.services import escrow_fund, milestone_release, payment_succeeded
from payments.services.connect import (
    account_state_apply,
    payout_account_link,
    payout_account_open,
    payout_account_sandbox_activate,
)
from payments.services.payouts import payouts_pending_execute
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
from tests.payments.helpers import K, assert_ledger_sound, escrow, provider
from tests.payments.test_stripe_api import stripe_mock  # noqa: F401  (fixture)
from tests.payments.test_webhooks import event, post

pytestmark = pytest.mark.django_db
TRANSFER = GatewayObject.Kind.TRANSFER
PENDING = GatewayObject.Status.PENDING


@pytest.fixture
def contract() -> Contract:
    return awarded_contract()


def released_without_payouts(contract: Contract) -> Milestone:
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    return milestone_release(milestone_id=milestone(contract, 1).pk)


# --- Gating on the sandbox ----------------------------------------------------------------------


def test_a_release_to_a_provider_without_payouts_waits_in_their_payable(
    contract: Contract,
) -> None:
    released = released_without_payouts(contract)
    assert released.status == Milestone.Status.RELEASED
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(19_000_00)
    assert provider(contract) == Money(0)
    waiting = GatewayObject.objects.get(kind=TRANSFER)
    assert waiting.status == PENDING
    assert waiting.external_id == ""
    assert waiting.idempotency_key == f"contract:{contract.pk}:milestone:1:release"
    assert_ledger_sound()


def test_activating_payouts_pays_what_waits_with_the_release_key_once(
    contract: Contract, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        released_without_payouts(contract)
    with django_capture_on_commit_callbacks(execute=True):
        payout_account_sandbox_activate(
            actor=provider_user(contract), provider=contract.provider, holder_name="王芳"
        )
    transfer = GatewayObject.objects.get(kind=TRANSFER)
    assert transfer.status == GatewayObject.Status.SUCCEEDED
    assert transfer.external_id.startswith("sbx_tr_")
    assert transfer.idempotency_key == f"contract:{contract.pk}:milestone:1:release"
    assert provider(contract) == Money(19_000_00)
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(0)
    # Running it again (a late or repeated task) pays nothing more.
    assert payouts_pending_execute(provider_id=contract.provider_id).paid == 0
    assert JournalEntry.objects.filter(reference__endswith=":release:transfer").count() == 1
    kinds = set(
        Notification.objects.filter(recipient=provider_user(contract)).values_list(
            "kind", flat=True
        )
    )
    assert {"payout_waiting_setup", "payout_account_active", "payout_sent"} <= kinds
    assert_ledger_sound()


def test_a_provider_with_active_payouts_is_paid_at_release(contract: Contract) -> None:
    payout_account_sandbox_activate(
        actor=provider_user(contract), provider=contract.provider, holder_name="王芳"
    )
    released_without_payouts(contract)
    assert GatewayObject.objects.get(kind=TRANSFER).status == GatewayObject.Status.SUCCEEDED
    assert provider(contract) == Money(19_000_00)


def test_the_sandbox_form_needs_a_holder_name_and_writes_nothing_without(
    contract: Contract,
) -> None:
    for bad in ["", "   ", "x" * 101]:
        with pytest.raises(ValidationFailed) as caught:
            payout_account_sandbox_activate(
                actor=provider_user(contract), provider=contract.provider, holder_name=bad
            )
        assert "holder_name" in caught.value.fields
    assert not ConnectedAccount.objects.filter(transfers_active=True).exists()


def test_another_provider_cannot_open_or_activate_this_providers_account(
    contract: Contract,
) -> None:
    other = awarded_contract()
    intruder = provider_user(other)
    with pytest.raises(NotFound):
        payout_account_open(actor=intruder, provider=contract.provider)
    with pytest.raises(NotFound):
        payout_account_sandbox_activate(actor=intruder, provider=contract.provider, holder_name="x")
    assert not ConnectedAccount.objects.filter(provider=contract.provider).exists()


def test_an_active_account_with_nothing_due_needs_no_link(contract: Contract) -> None:
    payout_account_sandbox_activate(
        actor=provider_user(contract), provider=contract.provider, holder_name="王芳"
    )
    with pytest.raises(InvalidTransition):
        payout_account_link(
            actor=provider_user(contract),
            provider=contract.provider,
            refresh_url="http://testserver/r",
            return_url="http://testserver/x",
        )


def test_an_older_account_state_never_overwrites_a_newer_one(contract: Contract) -> None:
    account = payout_account_open(actor=provider_user(contract), provider=contract.provider)
    active = {"capabilities": {"transfers": "active"}, "requirements": {"currently_due": []}}
    assert account_state_apply(account=account, state=active, created=2000)
    restricted = {
        "capabilities": {"transfers": "inactive"},
        "requirements": {"currently_due": ["external_account"], "disabled_reason": "x"},
    }
    assert not account_state_apply(account=account, state=restricted, created=1000)
    account.refresh_from_db()
    assert account.transfers_active is True
    assert account.requirements_due == []


# --- Gating on Stripe (stripe-mock) and account.updated -------------------------------------------


@pytest.mark.usefixtures("stripe_mock")
def test_stripe_onboarding_opens_an_express_account_and_returns_its_link(
    contract: Contract,
) -> None:
    url = payout_account_link(
        actor=provider_user(contract),
        provider=contract.provider,
        refresh_url="http://testserver/me/payouts/1/refresh/",
        return_url="http://testserver/me/payouts/?returned=1",
    )
    assert url.startswith("https://")
    account = ConnectedAccount.objects.get(provider=contract.provider)
    assert account.external_id.startswith("acct_")
    assert account.transfers_active is False
    # Opening it again finds the same account.
    assert payout_account_open(actor=provider_user(contract), provider=contract.provider) == account


@pytest.mark.usefixtures("stripe_mock")
def test_stripe_release_waits_until_account_updated_activates_transfers(
    contract: Contract, settings: Any, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    payout_account_open(actor=provider_user(contract), provider=contract.provider)
    account = ConnectedAccount.objects.get(provider=contract.provider)
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    payment_succeeded(payment=payment, charge_id="ch_1")
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    milestone_release(milestone_id=milestone(contract, 1).pk)
    assert GatewayObject.objects.get(kind=TRANSFER).status == PENDING
    assert provider(contract, K.PROVIDER_PAYABLE) == Money(19_000_00)

    restricted = {
        "id": account.external_id,
        "object": "account",
        "payouts_enabled": False,
        "details_submitted": True,
        "capabilities": {"transfers": "inactive"},
        "requirements": {
            "currently_due": ["external_account"],
            "disabled_reason": "requirements.past_due",
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(event("evt_r", "account.updated", restricted, 1000))
    account.refresh_from_db()
    assert account.requirements_due == ["external_account"]
    assert account.disabled_reason == "requirements.past_due"
    assert GatewayObject.objects.get(kind=TRANSFER).status == PENDING

    active = {
        **restricted,
        "payouts_enabled": True,
        "capabilities": {"transfers": "active"},
        "requirements": {"currently_due": [], "disabled_reason": None},
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(event("evt_a", "account.updated", active, 2000))
    transfer = GatewayObject.objects.get(kind=TRANSFER)
    assert transfer.status == GatewayObject.Status.SUCCEEDED
    assert transfer.external_id.startswith("tr_")
    assert provider(contract) == Money(19_000_00)
    # The older "restricted" event replayed late changes nothing.
    post(event("evt_r2", "account.updated", restricted, 1500))
    account.refresh_from_db()
    assert account.transfers_active is True
    kinds = list(
        Notification.objects.filter(recipient=provider_user(contract)).values_list(
            "kind", flat=True
        )
    )
    assert "payout_account_restricted" in kinds
    assert "payout_account_active" in kinds


# --- The payouts page and the API ---------------------------------------------------------------


def test_the_payouts_page_shows_status_missing_and_the_pending_payout(contract: Contract) -> None:
    released_without_payouts(contract)
    client = english(provider_user(contract))
    page = html(client.get("/me/payouts/"))
    assert "Not set up" in page
    assert "Set up payouts" in page
    assert "Pending payout: CN¥19,000.00" in page
    assert "Sandbox, no real money" in page
    response = client.post(f"/me/payouts/{contract.provider_id}/setup/")
    assert response.status_code == 302
    assert response["Location"] == f"/me/payouts/{contract.provider_id}/sandbox/"
    page = html(client.get("/me/payouts/"))
    assert "Continue setup" in page
    assert "A bank account for payouts" in page
    zh = html(signed_in(provider_user(contract), language="zh-hans").get("/me/payouts/"))
    assert "收款" in zh


def test_the_earnings_page_says_what_waits_for_the_payout_account(contract: Contract) -> None:
    released_without_payouts(contract)
    page = html(english(provider_user(contract)).get("/me/earnings/"))
    assert "Pending payout: CN¥19,000.00" in page
    assert "/me/payouts/" in page


def test_the_sandbox_form_activates_payouts_and_refuses_an_empty_name(contract: Contract) -> None:
    client = english(provider_user(contract))
    url = f"/me/payouts/{contract.provider_id}/sandbox/"
    page = html(client.get(url))
    assert "Sandbox, no real money" in page
    refused = client.post(url, {"holder_name": ""})
    assert refused.status_code == 200
    assert not ConnectedAccount.objects.filter(transfers_active=True).exists()
    done = client.post(url, {"holder_name": "王芳"})
    assert done.status_code == 302
    assert ConnectedAccount.objects.get(provider=contract.provider).transfers_active
    assert "Payouts active" in html(client.get("/me/payouts/"))


def test_another_user_gets_404_on_someone_elses_payout_pages(contract: Contract) -> None:
    other = english(poster_owner(contract))
    assert other.get(f"/me/payouts/{contract.provider_id}/sandbox/").status_code == 404
    assert other.post(f"/me/payouts/{contract.provider_id}/setup/").status_code == 404
    assert (
        other.post(f"/me/payouts/{contract.provider_id}/sandbox/", {"holder_name": "x"}).status_code
        == 404
    )
    assert not ConnectedAccount.objects.exists()


def test_the_api_reads_the_account_creates_the_link_and_activates_the_sandbox(
    contract: Contract,
) -> None:
    released_without_payouts(contract)
    api = client_for(provider_user(contract))
    base = f"/api/v1/providers/{contract.provider_id}/payout-account/"
    body = api.get(base).json()
    assert body["state"] == "none"
    assert body["pending_total"] == 19_000_00
    link = api.post(f"{base}link/", {}, format="json")
    assert link.status_code == 201
    assert link.json()["url"] == f"/me/payouts/{contract.provider_id}/sandbox/"
    assert api.get(base).json()["state"] == "incomplete"
    assert_error(api.post(f"{base}sandbox-activate/", {"holder_name": ""}, format="json"), 400)
    activated = api.post(f"{base}sandbox-activate/", {"holder_name": "王芳"}, format="json")
    assert activated.status_code == 200
    assert activated.json()["state"] == "active"
    assert_error(api.post(f"{base}link/", {}, format="json"), 409, code="already_active")


def test_the_api_hides_another_providers_account(contract: Contract) -> None:
    api = client_for(poster_owner(contract))
    base = f"/api/v1/providers/{contract.provider_id}/payout-account/"
    assert_error(api.get(base), 404)
    assert_error(api.post(f"{base}link/", {}, format="json"), 404)
    assert_error(api.post(f"{base}sandbox-activate/", {"holder_name": "x"}, format="json"), 404)
    assert not ConnectedAccount.objects.exists()


def test_the_payout_operations_are_in_the_schema() -> None:
    paths = client_for(None).get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/providers/{provider_id}/payout-account/" in paths
    assert "/api/v1/providers/{provider_id}/payout-account/link/" in paths
    assert "/api/v1/providers/{provider_id}/payout-account/sandbox-activate/" in paths
    assert "/api/v1/contracts/{contract_id}/funding/" in paths
