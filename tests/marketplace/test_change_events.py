"""Change events for search: each service that changes what search shows emits one after commit,
and nothing when its transaction rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from accounts.services import (
    provider_skills_set,
    user_suspend,
    verification_approve,
    verification_submit_person,
)
from contracts.services import (
    contract_award,
    contract_funding_received,
    milestone_accept,
    milestone_submit,
)
from marketplace.events import changed, emit_changed
from tasks.services import task_moderation_flag
from tests.accounts.factories import (
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    id_documents,
    make_id_number,
)
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def events() -> Iterator[list[tuple[str, tuple[int, ...], tuple[str, ...]]]]:
    seen: list[tuple[str, tuple[int, ...], tuple[str, ...]]] = []

    def receiver(sender: Any, kind: str, ids: tuple[int, ...], fields: tuple[str, ...], **kw: Any):
        seen.append((kind, ids, fields))

    changed.connect(receiver, dispatch_uid="test-change-events")
    yield seen
    changed.disconnect(dispatch_uid="test-change-events")


def test_events_are_sent_after_commit_only(events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emit_changed("task", [3, 1, 3], fields=["status"])
    assert events == [("task", (1, 3), ("status",))]

    events.clear()
    with transaction.atomic():
        emit_changed("task", [7])
        transaction.set_rollback(True)
    assert events == []


def test_the_award_funding_and_acceptance_tell_search(events, django_capture_on_commit_callbacks):
    task = TaskFactory()
    bid = BidFactory(task=task)
    with django_capture_on_commit_callbacks(execute=True):
        contract = contract_award(actor=task_owner(task), bid=bid)
    assert ("task", (task.pk,), ("status",)) in events
    assert ("provider", (bid.provider_id,), ("credit",)) in events
    assert ("organization", (task.organization_id,), ("credit",)) in events

    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        contract_funding_received(contract=contract, reference="pi_events")
    assert ("task", (task.pk,), ("status",)) in events

    milestone = contract.milestones.order_by("position").first()
    assert milestone is not None
    milestone_submit(actor=bid_operator(bid), milestone=milestone, note="交付")
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        milestone_accept(actor=task_owner(task), milestone=milestone)
    assert ("provider", (bid.provider_id,), ("credit",)) in events


def test_moderation_tells_search_the_task_changed(events, django_capture_on_commit_callbacks):
    task = TaskFactory()
    moderator = UserFactory(staff=True, perms=["tasks.moderate_task"])
    with django_capture_on_commit_callbacks(execute=True):
        task_moderation_flag(moderator=moderator, task=task, reason="需要核实预算")
    assert [kind for kind, ids, _fields in events if task.pk in ids] == ["task"]


def test_a_profile_its_skills_a_verification_and_a_suspension_tell_search(
    events, django_capture_on_commit_callbacks
):
    profile = ProviderProfileFactory()
    person = profile.user
    skill = SkillFactory()
    with django_capture_on_commit_callbacks(execute=True):
        provider_skills_set(actor=person, profile=profile, skills={skill.pk: 3})
    assert ("provider", (profile.pk,), ("skills",)) in events

    request = verification_submit_person(
        user=person, legal_name="张三", id_number=make_id_number(3), documents=id_documents()
    )
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        verification_approve(
            reviewer=UserFactory(staff=True, perms=["accounts.change_verificationrequest"]),
            request=request,
        )
    assert events == [("provider", (profile.pk,), ("verified",))]

    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user_suspend(
            actor=UserFactory(staff=True, perms=["accounts.change_user"]),
            user=person,
            reason="违规",
        )
    assert events == [("provider", (profile.pk,), ("suspended",))]
