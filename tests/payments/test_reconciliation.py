"""Reconciliation: each contract's ledger against the gateway's objects of its transfer group."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.db import connection

from accounts.models import Notification
from contracts.models import Contract
from contracts.services import milestone_accept
from payments.models import GatewayObject
from payments.models import ReconciliationMismatch as Mismatch
from payments.reconciliation import contract_reconcile, reconcile_all
from payments.services import escrow_fund, milestone_refund, milestone_release
from payments.tasks import reconcile_payments
from tests.accounts.factories import UserFactory
from tests.frontend.contracts_setup import awarded_contract, deliver, milestone, poster_owner
from tests.payments.helpers import payouts_active
from tests.payments.test_stripe_api import stripe_mock  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
Code = Mismatch.Code


def busy_contract() -> Contract:
    """Funded, one milestone released (transfer), the other refunded."""
    contract = awarded_contract()
    payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    deliver(contract, 1)
    milestone_accept(actor=poster_owner(contract), milestone=milestone(contract, 1))
    milestone_release(milestone_id=milestone(contract, 1).pk)
    milestone_refund(actor=poster_owner(contract), milestone=milestone(contract, 2))
    return contract


@pytest.fixture
def finance_user() -> Any:
    user = UserFactory(is_staff=True)
    group, _created = Group.objects.get_or_create(name="Finance")
    group.permissions.add(
        Permission.objects.get(codename="handle_finance", content_type__app_label="payments")
    )
    user.groups.add(group)
    return user


def test_a_sound_sandbox_contract_reconciles_clean() -> None:
    contract = busy_contract()
    assert contract_reconcile(contract_id=contract.pk) == []
    assert not Mismatch.objects.exists()


def test_a_corrupted_record_is_found_stored_once_and_told_to_finance(
    finance_user: Any, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    contract = busy_contract()
    transfer = GatewayObject.objects.get(kind=GatewayObject.Kind.TRANSFER)
    # Deliberately corrupt our record of the transfer: the ledger posted 19,000 yuan.
    GatewayObject.objects.filter(pk=transfer.pk).update(amount=18_999_00)
    with django_capture_on_commit_callbacks(execute=True):
        found = contract_reconcile(contract_id=contract.pk)
    assert [(m.code, m.subject) for m in found] == [
        (Code.LEDGER_DIFFERS, f"{transfer.idempotency_key}:transfer")
    ]
    assert (found[0].expected, found[0].actual) == (18_999_00, 19_000_00)
    assert (
        Notification.objects.filter(recipient=finance_user, kind="reconciliation_mismatch").count()
        == 1
    )
    # A second run keeps the one open mismatch and tells no one again.
    with django_capture_on_commit_callbacks(execute=True):
        contract_reconcile(contract_id=contract.pk)
    assert Mismatch.objects.count() == 1
    assert Notification.objects.filter(kind="reconciliation_mismatch").count() == 1
    # Put right, the next run closes it.
    GatewayObject.objects.filter(pk=transfer.pk).update(amount=19_000_00)
    assert contract_reconcile(contract_id=contract.pk) == []
    assert Mismatch.objects.get().status == Mismatch.Status.RESOLVED


def test_a_payment_the_ledger_never_recorded_is_found() -> None:
    contract = awarded_contract()
    GatewayObject.objects.create(
        gateway="sandbox",
        kind=GatewayObject.Kind.PAYMENT_INTENT,
        idempotency_key=f"contract:{contract.pk}:fund:9",
        external_id="sbx_pi_lost",
        contract=contract,
        amount=1_00,
        currency="CNY",
        status=GatewayObject.Status.SUCCEEDED,
    )
    found = contract_reconcile(contract_id=contract.pk)
    assert [m.code for m in found] == [Code.LEDGER_MISSING]


@pytest.mark.usefixtures("stripe_mock")
def test_against_stripe_mock_every_object_of_the_transfer_group_is_compared() -> None:
    """stripe-mock answers every list with its fixtures, which are not ours: the job must call
    the real endpoints (validated against Stripe's spec) and report both directions."""
    contract = awarded_contract()
    payment = escrow_fund(actor=poster_owner(contract), contract=contract)
    from payments.services import payment_succeeded

    payment_succeeded(payment=payment, charge_id="ch_1")
    found = contract_reconcile(contract_id=contract.pk)
    codes = {m.code for m in found}
    assert Code.MISSING_AT_PROCESSOR in codes  # our payment intent is not in the fixtures
    assert Code.UNKNOWN_AT_PROCESSOR in codes  # the fixtures' objects are not ours
    subjects = {m.subject for m in found}
    assert payment.external_id in subjects
    assert any(s.startswith("tr_") for s in subjects)
    assert any(s.startswith("re_") for s in subjects)


def test_the_beat_job_reconciles_every_contract_with_payments() -> None:
    assert (
        django_settings.CELERY_BEAT_SCHEDULE["reconcile-payments"]["task"]
        == "payments.tasks.reconcile_payments"
    )
    first = busy_contract()
    second = busy_contract()
    GatewayObject.objects.filter(contract=second, kind=GatewayObject.Kind.REFUND).update(amount=1)
    counts = reconcile_payments.apply().get()
    assert counts == {"contracts": 2, "open": 1, "failed": 0}
    assert list(Mismatch.objects.values_list("contract_id", flat=True)) == [second.pk]
    assert reconcile_all()["open"] == 1
    assert first.pk not in set(Mismatch.objects.values_list("contract_id", flat=True))


def test_finance_sees_open_mismatches_in_the_admin_and_resolves_them(finance_user: Any) -> None:
    from django.test import Client

    contract = busy_contract()
    GatewayObject.objects.filter(contract=contract, kind=GatewayObject.Kind.REFUND).update(amount=2)
    contract_reconcile(contract_id=contract.pk)
    old = Mismatch.objects.create(
        contract=contract, code=Code.AMOUNT_DIFFERS, subject="old", status="resolved"
    )
    for perm in ("view_reconciliationmismatch", "change_reconciliationmismatch"):
        finance_user.user_permissions.add(Permission.objects.get(codename=perm))
    client = Client()
    client.force_login(finance_user)
    page = client.get("/admin/payments/reconciliationmismatch/").content.decode()
    assert "ledger_differs" in page or "Ledger amount differs" in page
    assert f"/admin/payments/reconciliationmismatch/{old.pk}/change/" not in page
    everything = client.get("/admin/payments/reconciliationmismatch/?state=all").content.decode()
    assert f"/admin/payments/reconciliationmismatch/{old.pk}/change/" in everything
    open_one = Mismatch.objects.get(status="open")
    client.post(
        "/admin/payments/reconciliationmismatch/",
        {"action": "resolve", "_selected_action": [open_one.pk]},
    )
    open_one.refresh_from_db()
    assert open_one.status == Mismatch.Status.RESOLVED
    assert finance_user.email in open_one.resolution


def test_someone_without_finance_rights_cannot_see_the_list() -> None:
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/payments/reconciliationmismatch/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_store_one_mismatch() -> None:
    from tests.accounts.concurrency import run_concurrently

    assert connection.vendor == "postgresql"
    contract = busy_contract()
    GatewayObject.objects.filter(contract=contract, kind=GatewayObject.Kind.REFUND).update(amount=3)
    results = run_concurrently(*[lambda: contract_reconcile(contract_id=contract.pk)] * 4)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Mismatch.objects.filter(status="open").count() == 1
