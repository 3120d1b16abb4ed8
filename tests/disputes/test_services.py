"""Opening, responding, deciding, appealing and the deadlines, through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from contracts.models import Milestone
from contracts.services import milestone_accept, milestone_auto_accept, milestones_auto_accept_due
from disputes.models import Dispute, DisputeDecision
from disputes.selectors import dispute_record_for
from disputes.services import (
    dispute_appeal,
    dispute_decide,
    dispute_evidence_add,
    dispute_open,
    dispute_respond,
    disputes_advance_due,
)
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.models import AuditEvent
from marketplace.money import Money
from payments.models import JournalEntry, Posting
from payments.services import milestone_refund, milestone_release
from tests.disputes.setup import (
    REASONS,
    RESPONSE,
    STATEMENT,
    funded_contract,
    mediator,
    open_dispute,
    small_amounts,
)
from tests.factories import UserFactory
from tests.frontend.contracts_setup import deliver, milestone, pdf, poster_owner, provider_user
from tests.payments.helpers import assert_ledger_sound, escrow, fee_revenue, provider

pytestmark = pytest.mark.django_db
D = Dispute.Status
M = Milestone.Status


def _later(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_the_provider_opens_a_dispute_and_the_escrow_is_held(django_capture_on_commit_callbacks):
    contract = funded_contract()
    deliver(contract, 1)
    with django_capture_on_commit_callbacks(execute=True):
        d = open_dispute(contract)
    assert (d.status, d.opener_side, d.held_amount) == (D.OPENED, "provider", 20_000_00)
    m = milestone(contract, 1)
    assert m.status == M.DISPUTED
    assert m.review_due_at is None
    assert escrow(contract) == Money(50_000_00)
    assert AuditEvent.objects.filter(action="dispute.open").count() == 1
    # Nothing moves the money of a disputed milestone.
    with pytest.raises(InvalidTransition):
        milestone_accept(actor=poster_owner(contract), milestone=m)
    with pytest.raises(InvalidTransition):
        milestone_release(milestone_id=m.pk)
    with pytest.raises(InvalidTransition):
        milestone_refund(actor=poster_owner(contract), milestone=m)
    assert milestones_auto_accept_due(now=_later(30)) == 0
    assert escrow(contract) == Money(50_000_00)


def test_both_parties_and_the_mediators_are_notified_of_a_new_dispute(
    celery_eager: None, django_capture_on_commit_callbacks: Any
):
    from accounts.models import Notification

    contract = funded_contract()
    staff = mediator()
    with django_capture_on_commit_callbacks(execute=True):
        open_dispute(contract, by="poster")
    notified = set(Notification.objects.filter(kind="dispute").values_list("recipient", flat=True))
    assert {poster_owner(contract).pk, provider_user(contract).pk, staff.pk} <= notified


def test_the_poster_may_dispute_a_funded_milestone_before_any_delivery():
    contract = funded_contract()
    d = open_dispute(contract, by="poster")
    assert d.opener_side == "poster"
    assert d.respondent_side == "provider"


def test_an_outsider_cannot_open_a_dispute_and_nothing_is_written():
    contract = funded_contract()
    with pytest.raises(NotAllowed):
        dispute_open(
            actor=UserFactory(),
            milestone=milestone(contract, 1),
            reason="quality",
            statement=STATEMENT,
        )
    assert not Dispute.objects.exists()
    assert milestone(contract, 1).status == M.FUNDED


@pytest.mark.parametrize(
    ("reason", "statement"), [("nonsense", STATEMENT), ("quality", "too short"), ("quality", "")]
)
def test_bad_input_opens_nothing(reason: str, statement: str):
    contract = funded_contract()
    with pytest.raises(ValidationFailed):
        dispute_open(
            actor=provider_user(contract),
            milestone=milestone(contract, 1),
            reason=reason,
            statement=statement,
        )
    assert not Dispute.objects.exists()
    assert milestone(contract, 1).status == M.FUNDED


def test_an_unfunded_or_accepted_milestone_cannot_be_disputed():
    from tests.frontend.contracts_setup import awarded_contract

    contract = awarded_contract()
    with pytest.raises(InvalidTransition):
        open_dispute(contract)
    funded = funded_contract()
    deliver(funded, 1)
    milestone_accept(actor=poster_owner(funded), milestone=milestone(funded, 1))
    with pytest.raises(InvalidTransition):
        open_dispute(funded)
    assert not Dispute.objects.exists()


def test_a_milestone_is_disputed_once():
    contract = funded_contract()
    open_dispute(contract)
    with pytest.raises(InvalidTransition):
        open_dispute(contract, by="poster")
    assert Dispute.objects.count() == 1


def test_auto_acceptance_after_a_dispute_finds_it_disputed():
    contract = funded_contract()
    deliver(contract, 1)
    m = milestone(contract, 1)
    open_dispute(contract)
    assert milestone_auto_accept(milestone_id=m.pk, now=_later(30)) is False
    assert milestone(contract, 1).status == M.DISPUTED


def test_only_the_respondent_responds_once_then_evidence_runs():
    contract = funded_contract()
    d = open_dispute(contract)
    with pytest.raises(NotAllowed):
        dispute_respond(actor=provider_user(contract), dispute=d, response=RESPONSE)
    with pytest.raises(ValidationFailed):
        dispute_respond(actor=poster_owner(contract), dispute=d, response="短")
    d = dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    assert d.status == D.EVIDENCE
    assert d.evidence_due_at is not None
    with pytest.raises(InvalidTransition):
        dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)


def test_evidence_files_are_checked_like_every_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract = funded_contract()
    d = open_dispute(contract)
    evidence = dispute_evidence_add(actor=provider_user(contract), dispute=d, file=pdf("log.pdf"))
    assert len(evidence.sha256) == 64
    assert evidence.side == "provider"
    disguised = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationFailed):
        dispute_evidence_add(actor=provider_user(contract), dispute=d, file=disguised)
    with pytest.raises(NotAllowed):
        dispute_evidence_add(actor=UserFactory(), dispute=d, file=pdf())
    assert d.evidence.count() == 1


def test_a_silent_respondent_sends_it_to_mediation_and_the_sweeper_is_safe_twice():
    contract = funded_contract()
    d = open_dispute(contract)
    assert disputes_advance_due(now=_later(1)) == 0
    assert disputes_advance_due(now=_later(8)) == 1
    assert disputes_advance_due(now=_later(8)) == 0
    d.refresh_from_db()
    assert (d.status, d.mediation_cause) == (D.MEDIATION, "respondent_silent")


def test_the_evidence_window_closing_sends_it_to_mediation():
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    assert disputes_advance_due(now=_later(6)) == 1
    d.refresh_from_db()
    assert (d.status, d.mediation_cause) == (D.MEDIATION, "evidence_closed")


def test_a_small_decision_executes_at_once_with_ledger_entries(settings):
    small_amounts(settings)
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=d, refund=8_000_00, release=12_000_00, reasons=REASONS)
    d.refresh_from_db()
    assert (d.status, d.outcome) == (D.EXECUTED, Dispute.Outcome.SPLIT)
    assert milestone(contract, 1).status == M.SPLIT
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract) == Money(11_400_00)  # 12,000 less the 5% fee
    assert fee_revenue() == Money(600_00)
    references = set(JournalEntry.objects.values_list("reference", flat=True))
    key = f"contract:{contract.pk}:milestone:1"
    assert {f"{key}:split-refund", f"{key}:split-release", f"{key}:split-release:transfer"} <= (
        references
    )
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("refund", "release"),
    [(0, 0), (10_000_00, 10_000_01), (20_000_00, 1), (-1, 20_000_01), (1, 1)],
    ids=["zero", "over-by-one", "over", "negative", "under"],
)
def test_amounts_that_do_not_add_up_are_refused_and_nothing_is_written(
    settings: Any, refund: int, release: int
):
    small_amounts(settings)
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    before = (JournalEntry.objects.count(), Posting.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as error:
        dispute_decide(actor=mediator(), dispute=d, refund=refund, release=release, reasons=REASONS)
    assert error.value.code in {"split_mismatch", "negative"}
    after = (JournalEntry.objects.count(), Posting.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert not DisputeDecision.objects.exists()
    d.refresh_from_db()
    assert d.status == D.EVIDENCE


def test_only_a_mediator_decides():
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    for who in (UserFactory(), UserFactory(is_staff=True), poster_owner(contract)):
        with pytest.raises(NotAllowed):
            dispute_decide(actor=who, dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    assert not DisputeDecision.objects.exists()


def test_a_decision_cannot_come_before_the_response_or_its_deadline():
    contract = funded_contract()
    d = open_dispute(contract)
    with pytest.raises(InvalidTransition):
        dispute_decide(actor=mediator(), dispute=d, refund=0, release=20_000_00, reasons=REASONS)


def test_a_second_decision_is_a_conflict(settings):
    small_amounts(settings)
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    with pytest.raises(Conflict):
        dispute_decide(actor=mediator(), dispute=d, refund=20_000_00, release=0, reasons=REASONS)
    assert DisputeDecision.objects.count() == 1


def test_a_large_decision_waits_for_its_appeal_window_then_the_beat_executes_it():
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    d.refresh_from_db()
    assert d.status == D.DECIDED
    assert d.appeal_due_at is not None
    assert escrow(contract) == Money(50_000_00)
    assert disputes_advance_due(now=_later(1)) == 0
    assert disputes_advance_due(now=_later(6)) == 1
    assert disputes_advance_due(now=_later(6)) == 0
    d.refresh_from_db()
    assert (d.status, d.outcome) == (D.EXECUTED, Dispute.Outcome.PROVIDER)
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract) == Money(19_000_00)
    assert_ledger_sound()


def test_an_appeal_is_filed_once_and_decided_by_a_different_mediator():
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    first = mediator()
    dispute_decide(actor=first, dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    with pytest.raises(NotAllowed):
        dispute_appeal(actor=UserFactory(), dispute=d, reason=RESPONSE)
    dispute_appeal(actor=poster_owner(contract), dispute=d, reason=RESPONSE)
    with pytest.raises(InvalidTransition):
        dispute_appeal(actor=provider_user(contract), dispute=d, reason=RESPONSE)
    d.refresh_from_db()
    assert d.status == D.APPEALED
    # The appeal stops the clock: the sweeper executes nothing.
    assert disputes_advance_due(now=_later(30)) == 0
    with pytest.raises(NotAllowed):
        dispute_decide(actor=first, dispute=d, refund=12_000_00, release=8_000_00, reasons=REASONS)
    dispute_decide(actor=mediator(), dispute=d, refund=12_000_00, release=8_000_00, reasons=REASONS)
    d.refresh_from_db()
    assert (d.status, d.outcome) == (D.EXECUTED, Dispute.Outcome.SPLIT)
    assert [x.round for x in d.decisions.all()] == [1, 2]
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract) == Money(7_600_00)
    assert_ledger_sound()


def test_an_appeal_after_the_window_is_refused():
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    Dispute.objects.filter(pk=d.pk).update(appeal_due_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(InvalidTransition):
        dispute_appeal(actor=poster_owner(contract), dispute=d, reason=RESPONSE)


def test_a_small_decision_cannot_be_appealed(settings):
    small_amounts(settings)
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    with pytest.raises(InvalidTransition):
        dispute_appeal(actor=poster_owner(contract), dispute=d, reason=RESPONSE)


def test_outcomes_make_each_partys_record(settings):
    small_amounts(settings)
    contract = funded_contract()
    staff = mediator()
    for position, (refund, release) in ((1, (20_000_00, 0)), (2, (10_000_00, 20_000_00))):
        d = open_dispute(contract, position)
        dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
        dispute_decide(actor=staff, dispute=d, refund=refund, release=release, reasons=REASONS)
    records = dispute_record_for(
        providers=[contract.provider_id], organizations=[contract.organization_id]
    )
    provider_record = records[("provider", contract.provider_id)]
    poster_record = records[("organization", contract.organization_id)]
    assert (provider_record.won, provider_record.lost, provider_record.split) == (0, 1, 1)
    assert (poster_record.won, poster_record.lost, poster_record.split) == (1, 0, 1)
    contract.refresh_from_db()
    assert contract.status == "completed"


def test_a_card_dispute_freezing_the_escrow_postpones_the_execution_not_the_decision(settings):
    from payments.models import Escrow

    small_amounts(settings)
    contract = funded_contract()
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    Escrow.objects.filter(contract=contract).update(frozen_at=timezone.now())
    dispute_decide(actor=mediator(), dispute=d, refund=0, release=20_000_00, reasons=REASONS)
    d.refresh_from_db()
    assert d.status == D.DECIDED
    assert escrow(contract) == Money(50_000_00)
    assert disputes_advance_due(now=_later(1)) == 0  # still frozen: tried, nothing moved
    d.refresh_from_db()
    assert d.status == D.DECIDED
    Escrow.objects.filter(contract=contract).update(frozen_at=None)
    assert disputes_advance_due(now=_later(1)) == 1
    d.refresh_from_db()
    assert d.status == D.EXECUTED
    assert escrow(contract) == Money(30_000_00)
