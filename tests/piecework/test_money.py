"""The money of piece-work under random sequences of moves (hypothesis, on PostgreSQL):
fund units × price, claim, deliver, accept (paid at once from the pool), reject, silence
accepts, close (what is not paid returns). After every step the pool (the task's escrow)
equals funded − paid − returned, every accepted unit's contract holds exactly its price,
and no unit is paid twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from marketplace.errors import DomainError
from marketplace.money import Money
from payments.models import PoolMove
from payments.selectors import task_pool_state
from piecework.models import Terms, UnitDelivery
from piecework.services import (
    piecework_claim,
    piecework_close,
    piecework_create,
    piecework_deliver,
    piecework_fund_start,
    piecework_funding_arrived,
    piecework_submit,
    unit_accept,
    unit_auto_accept,
    unit_reject,
)
from tests.frontend.contracts_setup import pdf
from tests.payments.helpers import assert_ledger_sound, escrow
from tests.piecework.setup import owner_of, poster, terms, worker

D = UnitDelivery.Status


class PieceworkMoney(RuleBasedStateMachine):
    checks = 0
    moved: Counter[str] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[Terms] = []
        self.workers = [worker() for _n in range(3)]
        # What the test itself expects each task's pool to have seen, in fen.
        self.funded: Counter[int] = Counter()
        self.paid: Counter[int] = Counter()
        self.returned: Counter[int] = Counter()

    def _open(self, data: Any) -> Terms | None:
        open_ = [t for t in self.tasks if t.status == Terms.Status.OPEN]
        return data.draw(st.sampled_from(open_)) if open_ else None

    def _pending(self, data: Any) -> UnitDelivery | None:
        pending = list(
            UnitDelivery.objects.filter(
                claim__terms__in=[t.pk for t in self.tasks], status=D.PENDING
            ).order_by("pk")
        )
        return data.draw(st.sampled_from(pending)) if pending else None

    @precondition(lambda self: len(self.tasks) < 3)
    @rule(price=st.integers(1_000, 50_000), total=st.integers(1, 6), cap=st.integers(1, 6))
    def post_and_fund(self, price: int, total: int, cap: int) -> None:
        organization, owner = poster()
        fields = terms(unit_price=price, units_total=total, per_provider_cap=min(cap, total))
        task = piecework_create(actor=owner, organization=organization, **fields)
        piecework_submit(actor=owner, terms=task)
        piecework_fund_start(actor=owner, terms=task)
        piecework_funding_arrived(task_id=task.task_id)  # pool_funded, after commit
        task.refresh_from_db()
        assert task.status == Terms.Status.OPEN
        self.tasks.append(task)
        self.funded[task.pk] += price * total
        PieceworkMoney.moved["fund"] += 1

    @rule(data=st.data(), units=st.integers(1, 4))
    def claim(self, data: Any, units: int) -> None:
        task = self._open(data)
        if task is None:
            return
        try:
            piecework_claim(actor=data.draw(st.sampled_from(self.workers)), terms=task, units=units)
        except DomainError:
            PieceworkMoney.moved["claim_refused"] += 1
        else:
            PieceworkMoney.moved["claim"] += 1

    @rule(data=st.data())
    def deliver(self, data: Any) -> None:
        task = self._open(data)
        if task is None:
            return
        claims = list(task.claims.select_related("provider__user").order_by("pk"))
        if not claims:
            return
        try:
            piecework_deliver(
                actor=data.draw(st.sampled_from(claims)).provider.user,
                terms=task,
                note="一套标注。",
                files=[pdf()],
            )
        except DomainError:
            return
        PieceworkMoney.moved["deliver"] += 1

    @rule(data=st.data())
    def claim_one_and_deliver_it(self, data: Any) -> None:
        task = self._open(data)
        if task is None:
            return
        user = data.draw(st.sampled_from(self.workers))
        try:
            piecework_claim(actor=user, terms=task, units=1)
        except DomainError:
            return
        piecework_deliver(actor=user, terms=task, note="一套标注。", files=[pdf()])
        PieceworkMoney.moved["deliver"] += 1

    @rule(data=st.data(), times=st.integers(1, 2))
    def accept(self, data: Any, times: int) -> None:
        delivery = self._pending(data)
        if delivery is None:
            return
        task = Terms.objects.get(pk=delivery.claim.terms_id)
        for attempt in range(times):
            try:
                unit_accept(actor=owner_of(task), delivery=delivery)
            except DomainError:
                assert attempt > 0, "the first accept of a pending unit was refused"
                PieceworkMoney.moved["accept_twice_refused"] += 1
            else:
                self.paid[task.pk] += task.unit_price
                PieceworkMoney.moved["accept"] += 1

    @rule(data=st.data())
    def reject(self, data: Any) -> None:
        delivery = self._pending(data)
        if delivery is None:
            return
        task = Terms.objects.get(pk=delivery.claim.terms_id)
        unit_reject(actor=owner_of(task), delivery=delivery, reason="不符合验收标准。")
        PieceworkMoney.moved["reject"] += 1

    @rule(data=st.data())
    def silence(self, data: Any) -> None:
        delivery = self._pending(data)
        if delivery is None:
            return
        for _twice in range(2):  # the job runs twice: pays once
            if unit_auto_accept(delivery_id=delivery.pk, now=delivery.review_due_at):
                task = Terms.objects.get(pk=delivery.claim.terms_id)
                self.paid[task.pk] += task.unit_price
                PieceworkMoney.moved["silence"] += 1

    @rule(data=st.data())
    def close(self, data: Any) -> None:
        task = self._open(data)
        if task is None:
            return
        before = task_pool_state(task_id=task.task_id).held.amount
        try:
            piecework_close(terms=task, actor=owner_of(task))
        except DomainError:
            PieceworkMoney.moved["close_refused"] += 1
            return
        task.refresh_from_db()
        self.returned[task.pk] += before
        PieceworkMoney.moved["close"] += 1

    @invariant()
    def escrow_is_funded_less_paid_less_returned(self) -> None:
        PieceworkMoney.checks += 1
        assert_ledger_sound()
        for task in self.tasks:
            state = task_pool_state(task_id=task.task_id)
            expected = self.funded[task.pk] - self.paid[task.pk] - self.returned[task.pk]
            assert state.held == Money(expected)
            assert state.funded.amount == self.funded[task.pk]
            assert state.allocated.amount == self.paid[task.pk]
            assert state.returned.amount + state.fee.amount == self.returned[task.pk]
            accepted = UnitDelivery.objects.filter(claim__terms=task, status=D.ACCEPTED)
            assert accepted.count() * task.unit_price == self.paid[task.pk]
            allocations = PoolMove.objects.filter(pool__task=task.task, kind="allocate")
            assert allocations.count() == accepted.count(), "a unit was paid twice"
            for delivery in accepted.select_related("contract"):
                assert delivery.contract is not None
                assert escrow(delivery.contract) == Money(task.unit_price)
            held = sum(c.units for c in task.claims.all())
            assert held <= task.units_total


MOVES = ("fund", "claim", "deliver", "accept", "reject", "silence", "close")


@pytest.mark.django_db
def test_piecework_money_keeps_escrow_equal_to_funded_less_paid_less_returned() -> None:
    assert connection.vendor == "postgresql"
    PieceworkMoney.TestCase.settings = settings(
        max_examples=25,
        derandomize=True,
        stateful_step_count=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    PieceworkMoney.checks = 0
    PieceworkMoney.moved.clear()
    PieceworkMoney.TestCase().runTest()
    assert PieceworkMoney.checks >= 100, PieceworkMoney.checks
    assert min(PieceworkMoney.moved[move] for move in MOVES) > 0, (
        PieceworkMoney.moved,
        PieceworkMoney.checks,
    )
