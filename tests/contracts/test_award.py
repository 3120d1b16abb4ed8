"""Awarding: exactly one bid wins, atomically, and everyone is told."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections

from accounts.models import Membership, Notification
from bids.models import Bid
from contracts.models import Contract, Milestone
from contracts.services import contract_award
from marketplace.audit import audit_trail
from marketplace.errors import Conflict, InvalidTransition, NotAllowed
from tasks.models import Task
from tests.accounts.factories import UserFactory, make_org_member
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


def test_award_creates_contract_from_the_bids_terms(django_capture_on_commit_callbacks):
    task = TaskFactory()
    bid = BidFactory(task=task, amount=70_000_00, duration_days=45,
                     milestones=[("设计", 30_000_00, 15), ("交付", 40_000_00, 45)])  # fmt: skip
    with django_capture_on_commit_callbacks():
        contract = contract_award(actor=task_owner(task), bid=bid)

    assert contract.amount == 70_000_00
    assert contract.provider_id == bid.provider_id
    assert contract.status == Contract.Status.AWAITING_FUNDING
    milestones = list(contract.milestones.order_by("position"))
    assert [(m.title, m.amount, m.due_days) for m in milestones] == [
        ("设计", 30_000_00, 15),
        ("交付", 40_000_00, 45),
    ]
    assert all(m.status == Milestone.Status.AWAITING_FUNDING for m in milestones)
    task.refresh_from_db()
    bid.refresh_from_db()
    assert task.status == Task.Status.AWARDED
    assert bid.status == Bid.Status.AWARDED
    assert audit_trail(bid).filter(action="bid.award").exists()


def test_award_declines_every_other_live_bid_and_tells_each_bidder(
    celery_eager, django_capture_on_commit_callbacks
):
    task = TaskFactory()
    winner, loser_a, loser_b = BidFactory(task=task), BidFactory(task=task), BidFactory(task=task)
    withdrawn = BidFactory(task=task, status=Bid.Status.WITHDRAWN)

    with django_capture_on_commit_callbacks(execute=True):
        contract_award(actor=task_owner(task), bid=winner)

    statuses = dict(Bid.objects.filter(task=task).values_list("id", "status"))
    assert statuses == {
        winner.pk: Bid.Status.AWARDED,
        loser_a.pk: Bid.Status.REJECTED,
        loser_b.pk: Bid.Status.REJECTED,
        withdrawn.pk: Bid.Status.WITHDRAWN,
    }
    assert (
        Notification.objects.filter(recipient=bid_operator(winner), kind="bid_awarded").count() == 1
    )
    for loser in (loser_a, loser_b):
        assert (
            Notification.objects.filter(recipient=bid_operator(loser), kind="bid_rejected").count()
            == 1
        )
    assert not Notification.objects.filter(recipient=bid_operator(withdrawn)).exists()


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, None])
def test_only_owners_and_admins_of_the_poster_award(role):
    task = TaskFactory()
    bid = BidFactory(task=task)
    user = UserFactory()
    if role:
        make_org_member(user, task.organization, role)

    with pytest.raises(NotAllowed):
        contract_award(actor=user, bid=bid)

    assert not Contract.objects.exists()
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED


def test_an_admin_of_the_poster_may_award():
    task = TaskFactory()
    admin = UserFactory()
    make_org_member(admin, task.organization, Membership.Role.ADMIN)
    assert contract_award(actor=admin, bid=BidFactory(task=task)).task_id == task.pk


def test_second_award_of_same_task_is_refused():
    task = TaskFactory()
    first, second = BidFactory(task=task), BidFactory(task=task)
    contract_award(actor=task_owner(task), bid=first)

    with pytest.raises(Conflict) as excinfo:
        contract_award(actor=task_owner(task), bid=second)

    assert excinfo.value.code == "already_awarded"
    assert Contract.objects.filter(task=task).count() == 1


def test_a_withdrawn_bid_cannot_win():
    task = TaskFactory()
    bid = BidFactory(task=task, status=Bid.Status.WITHDRAWN)
    with pytest.raises(InvalidTransition):
        contract_award(actor=task_owner(task), bid=bid)
    assert not Contract.objects.exists()


def test_a_cancelled_task_cannot_be_awarded():
    task = TaskFactory(status=Task.Status.CANCELLED)
    bid = BidFactory(task=task)
    with pytest.raises(InvalidTransition):
        contract_award(actor=task_owner(task), bid=bid)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_awards_give_one_contract_and_one_clear_error():
    """Two owners click "award" on two different bids at the same moment (real PostgreSQL
    connections in two threads): one contract, the other gets Conflict."""
    task = TaskFactory()
    owner = task_owner(task)
    second_owner = UserFactory()
    make_org_member(second_owner, task.organization, Membership.Role.OWNER)
    bids = [BidFactory(task=task), BidFactory(task=task)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def award(index: int, actor) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = contract_award(actor=actor, bid=bids[index])
        except Exception as exc:  # collected and asserted below
            outcomes[index] = exc
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=award, args=(0, owner)),
        threading.Thread(target=award, args=(1, second_owner)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    contracts = [o for o in outcomes if isinstance(o, Contract)]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(contracts) == 1, outcomes
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict), outcomes
    assert Contract.objects.filter(task=task).count() == 1
    assert Bid.objects.filter(task=task, status=Bid.Status.AWARDED).count() == 1
    assert Bid.objects.filter(task=task, status=Bid.Status.REJECTED).count() == 1
