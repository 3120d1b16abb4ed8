"""One active-user check for every app: signed in, active and not suspended."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Organization
from accounts.services import organization_create
from bids.models import Bid
from bids.services import bid_withdraw
from marketplace.errors import NotAllowed
from marketplace.permissions import require_active_user, user_may_act
from tasks.models import Task
from tasks.services import task_cancel
from tests.accounts.factories import UserFactory
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


def deactivate(user: Any) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


def suspend(user: Any) -> None:
    user.suspended_at = timezone.now()
    user.save(update_fields=["suspended_at"])


def organization_create_by(make_unable: Callable[[Any], None]):
    """accounts: a would-be owner creates an organization. Returns whether nothing changed."""
    user = UserFactory()
    make_unable(user)

    def act() -> None:
        organization_create(actor=user, name="Acme", kind=Organization.Kind.ENTERPRISE)

    return act, lambda: not Organization.objects.filter(name="Acme").exists()


def task_cancel_by(make_unable: Callable[[Any], None]):
    """tasks: the poster's owner cancels an open task."""
    task = TaskFactory()
    owner = task_owner(task)
    make_unable(owner)

    def act() -> None:
        task_cancel(actor=owner, task=task, reason="No longer needed")

    return act, lambda: Task.objects.get(pk=task.pk).status == Task.Status.OPEN


def bid_withdraw_by(make_unable: Callable[[Any], None]):
    """bids: the bidder withdraws a live bid."""
    bid = BidFactory()
    bidder = bid_operator(bid)
    make_unable(bidder)

    def act() -> None:
        bid_withdraw(actor=bidder, bid=bid)

    return act, lambda: Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


@pytest.mark.parametrize("setup", [organization_create_by, task_cancel_by, bid_withdraw_by])
@pytest.mark.parametrize("make_unable", [deactivate, suspend])
def test_an_inactive_or_suspended_user_is_refused_by_every_app_and_nothing_changes(
    setup, make_unable
) -> None:
    act, unchanged = setup(make_unable)
    with pytest.raises(NotAllowed) as excinfo:
        act()
    assert excinfo.value.code == "suspended"
    assert unchanged()


def test_an_anonymous_user_is_asked_to_sign_in() -> None:
    with pytest.raises(NotAllowed) as excinfo:
        require_active_user(AnonymousUser())
    assert excinfo.value.code == "not_authenticated"


def test_an_active_user_who_is_not_suspended_may_act() -> None:
    user = UserFactory()
    require_active_user(user)
    assert user_may_act(user)
    assert not user_may_act(AnonymousUser())
