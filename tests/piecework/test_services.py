"""Piece-work services: posting, funding, claiming, delivering, deciding, silence, closing,
and the money after every step."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from contracts.models import Contract, Milestone
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from payments.selectors import task_pool_state
from piecework.models import Claim, Terms, UnitDelivery
from piecework.services import (
    piecework_advance_due,
    piecework_claim,
    piecework_close,
    piecework_deliver,
    unit_accept,
    unit_auto_accept,
    unit_reject,
)
from reputation.selectors import provider_stats_many
from tasks.models import Task
from tests.frontend.contracts_setup import pdf
from tests.piecework.setup import (
    DAY,
    assert_money_invariant,
    claim_and_deliver,
    draft_piecework,
    open_piecework,
    owner_of,
    worker,
)

pytestmark = pytest.mark.django_db(transaction=False)


def test_funding_units_times_price_opens_the_task():
    terms = open_piecework()
    assert terms.status == Terms.Status.OPEN
    assert terms.task.status == Task.Status.OPEN
    assert terms.task.mode == Task.Mode.PIECEWORK
    assert task_pool_state(task_id=terms.task_id).held.amount == 10 * 200_00
    assert_money_invariant(terms)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"unit_price": 0}, "unit_price"),
        ({"unit_price": 1, "units_total": 5, "per_provider_cap": 1}, "unit_price"),
        ({"per_provider_cap": 11}, "per_provider_cap"),
        ({"units_total": 0}, "units_total"),
        ({"review_days": 0}, "review_days"),
        ({"unit_name": ""}, "unit_name"),
        ({"closes_at": None}, "closes_at"),
    ],
)
def test_bad_terms_are_refused_and_write_nothing(over, field):
    before = (Terms.objects.count(), Task.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        draft_piecework(**over)
    assert field in caught.value.fields
    assert (Terms.objects.count(), Task.objects.count()) == before


def test_claim_beyond_the_cap_is_refused_and_writes_nothing():
    terms = open_piecework()
    user = worker()
    piecework_claim(actor=user, terms=terms, units=3)
    with translation.override("en"), pytest.raises(Conflict) as caught:
        piecework_claim(actor=user, terms=terms, units=2)
    assert caught.value.code == "over_cap"
    assert "at most 4" in str(caught.value.message)
    assert Claim.objects.get(terms=terms).units == 3


def test_claim_beyond_the_units_left_is_refused():
    terms = open_piecework(units_total=5, per_provider_cap=4)
    piecework_claim(actor=worker(), terms=terms, units=4)
    with pytest.raises(Conflict) as caught:
        piecework_claim(actor=worker(), terms=terms, units=2)
    assert caught.value.code == "units_left"
    assert Claim.objects.filter(terms=terms).count() == 1


def test_poster_cannot_claim_own_units():
    terms = open_piecework()
    with pytest.raises(NotAllowed):
        piecework_claim(actor=owner_of(terms), terms=terms, units=1)
    assert not Claim.objects.exists()


def test_claim_of_a_draft_is_refused():
    terms = draft_piecework()
    with pytest.raises(NotAllowed):
        piecework_claim(actor=worker(), terms=terms, units=1)


def test_delivery_by_a_non_claimer_is_refused_and_writes_nothing():
    terms = open_piecework()
    piecework_claim(actor=worker(), terms=terms, units=1)
    with pytest.raises(NotAllowed) as caught:
        piecework_deliver(actor=worker(), terms=terms, note="我的交付", files=[pdf()])
    assert caught.value.code == "not_claimer"
    assert not UnitDelivery.objects.exists()


def test_delivering_more_than_claimed_is_refused():
    terms = open_piecework()
    user = worker()
    claim_and_deliver(terms, user, 1)
    with pytest.raises(Conflict):
        piecework_deliver(actor=user, terms=terms, note="多交一套", files=[pdf()])
    assert UnitDelivery.objects.count() == 1


def test_accepted_unit_is_paid_at_once_from_the_pool(
    celery_eager, django_capture_on_commit_callbacks
):
    terms = open_piecework()
    user = worker()
    (delivery,) = claim_and_deliver(terms, user, 1)
    with django_capture_on_commit_callbacks(execute=True):
        unit_accept(actor=owner_of(terms), delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == UnitDelivery.Status.ACCEPTED
    assert delivery.decided_by == owner_of(terms)
    contract = delivery.contract
    assert contract.mode == Contract.Mode.PIECEWORK
    assert contract.amount == 200_00
    assert contract.milestones.get().status == Milestone.Status.RELEASED
    state = task_pool_state(task_id=terms.task_id)
    assert state.allocated.amount == 200_00
    assert state.held.amount == 9 * 200_00
    assert_money_invariant(terms)
    terms.task.refresh_from_db()
    assert terms.task.status == Task.Status.OPEN  # one unit is not the task done
    stats = provider_stats_many(profiles=[delivery.claim.provider])[delivery.claim.provider_id]
    assert stats.units_accepted == 1


def test_decision_by_a_non_poster_is_refused_and_writes_nothing():
    terms = open_piecework()
    user = worker()
    (delivery,) = claim_and_deliver(terms, user, 1)
    for actor in (user, worker()):
        with pytest.raises(NotAllowed):
            unit_accept(actor=actor, delivery=delivery)
        with pytest.raises(NotAllowed):
            unit_reject(actor=actor, delivery=delivery, reason="不合格的标注")
    delivery.refresh_from_db()
    assert delivery.status == UnitDelivery.Status.PENDING
    assert task_pool_state(task_id=terms.task_id).allocated.amount == 0


def test_rejection_needs_a_reason_and_frees_the_unit():
    terms = open_piecework(units_total=2, per_provider_cap=1)
    user = worker()
    (delivery,) = claim_and_deliver(terms, user, 1)
    with pytest.raises(ValidationFailed):
        unit_reject(actor=owner_of(terms), delivery=delivery, reason=" ")
    unit_reject(actor=owner_of(terms), delivery=delivery, reason="框选遗漏了凹坑。")
    delivery.refresh_from_db()
    assert delivery.status == UnitDelivery.Status.REJECTED
    assert delivery.reason == "框选遗漏了凹坑。"
    assert Claim.objects.get(terms=terms).units == 0
    # The unit is claimable again, by the same provider within the cap.
    piecework_claim(actor=user, terms=terms, units=1)
    with pytest.raises(InvalidTransition):
        unit_accept(actor=owner_of(terms), delivery=delivery)
    assert_money_invariant(terms)


def test_silence_accepts_after_the_review_window(django_capture_on_commit_callbacks):
    terms = open_piecework(review_days=2)
    (delivery,) = claim_and_deliver(terms, worker(), 1)
    assert unit_auto_accept(delivery_id=delivery.pk, now=timezone.now() + DAY) is None
    later = delivery.review_due_at
    with django_capture_on_commit_callbacks(execute=True):
        assert piecework_advance_due(now=later) == 1
        assert piecework_advance_due(now=later) == 0  # twice: nothing more
    delivery.refresh_from_db()
    assert delivery.status == UnitDelivery.Status.ACCEPTED
    assert delivery.silence_accepted
    assert delivery.decided_by is None
    assert task_pool_state(task_id=terms.task_id).allocated.amount == 200_00


def test_closing_returns_unclaimed_and_rejected_units(django_capture_on_commit_callbacks):
    terms = open_piecework(units_total=5, per_provider_cap=3)
    owner = owner_of(terms)
    a, b = claim_and_deliver(terms, worker(), 2)
    with django_capture_on_commit_callbacks(execute=True):
        unit_accept(actor=owner, delivery=a)
    assert_money_invariant(terms)
    unit_reject(actor=owner, delivery=b, reason="格式不是 COCO。")
    assert_money_invariant(terms)
    with django_capture_on_commit_callbacks(execute=True):
        piecework_close(terms=terms, actor=owner)
    terms.refresh_from_db()
    terms.task.refresh_from_db()
    state = task_pool_state(task_id=terms.task_id)
    assert terms.status == Terms.Status.CLOSED
    assert state.held.amount == 0
    assert state.returned.amount == 4 * 200_00
    assert terms.task.status == Task.Status.COMPLETED
    assert_money_invariant(terms)
    piecework_close(terms=terms, now=terms.closes_at)  # the job, late: nothing happens
    assert task_pool_state(task_id=terms.task_id).returned.amount == 4 * 200_00


def test_close_waits_for_pending_reviews_and_expires_an_unpaid_task():
    terms = open_piecework()
    (delivery,) = claim_and_deliver(terms, worker(), 1)
    with pytest.raises(InvalidTransition) as caught:
        piecework_close(terms=terms, actor=owner_of(terms))
    assert caught.value.code == "pending_review"
    assert piecework_close(terms=terms, now=terms.closes_at) is None
    unit_reject(actor=owner_of(terms), delivery=delivery, reason="全部不合格。")
    assert piecework_close(terms=terms, now=terms.closes_at) is not None
    terms.task.refresh_from_db()
    assert terms.task.status == Task.Status.EXPIRED
    assert task_pool_state(task_id=terms.task_id).returned.amount == 10 * 200_00


def test_deliveries_after_the_deadline_are_refused():
    terms = open_piecework()
    user = worker()
    piecework_claim(actor=user, terms=terms, units=1)
    with pytest.raises(InvalidTransition):
        piecework_deliver(actor=user, terms=terms, note="迟交", files=[pdf()], now=terms.closes_at)
