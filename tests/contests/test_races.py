"""Races on one contest, with real PostgreSQL connections in two threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections

from accounts.models import Membership
from contests.models import Contest, Objection, Winner
from contests.services import contest_pay, contest_winners_confirm, objection_file
from contracts.models import Contract
from marketplace.errors import DomainError, InvalidTransition
from payments.selectors import task_pool_state
from tests.accounts.factories import UserFactory, make_org_member
from tests.contests.setup import HOUR, owner_of, reviewed_contest

S = Contest.Status


def race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = calls[index]()
        except Exception as exc:  # collected and asserted by the caller
            outcomes[index] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_give_one_result():
    contest, subs, _solvers = reviewed_contest()
    owner = owner_of(contest)
    admin = UserFactory()
    make_org_member(admin, contest.task.organization, Membership.Role.ADMIN)
    outcomes = race(
        lambda: contest_winners_confirm(
            actor=owner, contest=contest, submission_ids=[subs[0].pk, subs[1].pk]
        ),
        lambda: contest_winners_confirm(
            actor=admin,
            contest=contest,
            submission_ids=[subs[1].pk, subs[0].pk],
            reason="第二名更适合量产。",
        ),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    results = [o for o in outcomes if isinstance(o, list)]
    assert len(results) == 1, outcomes
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], InvalidTransition), outcomes
    winners = list(Winner.objects.filter(contest=contest).order_by("rank"))
    assert [w.submission_id for w in winners] == [w.submission_id for w in results[0]]
    contest.refresh_from_db()
    assert contest.status == S.PUBLICITY


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_an_objection_racing_the_payout_never_gets_both(rounds: int):
    """The objection is filed in its window's last second while the announcement job runs:
    either the prizes are paid and the objection refused, or the objection is filed and no
    prize moves; never both."""
    contest, subs, solvers = reviewed_contest()
    contest_winners_confirm(actor=owner_of(contest), contest=contest, submission_ids=[subs[0].pk])
    contest.refresh_from_db()
    outcomes = race(
        lambda: objection_file(
            actor=solvers[2],
            contest=contest,
            reason="评审打分存在利益冲突，请复核。",
            now=contest.objection_closes - HOUR,
        ),
        lambda: contest_pay(contest_id=contest.pk, now=contest.announce_at),
    )
    objection, paid = outcomes
    contest.refresh_from_db()
    objections = Objection.objects.filter(contest=contest).count()
    contracts = Contract.objects.filter(task=contest.task).count()
    pool = task_pool_state(task_id=contest.task_id)
    if isinstance(objection, Objection):
        assert paid is None, outcomes
        assert contest.status == S.PUBLICITY
        assert contracts == 0
        assert pool.allocated.amount == 0
        assert pool.frozen
        assert objections == 1
    else:
        assert isinstance(objection, DomainError), outcomes
        assert isinstance(paid, Contest), outcomes
        assert contest.status == S.PAID
        assert contracts == 1
        assert pool.allocated.amount == 60_000_00
        assert objections == 0
