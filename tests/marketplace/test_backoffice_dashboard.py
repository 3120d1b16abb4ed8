"""The back-office dashboard shows each staff member the cards of their own role's work."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from payments.apps import FINANCE_GROUP
from payments.models import ReconciliationMismatch
from tests.factories import UserFactory
from tests.frontend.contracts_setup import awarded_contract

pytestmark = pytest.mark.django_db


def _staff(*groups: str) -> Any:
    user = UserFactory(is_staff=True)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def test_finance_sees_its_queues_with_counts(client):
    ReconciliationMismatch.objects.create(
        contract=awarded_contract(),
        subject="pi_1",
        code=ReconciliationMismatch.Code.STATUS_DIFFERS,
        detail="status differs",
    )
    client.force_login(_staff(FINANCE_GROUP))
    response = client.get("/admin/")
    assert response.status_code == 200
    cards = {card.url: card for card in response.context["dashboard_cards"]}
    mismatches = cards["/admin/payments/reconciliationmismatch/"]
    assert (mismatches.value, mismatches.tone) == (1, "attention")
    assert mismatches.oldest is not None
    assert cards["/admin/payments/carddispute/"].value == 0
    assert 'href="/admin/payments/reconciliationmismatch/"' in response.content.decode()


def test_staff_without_a_role_sees_no_finance_cards(client):
    client.force_login(_staff())
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.context["dashboard_cards"] == []


def test_non_staff_never_reach_the_back_office(client):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
