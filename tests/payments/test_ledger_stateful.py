"""A hypothesis state machine over the money flows, on PostgreSQL: after every step every
entry sums to zero, no escrow is negative, each escrow equals funded − released − refunded,
and nothing is released twice. Innovation vouchers join in (issue, spend beside the card,
expiry, refunds back), and a card dispute freezes an escrow: then no voucher programme is ever
over-issued, and programme + vouchers + voucher money held in escrow + claims = budget.

Task pools join in (issue 14): a contest's prize and a piece-work task's units are funded
into a pool, allocated to prize contracts (whole) and unit contracts (one unit at a time),
which then go through the same delivery, release, refund and split moves as the tendered
contracts, and what is left returns to the poster less a fee. After every step each pool
holds funded − allocated − returned, never less than zero, the pool plus its contracts'
escrows hold funded − paid − refunded − returned, and no pool payment is refunded beyond
what it paid."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from contracts.models import Contract, Milestone
from contracts.services import milestone_accept, milestone_submit
from contracts.states import MILESTONE_HELD
from marketplace.errors import Conflict, DomainError, InvalidTransition
from marketplace.money import Money
from payments.ledger import balance_of
from payments.models import (
    Escrow,
    GatewayObject,
    JournalEntry,
    PoolMove,
    Voucher,
    VoucherProgramme,
    VoucherShare,
    VoucherSpend,
)
from payments.selectors import task_pool_state
from payments.services import (
    escrow_fund_start,
    escrow_split_execute,
    milestone_refund,
    milestone_release,
)
from payments.services.disputes import card_dispute_opened
from payments.services.pool import pool_allocate, pool_fund_start, pool_return
from payments.services.vouchers import voucher_expire, voucher_issue
from payments.voucher_selectors import programme_report
from tasks.models import Task
from tests.frontend.contracts_setup import awarded_contract, deliver, pdf, poster_owner
from tests.payments.helpers import K, assert_ledger_sound, escrow
from tests.payments.pool_setup import contest_task, prize_contract, solver
from tests.payments.voucher_setup import finance_user, make_programme
from tests.tasks.factories import task_owner

M = Milestone.Status


class MoneyFlows(RuleBasedStateMachine):
    checks = 0  # invariant checks over the whole run: one before and one after every step
    # How often the voucher and dispute moves took effect, so a run that never reached them fails.
    moved: Counter[str] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.contracts: list[Contract] = []
        # What the model expects, per contract id: funded, released (gross), refunded.
        self.funded: Counter[int] = Counter()
        self.released: Counter[int] = Counter()
        self.refunded: Counter[int] = Counter()
        # One voucher programme per run: 100,000 yuan of 30,000-yuan vouchers paying ≤ 50%.
        self.finance = finance_user()
        self.programme = make_programme(budget=100_000_00, face_value=30_000_00, actor=self.finance)
        self.issued = 0
        self.frozen: set[int] = set()
        # Task pools (a contest, a piece-work task) and the contracts they fund; per task id
        # what the model expects: funded into the pool, allocated out of it, returned (gross).
        self.pools: list[Task] = []
        self.pool_contracts: list[Contract] = []
        self.pool_funded: Counter[int] = Counter()
        self.pool_allocated: Counter[int] = Counter()
        self.pool_returned: Counter[int] = Counter()

    def _milestone(self, data: Any, *statuses: str) -> Milestone | None:
        ids = [c.pk for c in self.contracts + self.pool_contracts]
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
        before = {m.pk: m.status for m in Milestone.objects.filter(contract=contract)}
        usable = [
            v.pk
            for v in self._vouchers()
            if v.organization_id == contract.organization_id and v.expired_at is None
        ]
        # With a voucher of the poster's when it has one (most of the time), else card only.
        voucher_id = usable[0] if usable and data.draw(st.integers(0, 3)) else None
        try:
            funding = escrow_fund_start(
                actor=poster_owner(contract), contract=contract, scope=scope, voucher_id=voucher_id
            )
        except DomainError:
            return
        if funding.voucher_spend is not None:
            MoneyFlows.moved["voucher_spend"] += 1
        self._count_funded(contract, before)

    def _count_funded(self, contract: Contract, before: dict[int, str]) -> None:
        for m in Milestone.objects.filter(contract=contract):
            if before[m.pk] == M.AWAITING_FUNDING and m.status == M.FUNDED:
                self.funded[contract.pk] += m.amount

    def _vouchers(self) -> list[Voucher]:
        return list(Voucher.objects.filter(programme=self.programme).order_by("pk"))

    @precondition(lambda self: self.contracts)
    @rule(data=st.data(), count=st.integers(1, 2))
    def issue_voucher(self, data: Any, count: int) -> None:
        contract = data.draw(st.sampled_from(self.contracts))
        face = self.programme.face_value
        try:
            voucher_issue(
                actor=self.finance,
                programme=self.programme,
                organization=contract.organization,
                count=count,
            )
        except Conflict:
            assert self.issued + face * count > self.programme.budget
            return
        self.issued += face * count

    @precondition(lambda self: self.contracts)
    @rule(
        data=st.data(),
        scope=st.sampled_from(["all", "next"]),
        amount=st.one_of(st.none(), st.integers(-100, 40_000_00)),
    )
    def fund_with_voucher(self, data: Any, scope: str, amount: int | None) -> None:
        vouchers = self._vouchers()
        if not vouchers:
            return
        voucher = data.draw(st.sampled_from(vouchers))
        own = [c for c in self.contracts if c.organization_id == voucher.organization_id]
        # Mostly the holder's own contracts; sometimes another's, which must be refused.
        pool = own if own and data.draw(st.integers(0, 4)) else self.contracts
        contract = data.draw(st.sampled_from(pool))
        before = {m.pk: m.status for m in Milestone.objects.filter(contract=contract)}
        spends = VoucherSpend.objects.count()
        try:
            funding = escrow_fund_start(
                actor=poster_owner(contract),
                contract=contract,
                scope=scope,
                voucher_id=voucher.pk,
                voucher_amount=Money(amount) if amount is not None else None,
            )
        except DomainError as refusal:
            code = refusal.code
            assert VoucherSpend.objects.count() == spends  # a refusal writes nothing
            if contract.organization_id != voucher.organization_id:
                # Another organization's voucher never pays, whatever else is refused first.
                assert code in ("voucher_not_yours", "already_funded", "invalid_state"), code
            return
        MoneyFlows.moved["voucher_spend"] += 1
        assert funding.voucher_spend is not None
        assert funding.voucher_spend.status == VoucherSpend.Status.POSTED
        self._count_funded(contract, before)

    @rule(data=st.data())
    def expire_voucher(self, data: Any) -> None:
        vouchers = [v for v in self._vouchers() if v.expired_at is None]
        if not vouchers:
            return
        voucher = data.draw(st.sampled_from(vouchers))
        voucher_expire(voucher_id=voucher.pk, today=voucher.valid_until + dt.timedelta(days=1))
        MoneyFlows.moved["voucher_expiry"] += 1

    @precondition(lambda self: self.contracts and not self.frozen)
    @rule(data=st.data())
    def card_dispute(self, data: Any) -> None:
        """charge.dispute.created on one of the contracts' charges freezes its escrow."""
        ids = [c.pk for c in self.contracts]
        charges = list(
            GatewayObject.objects.filter(contract_id__in=ids, kind=GatewayObject.Kind.CHARGE)
        )
        if not charges:
            return
        charge = data.draw(st.sampled_from(charges))
        card_dispute_opened(obj={"id": f"dp_{charge.pk}", "charge": charge.external_id})
        self.frozen.add(charge.contract_id)
        MoneyFlows.moved["card_dispute"] += 1
        assert Escrow.objects.get(contract_id=charge.contract_id).frozen_at is not None

    @precondition(lambda self: self.contracts)
    @rule(data=st.data())
    def deliver_and_accept(self, data: Any) -> None:
        m = self._milestone(data, M.FUNDED)
        if m is None:
            return
        if m.contract.bid_id is None:  # a pool's prize or unit contract: its solver delivers
            milestone_submit(actor=solver(m.contract), milestone=m, note="交付。", files=[pdf()])
        else:
            deliver(m.contract, m.position)
        milestone_accept(actor=poster_owner(m.contract), milestone=m)

    @precondition(lambda self: self.contracts)
    @rule(data=st.data(), times=st.integers(1, 3))
    def release(self, data: Any, times: int) -> None:
        m = self._milestone(data, M.ACCEPTED, M.RELEASED)
        if m is None:
            return
        was_accepted = m.status == M.ACCEPTED
        if m.contract_id in self.frozen and was_accepted:
            with pytest.raises(Conflict):
                milestone_release(milestone_id=m.pk)
            return
        for _ in range(times):
            milestone_release(milestone_id=m.pk)
        if was_accepted:
            self.released[m.contract_id] += m.amount
            if m.contract.bid_id is None:
                MoneyFlows.moved["pool_paid"] += 1

    @precondition(lambda self: self.contracts)
    @rule(data=st.data())
    def refund(self, data: Any) -> None:
        m = self._milestone(data, M.FUNDED)
        if m is None:
            return
        if m.contract_id in self.frozen:
            with pytest.raises(Conflict):
                milestone_refund(actor=poster_owner(m.contract), milestone=m)
            return
        milestone_refund(actor=poster_owner(m.contract), milestone=m)
        self.refunded[m.contract_id] += m.amount
        if m.contract.bid_id is None:  # back through the pool's payment
            MoneyFlows.moved["pool_refunded"] += 1

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
            assert m.contract_id in self.frozen or not (
                0 <= release <= m.amount and refund + release == m.amount
            )
            return
        self.refunded[m.contract_id] += refund
        self.released[m.contract_id] += release
        if m.contract.bid_id is None and refund:
            MoneyFlows.moved["pool_refunded"] += 1

    @invariant()
    def ledger_is_sound(self) -> None:
        MoneyFlows.checks += 1
        assert_ledger_sound()
        for contract in self.contracts + self.pool_contracts:
            expected = (
                self.funded[contract.pk] - self.released[contract.pk] - self.refunded[contract.pk]
            )
            assert escrow(contract) == Money(expected)
        steps: dict[str, set[str]] = {}
        for reference in (
            JournalEntry.objects.filter(reference__contains=":milestone:")
            .exclude(reference__endswith=":transfer")
            .exclude(reference__endswith=":voucher")
            .exclude(reference__endswith=":voucher-claim")
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

    @invariant()
    def vouchers_are_sound(self) -> None:
        programme = VoucherProgramme.objects.get(pk=self.programme.pk)
        budget = programme.budget
        assert programme.issued_total == self.issued <= budget, "over-issued"
        owner = f"programme:{programme.pk}"
        in_programme = balance_of(kind=K.VOUCHER_PROGRAMME, owner=owner, currency="CNY").amount
        claims = balance_of(kind=K.VOUCHER_CLAIMS, owner=owner, currency="CNY").amount
        on_vouchers = 0
        for voucher in Voucher.objects.filter(programme=programme):
            left = balance_of(kind=K.VOUCHER, owner=f"voucher:{voucher.pk}", currency="CNY")
            assert left.amount >= 0, "a voucher went negative"
            if voucher.expired_at is not None:
                assert left.amount == 0, "an expired voucher kept value"
            on_vouchers += left.amount
        # Voucher money still in escrow, read from the milestones themselves.
        held = sum(
            VoucherShare.objects.filter(
                spend__voucher__programme=programme,
                spend__status=VoucherSpend.Status.POSTED,
                milestone__status__in=[*MILESTONE_HELD, M.ACCEPTED],
            ).values_list("amount", flat=True)
        )
        assert in_programme + on_vouchers + held + claims == budget
        report = programme_report(programme=programme)
        assert report.balanced
        assert report.held == Money(held)
        MoneyFlows.moved["voucher_claim"] = max(MoneyFlows.moved["voucher_claim"], report.claims)
        if report.returned_to_vouchers or report.returned_to_programme:
            MoneyFlows.moved["voucher_return"] += 1


class PoolFlows(MoneyFlows):
    """Every move above, and the task pools' (issue 14): a contest's prize and a piece-work
    task's units funded into a pool, allocated to prize contracts (whole) and unit contracts
    (one unit at a time), which then take the same delivery, release, refund and split moves
    as the tendered contracts, and what is left returned to the poster less a fee."""

    # --- Task pools ------------------------------------------------------------------------

    def _held(self, task: Task) -> int:
        return (
            self.pool_funded[task.pk] - self.pool_allocated[task.pk] - self.pool_returned[task.pk]
        )

    @rule(
        data=st.data(),
        mode=st.sampled_from([Task.Mode.CONTEST, Task.Mode.PIECEWORK]),
        amount=st.integers(1, 120_000_00),
    )
    def pool_fund(self, data: Any, mode: str, amount: int) -> None:
        """Fund a new pool (at most four a run: a task whose work is over takes no more
        allocations) or pay into an open one again."""
        open_ = [t for t in self.pools if Task.objects.get(pk=t.pk).status != Task.Status.COMPLETED]
        if len(self.pools) < 4 and (not open_ or data.draw(st.booleans())):
            task = contest_task(mode=mode)
            self.pools.append(task)
        elif open_:
            task = data.draw(st.sampled_from(open_))
        else:
            return
        purpose = "contest_prize" if task.mode == Task.Mode.CONTEST else "piecework_units"
        pool_fund_start(actor=task_owner(task), task=task, amount=Money(amount), purpose=purpose)
        self.pool_funded[task.pk] += amount
        MoneyFlows.moved["pool_fund"] += 1

    def _refused_as_finished(self, task: Task, contract: Contract) -> None:
        """An allocation refused because the work is over: the task completed when one of its
        contracts did (contracts completes the task with its first finished contract), or the
        unit contract was settled. The invariants check that nothing moved."""
        task.refresh_from_db()
        contract.refresh_from_db()
        assert task.status == Task.Status.COMPLETED or contract.status != Contract.Status.ACTIVE
        MoneyFlows.moved["pool_refused_finished"] += 1

    @precondition(lambda self: self.pools)
    @rule(data=st.data(), share=st.integers(1, 120), again=st.booleans())
    def pool_allocate_prize(self, data: Any, share: int, again: bool) -> None:
        """A winner's prize contract, funded whole from the pool (a share of what it holds,
        sometimes more than it holds); sometimes asked twice."""
        task = data.draw(st.sampled_from(self.pools))
        amount = max(1, self._held(task) * share // 100)
        contract = prize_contract(task, amount)
        try:
            for _ in range(2 if again else 1):
                pool_allocate(
                    task=task, contract=contract, amount=Money(amount), reference=f"c{contract.pk}"
                )
        except Conflict as refused:
            code = refused.code
            assert code == "over_pool", code
            assert amount > self._held(task)
            return
        except InvalidTransition:
            self._refused_as_finished(task, contract)
            return
        assert amount <= self.pool_funded[task.pk]
        self.pool_contracts.append(contract)
        self.pool_allocated[task.pk] += amount
        self.funded[contract.pk] += amount
        MoneyFlows.moved["pool_allocate"] += 1

    @precondition(lambda self: self.pools)
    @rule(data=st.data(), share=st.integers(1, 60), units=st.integers(1, 3))
    def pool_allocate_unit(self, data: Any, share: int, units: int) -> None:
        """Piece-work: a provider's contract of units at one price; each unit accepted for
        work is funded from the pool on its own (the next unit not funded yet)."""
        task = data.draw(st.sampled_from(self.pools))
        price = max(1, self._held(task) * share // 100 // units)
        unit_contracts = [
            c for c in self.pool_contracts if c.task_id == task.pk and c.milestones.count() > 1
        ]
        if unit_contracts and data.draw(st.booleans()):
            contract = data.draw(st.sampled_from(unit_contracts))
        else:
            contract = prize_contract(task, price * units, parts=(price,) * units)
        m = contract.milestones.filter(status=M.AWAITING_FUNDING).order_by("position").first()
        if m is None:
            return
        try:
            pool_allocate(
                task=task,
                contract=contract,
                amount=Money(m.amount),
                reference=f"unit:{m.pk}",
                milestone_ids=[m.pk],
            )
        except Conflict as refused:
            code = refused.code
            assert code == "over_pool", code
            assert m.amount > self._held(task)
            return
        except InvalidTransition:
            self._refused_as_finished(task, contract)
            return
        if contract not in self.pool_contracts:
            self.pool_contracts.append(contract)
        self.pool_allocated[task.pk] += m.amount
        self.funded[contract.pk] += m.amount
        MoneyFlows.moved["pool_unit"] += 1

    @precondition(lambda self: self.pools)
    @rule(
        data=st.data(),
        share=st.integers(1, 110),
        fee_bps=st.sampled_from([0, 500, 1_000]),
        again=st.booleans(),
    )
    def pool_return_rest(self, data: Any, share: int, fee_bps: int, again: bool) -> None:
        """What is not paid (a prize no one won, unclaimed units) returns, less a fee."""
        task = data.draw(st.sampled_from(self.pools))
        held = self._held(task)
        amount = max(1, held * share // 100)
        reference = f"r{len(self.pool_returned)}-{self.pool_returned[task.pk]}-{amount}"
        try:
            for _ in range(2 if again else 1):
                pool_return(
                    task=task, amount=Money(amount), fee_bps=fee_bps, reference=reference,
                    reason="unclaimed",
                )  # fmt: skip
        except Conflict as refused:
            code = refused.code
            assert code == "over_pool", code
            assert amount > held
            return
        self.pool_returned[task.pk] += amount
        MoneyFlows.moved["pool_return"] += 1

    @invariant()
    def pools_are_sound(self) -> None:
        for task in self.pools:
            state = task_pool_state(task_id=task.pk)
            held = self._held(task)
            assert state.held == Money(held), "the pool holds other than funded − out"
            assert held >= 0, "a pool went negative"
            assert state.funded == Money(self.pool_funded[task.pk])
            assert state.allocated == Money(self.pool_allocated[task.pk])
            assert state.returned + state.fee == Money(self.pool_returned[task.pk])
            # The pool and its contracts' escrows: funded − paid − refunded − returned.
            contracts = [c for c in self.pool_contracts if c.task_id == task.pk]
            in_escrow = sum(escrow(c).amount for c in contracts)
            out = sum(self.released[c.pk] + self.refunded[c.pk] for c in contracts)
            assert held + in_escrow == self.pool_funded[task.pk] - out - self.pool_returned[task.pk]
            # No pool payment is refunded beyond what it paid, nor beyond what its allocations
            # left of it (the refunds spread over payments carry their payment's id).
            payments = GatewayObject.objects.filter(
                task=task, contract__isnull=True, kind=GatewayObject.Kind.PAYMENT_INTENT
            )
            refunds = list(GatewayObject.objects.filter(task=task, kind=GatewayObject.Kind.REFUND))
            assert sum(r.amount for r in refunds) <= sum(p.amount for p in payments)
            for payment in payments:
                keyed = sum(
                    r.amount
                    for r in refunds
                    if r.idempotency_key.endswith(f":payment:{payment.pk}")
                )
                drawn = sum(
                    PoolMove.objects.filter(payment=payment, kind="allocate").values_list(
                        "amount", flat=True
                    )
                )
                assert keyed + drawn <= payment.amount, "a pool payment refunded beyond it"


MOVES = ("voucher_spend", "voucher_expiry", "card_dispute", "voucher_claim", "voucher_return")
POOL_MOVES = (
    "pool_fund",
    "pool_allocate",
    "pool_unit",
    "pool_return",
    "pool_paid",
    "pool_refunded",
)


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
    MoneyFlows.moved.clear()
    MoneyFlows.TestCase().runTest()
    assert MoneyFlows.checks >= 1_000
    assert min(MoneyFlows.moved[move] for move in MOVES) > 0, MoneyFlows.moved


@pytest.mark.django_db
def test_money_flows_with_task_pools_keep_the_ledger_and_pool_invariants() -> None:
    assert connection.vendor == "postgresql"
    PoolFlows.TestCase.settings = settings(
        max_examples=6,
        stateful_step_count=100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    MoneyFlows.checks = 0
    MoneyFlows.moved.clear()
    PoolFlows.TestCase().runTest()
    assert MoneyFlows.checks >= 400
    assert min(MoneyFlows.moved[move] for move in POOL_MOVES) > 0, MoneyFlows.moved
