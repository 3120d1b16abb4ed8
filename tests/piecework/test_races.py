"""Races on one piece-work task, with real PostgreSQL connections in several threads."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from accounts.models import Membership
from contracts.models import Contract
from marketplace.errors import Conflict, InvalidTransition
from payments.selectors import task_pool_state
from piecework.models import Claim, UnitDelivery
from piecework.services import piecework_claim, unit_accept, unit_auto_accept
from tests.accounts.factories import UserFactory, make_org_member
from tests.contests.test_races import race
from tests.piecework.setup import (
    assert_money_invariant,
    claim_and_deliver,
    open_piecework,
    owner_of,
    worker,
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(2))
def test_units_claimed_by_many_providers_at_once_never_exceed_the_total(rounds: int):
    terms = open_piecework(units_total=8, per_provider_cap=4)
    workers = [worker() for _n in range(7)]
    outcomes = race(
        *[lambda user=user: piecework_claim(actor=user, terms=terms, units=2) for user in workers]
    )
    claims = [o for o in outcomes if isinstance(o, Claim)]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(claims) == 4, outcomes
    assert len(errors) == 3, outcomes
    assert all(isinstance(e, Conflict) and e.code == "units_left" for e in errors), outcomes
    assert Claim.objects.filter(terms=terms).aggregate(n=Sum("units"))["n"] == 8


@pytest.mark.django_db(transaction=True)
def test_one_provider_claiming_twice_at_once_stays_within_the_cap():
    terms = open_piecework(units_total=10, per_provider_cap=3)
    user = worker()
    outcomes = race(
        lambda: piecework_claim(actor=user, terms=terms, units=2),
        lambda: piecework_claim(actor=user, terms=terms, units=2),
    )
    assert sum(isinstance(o, Claim) for o in outcomes) == 1, outcomes
    assert Claim.objects.get(terms=terms).units == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(2))
def test_two_accepts_of_one_unit_at_once_pay_once(rounds: int):
    terms = open_piecework()
    (delivery,) = claim_and_deliver(terms, worker(), 1)
    owner = owner_of(terms)
    admin = UserFactory()
    make_org_member(admin, terms.task.organization, Membership.Role.ADMIN)
    outcomes = race(
        lambda: unit_accept(actor=owner, delivery=delivery),
        lambda: unit_accept(actor=admin, delivery=delivery),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], InvalidTransition), outcomes
    assert errors[0].code == "already_decided"
    assert Contract.objects.filter(task=terms.task).count() == 1
    assert task_pool_state(task_id=terms.task_id).allocated.amount == terms.unit_price
    assert_money_invariant(terms)


@pytest.mark.django_db(transaction=True)
def test_an_accept_racing_the_silence_job_pays_once():
    terms = open_piecework()
    (delivery,) = claim_and_deliver(terms, worker(), 1)
    owner = owner_of(terms)
    outcomes = race(
        lambda: unit_accept(actor=owner, delivery=delivery),
        lambda: unit_auto_accept(delivery_id=delivery.pk, now=delivery.review_due_at),
    )
    assert not any(isinstance(o, Exception) and not isinstance(o, InvalidTransition)
                   for o in outcomes), outcomes  # fmt: skip
    delivery.refresh_from_db()
    assert delivery.status == UnitDelivery.Status.ACCEPTED
    assert Contract.objects.filter(task=terms.task).count() == 1
    assert task_pool_state(task_id=terms.task_id).allocated.amount == terms.unit_price
