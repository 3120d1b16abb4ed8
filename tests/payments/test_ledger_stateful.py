"""A hypothesis state machine over the money flows, on PostgreSQL: after every step every
entry sums to zero, no escrow is negative, each escrow equals funded − released − refunded,
and nothing is released twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from contracts.models import Contract, Milestone
from contracts.services import milestone_accept
from marketplace.errors import DomainError
from marketplace.money import Money
from payments.models import JournalEntry
from payments.services import (
    escrow_fund,
    escrow_split_execute,
    milestone_refund,
    milestone_release,
)
from tests.frontend.contracts_setup import awarded_contract, deliver, poster_owner
from tests.payments.helpers import assert_ledger_sound, escrow

M = Milestone.Status


class MoneyFlows(RuleBasedStateMachine):
    checks = 0  # invariant checks over the whole run: one before and one after every step

    def __init__(self) -> None:
        super().__init__()
        self.contracts: list[Contract] = []
        # What the model expects, per contract id: funded, released (gross), refunded.
        self.funded: Counter[int] = Counter()
        self.released: Counter[int] = Counter()
        self.refunded: Counter[int] = Counter()

    def _milestone(self, data: Any, *statuses: str) -> Milestone | None:
        ids = [c.pk for c in self.contracts]
        candidates = list(
            Milestone.objects.filter(contract_id__in=ids, status__in=statuses).order_by("pk")
        )
        return data.draw(st.sampled_from(candidates)) if candidates else None

    @precondition(lambda self: len(self.contracts) < 3)
    @rule()
    def award(self) -> None:
        self.contracts.append(awarded_contract())

    @precondition(lambda self: self.contracts)
    @rule(data=st.data(), scope=st.sampled_from(["all", "next"]))
    def fund(self, data: Any, scope: str) -> None:
        contract = data.draw(st.sampled_from(self.contracts))
        before = {m.pk: m.status for m in contract.milestones.all()}
        try:
            escrow_fund(actor=poster_owner(contract), contract=contract, scope=scope)
        except DomainError:
            return
        for m in contract.milestones.all():
            if before[m.pk] == M.AWAITING_FUNDING and m.status == M.FUNDED:
                self.funded[contract.pk] += m.amount

    @precondition(lambda self: self.contracts)
    @rule(data=st.data())
    def deliver_and_accept(self, data: Any) -> None:
        m = self._milestone(data, M.FUNDED)
        if m is None:
            return
        deliver(m.contract, m.position)
        milestone_accept(actor=poster_owner(m.contract), milestone=m)

    @precondition(lambda self: self.contracts)
    @rule(data=st.data(), times=st.integers(1, 3))
    def release(self, data: Any, times: int) -> None:
        m = self._milestone(data, M.ACCEPTED, M.RELEASED)
        if m is None:
            return
        was_accepted = m.status == M.ACCEPTED
        for _ in range(times):
            milestone_release(milestone_id=m.pk)
        if was_accepted:
            self.released[m.contract_id] += m.amount

    @precondition(lambda self: self.contracts)
    @rule(data=st.data())
    def refund(self, data: Any) -> None:
        m = self._milestone(data, M.FUNDED)
        if m is None:
            return
        milestone_refund(actor=poster_owner(m.contract), milestone=m)
        self.refunded[m.contract_id] += m.amount

    @precondition(lambda self: self.contracts)
    @rule(data=st.data())
    def dispute(self, data: Any) -> None:
        m = self._milestone(data, M.FUNDED)
        if m is not None:
            Milestone.objects.filter(pk=m.pk).update(status=M.DISPUTED)

    @precondition(lambda self: self.contracts)
    @rule(data=st.data(), share=st.integers(-10, 110))
    def split(self, data: Any, share: int) -> None:
        m = self._milestone(data, M.DISPUTED)
        if m is None:
            return
        release = m.amount * share // 100
        refund = m.amount - release + data.draw(st.sampled_from([0, 0, 0, 1, -1]))
        try:
            escrow_split_execute(
                milestone=m,
                refund=Money(refund),
                release=Money(release),
                actor=None,
                reference=f"decision:{m.pk}",
            )
        except DomainError:
            assert not (0 <= release <= m.amount and refund + release == m.amount)
            return
        self.refunded[m.contract_id] += refund
        self.released[m.contract_id] += release

    @invariant()
    def ledger_is_sound(self) -> None:
        MoneyFlows.checks += 1
        assert_ledger_sound()
        for contract in self.contracts:
            expected = (
                self.funded[contract.pk] - self.released[contract.pk] - self.refunded[contract.pk]
            )
            assert escrow(contract) == Money(expected)
        steps: dict[str, set[str]] = {}
        for reference in (
            JournalEntry.objects.filter(reference__contains=":milestone:")
            .exclude(reference__endswith=":transfer")
            .values_list("reference", flat=True)
        ):
            milestone_key, step = reference.rsplit(":", 1)
            steps.setdefault(milestone_key, set()).add(step)
        for done in steps.values():
            # Each milestone's escrow leaves once: a release, a refund, or one split of both.
            assert done in (
                {"release"},
                {"refund"},
                {"split-refund"},
                {"split-release"},
                {
                    "split-refund",
                    "split-release",
                },
            ), f"a milestone's money moved twice: {done}"


@pytest.mark.django_db
def test_money_flows_keep_the_ledger_invariants() -> None:
    assert connection.vendor == "postgresql"
    MoneyFlows.TestCase.settings = settings(
        max_examples=13,
        stateful_step_count=100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    MoneyFlows.checks = 0
    MoneyFlows.TestCase().runTest()
    assert MoneyFlows.checks >= 1_000
