"""A hypothesis state machine over the money flows, on PostgreSQL: after every step every
entry sums to zero, no escrow is negative, each escrow equals funded − released − refunded,
and nothing is released twice. Innovation vouchers join in (issue, spend beside the card,
expiry, refunds back), and a card dispute freezes an escrow: then no voucher programme is ever
over-issued, and programme + vouchers + voucher money held in escrow + claims = budget."""

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
from contracts.services import milestone_accept
from contracts.states import MILESTONE_HELD
from marketplace.errors import Conflict, DomainError
from marketplace.money import Money
from payments.ledger import balance_of
from payments.models import (
    Escrow,
    GatewayObject,
    JournalEntry,
    Voucher,
    VoucherProgramme,
    VoucherShare,
    VoucherSpend,
)
from payments.services import (
    escrow_fund_start,
    escrow_split_execute,
    milestone_refund,
    milestone_release,
)
from payments.services.disputes import card_dispute_opened
from payments.services.vouchers import voucher_expire, voucher_issue
from payments.voucher_selectors import programme_report
from tests.frontend.contracts_setup import awarded_contract, deliver, poster_owner
from tests.payments.helpers import K, assert_ledger_sound, escrow
from tests.payments.voucher_setup import finance_user, make_programme

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
        for m in contract.milestones.all():
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
        before = {m.pk: m.status for m in contract.milestones.all()}
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


MOVES = ("voucher_spend", "voucher_expiry", "card_dispute", "voucher_claim", "voucher_return")


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
