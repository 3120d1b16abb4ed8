"""Funding, delivering, accepting, asking for changes, and acceptance by silence."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.utils import timezone

from accounts.models import Membership, Notification
from contracts.models import Contract, Delivery, Milestone
from contracts.services import (
    contract_award,
    contract_funding_received,
    milestone_accept,
    milestone_auto_accept,
    milestone_mark_released,
    milestone_request_changes,
    milestone_submit,
    milestones_auto_accept_due,
)
from marketplace.audit import audit_trail
from marketplace.errors import InvalidTransition, NotAllowed, ValidationFailed
from tasks.models import Task
from tests.accounts.factories import UserFactory, make_org_member
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract():
    task = TaskFactory()
    bid = BidFactory(task=task, amount=50_000_00, duration_days=40,
                     milestones=[("方案", 20_000_00, 10), ("实施", 30_000_00, 40)])  # fmt: skip
    return contract_award(actor=task_owner(task), bid=bid)


@pytest.fixture
def funded(contract):
    return contract_funding_received(contract=contract, reference="pi_test_1")


def provider_of(contract: Contract):
    return bid_operator(contract.task.bids.get(pk=contract.bid_id))


def first(contract: Contract) -> Milestone:
    return contract.milestones.get(position=1)


def report(name: str = "report.pdf", body: bytes = b"%PDF-1.7\n results") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body)


def test_funding_starts_the_contract_and_fixes_due_dates(contract):
    contract_funding_received(contract=contract, reference="pi_1")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert (
        contract.task.__class__.objects.get(pk=contract.task_id).status == Task.Status.IN_PROGRESS
    )
    today = timezone.localdate()
    assert [(m.status, m.due_date) for m in contract.milestones.order_by("position")] == [
        (Milestone.Status.FUNDED, today + dt.timedelta(days=10)),
        (Milestone.Status.FUNDED, today + dt.timedelta(days=40)),
    ]


def test_funding_the_first_milestone_only_leaves_the_rest_awaiting(contract):
    contract_funding_received(
        contract=contract, milestone_ids=[first(contract).pk], reference="pi_1"
    )
    assert list(contract.milestones.order_by("position").values_list("status", flat=True)) == [
        Milestone.Status.FUNDED,
        Milestone.Status.AWAITING_FUNDING,
    ]


def test_a_repeated_funding_notice_changes_nothing(contract):
    contract_funding_received(contract=contract, reference="pi_1")
    before = list(contract.milestones.values_list("id", "status", "funded_at"))
    contract_funding_received(contract=contract, reference="pi_1")
    assert list(contract.milestones.values_list("id", "status", "funded_at")) == before
    assert audit_trail(contract).filter(action="contract.funded").count() == 1


def test_work_cannot_be_delivered_before_the_escrow_is_funded(contract):
    with pytest.raises(InvalidTransition):
        milestone_submit(actor=provider_of(contract), milestone=first(contract), note="初稿已完成")
    assert not Delivery.objects.exists()


def test_the_provider_delivers_with_files_hashed_as_evidence(
    funded, celery_eager, django_capture_on_commit_callbacks
):
    body = b"%PDF-1.7\n design report"
    with django_capture_on_commit_callbacks(execute=True):
        delivery = milestone_submit(
            actor=provider_of(funded), milestone=first(funded), note="方案报告已上传，请验收。",
            files=[report(body=body)],
        )  # fmt: skip
    milestone = first(funded)
    assert milestone.status == Milestone.Status.SUBMITTED
    assert milestone.review_due_at == milestone.submitted_at + dt.timedelta(days=7)
    stored = delivery.files.get()
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    assert stored.received_at is not None
    assert Notification.objects.filter(
        recipient=task_owner(funded.task), kind="delivery_submitted"
    ).exists()


def test_nobody_else_delivers_for_the_provider(funded):
    for outsider in (UserFactory(), task_owner(funded.task)):
        with pytest.raises(NotAllowed):
            milestone_submit(actor=outsider, milestone=first(funded), note="冒名交付的成果")
    assert not Delivery.objects.exists()


def test_a_disguised_delivery_file_is_refused_and_nothing_is_delivered(funded):
    with pytest.raises(ValidationFailed):
        milestone_submit(actor=provider_of(funded), milestone=first(funded), note="成果文件",
                         files=[report("result.pdf", b"MZ\x90\x00" + b"\0" * 64)])  # fmt: skip
    assert first(funded).status == Milestone.Status.FUNDED
    assert not Delivery.objects.exists()


def test_the_poster_accepts_a_delivery(funded, celery_eager, django_capture_on_commit_callbacks):
    milestone_submit(actor=provider_of(funded), milestone=first(funded), note="方案报告")
    with django_capture_on_commit_callbacks(execute=True):
        milestone_accept(actor=task_owner(funded.task), milestone=first(funded))
    milestone = first(funded)
    assert milestone.status == Milestone.Status.ACCEPTED
    assert milestone.accepted_by == task_owner(funded.task)
    assert milestone.deliveries.get().decision == Delivery.Decision.ACCEPTED
    assert Notification.objects.filter(
        recipient=provider_of(funded), kind="delivery_accepted"
    ).exists()


def test_a_plain_member_of_the_poster_cannot_accept(funded):
    milestone_submit(actor=provider_of(funded), milestone=first(funded), note="方案报告")
    member = UserFactory()
    make_org_member(member, funded.organization, Membership.Role.MEMBER)
    with pytest.raises(NotAllowed):
        milestone_accept(actor=member, milestone=first(funded))
    assert first(funded).status == Milestone.Status.SUBMITTED


def test_accepting_the_last_milestone_completes_contract_and_task(funded):
    provider, owner = provider_of(funded), task_owner(funded.task)
    for milestone in funded.milestones.order_by("position"):
        milestone_submit(actor=provider, milestone=milestone, note="交付成果")
        milestone_accept(actor=owner, milestone=milestone)
    funded.refresh_from_db()
    assert funded.status == Contract.Status.COMPLETED
    assert Task.objects.get(pk=funded.task_id).status == Task.Status.COMPLETED


def test_changes_can_be_requested_a_bounded_number_of_times(funded, settings):
    settings.MARKETPLACE = {**settings.MARKETPLACE, "MAX_CHANGE_ROUNDS": 2}
    provider, owner = provider_of(funded), task_owner(funded.task)
    milestone = first(funded)
    for round_ in (1, 2):
        milestone_submit(actor=provider, milestone=milestone, note=f"第 {round_} 版成果")
        milestone_request_changes(actor=owner, milestone=milestone, feedback="请补充测试数据")
    milestone_submit(actor=provider, milestone=milestone, note="第 3 版成果")

    with pytest.raises(InvalidTransition) as excinfo:
        milestone_request_changes(actor=owner, milestone=milestone, feedback="再改一次")
    assert excinfo.value.code == "change_rounds_exhausted"
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SUBMITTED
    assert milestone.change_rounds == 2
    assert list(milestone.deliveries.values_list("round", "decision")) == [
        (1, Delivery.Decision.CHANGES_REQUESTED),
        (2, Delivery.Decision.CHANGES_REQUESTED),
        (3, Delivery.Decision.PENDING),
    ]


def test_feedback_is_required_to_ask_for_changes(funded):
    milestone_submit(actor=provider_of(funded), milestone=first(funded), note="方案报告")
    with pytest.raises(ValidationFailed):
        milestone_request_changes(
            actor=task_owner(funded.task), milestone=first(funded), feedback=""
        )


def test_silence_past_the_review_window_accepts_the_delivery(funded):
    milestone_submit(actor=provider_of(funded), milestone=first(funded), note="方案报告")
    assert milestones_auto_accept_due() == 0
    later = timezone.now() + dt.timedelta(days=7, minutes=1)

    assert milestones_auto_accept_due(now=later) == 1
    milestone = first(funded)
    assert milestone.status == Milestone.Status.ACCEPTED
    assert milestone.accepted_by is None
    assert milestone.deliveries.get().decision == Delivery.Decision.AUTO_ACCEPTED
    assert milestones_auto_accept_due(now=later) == 0  # safe to run twice


def test_the_sweeper_leaves_a_milestone_the_poster_already_decided(funded):
    milestone_submit(actor=provider_of(funded), milestone=first(funded), note="方案报告")
    milestone_request_changes(
        actor=task_owner(funded.task), milestone=first(funded), feedback="请修改"
    )
    later = timezone.now() + dt.timedelta(days=30)
    assert milestone_auto_accept(milestone_id=first(funded).pk, now=later) is False
    assert first(funded).status == Milestone.Status.CHANGES_REQUESTED


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_and_a_manual_acceptance_at_the_same_moment_accept_once(funded):
    """Both run on their own PostgreSQL connection; the row lock makes one of them a no-op."""
    milestone = first(funded)
    milestone_submit(actor=provider_of(funded), milestone=milestone, note="方案报告")
    Milestone.objects.filter(pk=milestone.pk).update(
        review_due_at=timezone.now() - dt.timedelta(seconds=1)
    )
    owner = task_owner(funded.task)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def manual() -> None:
        try:
            barrier.wait(timeout=10)
            results["manual"] = milestone_accept(actor=owner, milestone=milestone)
        except Exception as exc:  # collected below
            results["manual"] = exc
        finally:
            close_old_connections()

    def sweeper() -> None:
        try:
            barrier.wait(timeout=10)
            results["sweeper"] = milestone_auto_accept(milestone_id=milestone.pk)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=manual), threading.Thread(target=sweeper)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ACCEPTED
    accepts = audit_trail(milestone).filter(
        action__in=["milestone.accept", "milestone.auto_accept"]
    )
    assert accepts.count() == 1
    manual_won = isinstance(results["manual"], Milestone)
    assert manual_won != (results["sweeper"] is True), results
    if not manual_won:
        assert isinstance(results["manual"], InvalidTransition)


def test_release_is_recorded_once(funded):
    provider, owner = provider_of(funded), task_owner(funded.task)
    milestone = first(funded)
    milestone_submit(actor=provider, milestone=milestone, note="方案报告")
    milestone_accept(actor=owner, milestone=milestone)
    milestone_mark_released(milestone=milestone, reference="tr_1")
    released_at = first(funded).released_at
    milestone_mark_released(milestone=milestone, reference="tr_1")
    assert first(funded).status == Milestone.Status.RELEASED
    assert first(funded).released_at == released_at


def test_deadline_reminders_go_out_once_per_milestone_and_date(funded, celery_eager):
    from contracts.tasks import remind_deadlines

    Milestone.objects.filter(pk=first(funded).pk).update(
        due_date=timezone.localdate() + dt.timedelta(days=1)
    )
    assert remind_deadlines.apply().get() == 1
    remind_deadlines.apply().get()  # the next hourly run finds the same milestone
    reminders = Notification.objects.filter(recipient=provider_of(funded), kind="deadline_near")
    assert reminders.count() == 1
    assert first(funded).title in reminders.get().title


def test_the_poster_is_reminded_before_silence_accepts_a_delivery(funded, celery_eager):
    from contracts.tasks import remind_deadlines

    milestone_submit(actor=provider_of(funded), milestone=first(funded), note="方案报告")
    Milestone.objects.filter(pk=first(funded).pk).update(
        review_due_at=timezone.now() + dt.timedelta(hours=12)
    )
    remind_deadlines.apply().get()
    assert Notification.objects.filter(
        recipient=task_owner(funded.task), kind="deadline_near"
    ).exists()
