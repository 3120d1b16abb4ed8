"""Delivering milestones and deciding on them: submit, accept, ask for changes, auto-accept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts import signals
from contracts.events import credit_inputs_changed
from contracts.models import Contract, Delivery, DeliveryFile, Milestone
from contracts.selectors import contract_capabilities, milestones_due_for_auto_accept
from contracts.services._locks import milestone_lock
from contracts.states import CONTRACT, MILESTONE, MILESTONE_DONE
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from marketplace.files import CheckedFile, check_upload
from marketplace.permissions import require_active_user
from tasks.services import task_mark_completed

MAX_DELIVERY_FILES = 10


def milestone_submit(
    *, actor: Any, milestone: Milestone, note: str, files: Sequence[UploadedFile] = ()
) -> Delivery:
    """The provider delivers a funded milestone (or a revision); each file's SHA-256 is kept."""
    require_active_user(actor)
    if len(note.strip()) < 2:
        raise ValidationFailed(
            _("Say what you deliver."), fields={"note": [_("Write a short note.")]}
        )
    if len(note) > 8000:
        raise ValidationFailed(
            _("Keep the note to 8,000 characters."), fields={"note": [_("Too long.")]}
        )
    if len(files) > MAX_DELIVERY_FILES:
        raise ValidationFailed(
            _("Deliver at most %(n)d files at once.") % {"n": MAX_DELIVERY_FILES}
        )
    checked: list[tuple[UploadedFile, CheckedFile]] = [
        (upload, check_upload(upload, max_bytes=settings.MARKETPLACE["ATTACHMENT_MAX_BYTES"]))
        for upload in files
    ]
    with transaction.atomic():
        contract, milestone = milestone_lock(milestone_id=milestone.pk)
        if contract_capabilities(user=actor, contract=contract).side != "provider":
            raise NotAllowed(_("Only the contracted provider can deliver this milestone."))
        if milestone.status == Milestone.Status.AWAITING_FUNDING:
            raise InvalidTransition(_("Wait until the escrow for this milestone is funded."))
        milestone.status = MILESTONE.check(milestone.status, "submit")
        now = timezone.now()
        milestone.submitted_at = now
        milestone.review_due_at = now + dt.timedelta(
            days=settings.MARKETPLACE["REVIEW_WINDOW_DAYS"]
        )
        milestone.save(update_fields=["status", "submitted_at", "review_due_at"])
        delivery = Delivery.objects.create(
            milestone=milestone,
            round=milestone.deliveries.count() + 1,
            note=note.strip(),
            submitted_by=actor,
        )
        for upload, info in checked:
            delivered = DeliveryFile(
                delivery=delivery,
                original_name=info.name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
            )
            delivered.file.save(info.sha256, upload, save=False)
            delivered.save()
        audit_record(
            actor=actor,
            action="milestone.submit",
            target=milestone,
            data={"round": delivery.round, "files": [i.sha256 for _u, i in checked]},
        )
        notifications.schedule("delivery_submitted", delivery.pk)
    return delivery


def _require_poster_manager(actor: Any, contract: Contract) -> None:
    if not contract_capabilities(user=actor, contract=contract).decides:
        raise NotAllowed(
            _("Only the poster organization's owners and admins can decide on deliveries.")
        )


def _complete_if_done(contract: Contract, *, actor: Any) -> bool:
    """Complete the contract when every milestone is finished. The caller holds the contract's
    lock, and every change to a milestone takes it first, so two milestones finished at the
    same moment cannot both see the other as open: exactly one of them completes it."""
    if contract.status != Contract.Status.ACTIVE:
        return False
    statuses = Milestone.objects.filter(contract=contract).values_list("status", flat=True)
    if not all(status in MILESTONE_DONE for status in statuses):
        return False
    contract.status = CONTRACT.check(contract.status, "complete")
    contract.completed_at = timezone.now()
    contract.save(update_fields=["status", "completed_at"])
    if contract.mode != Contract.Mode.PIECEWORK:
        # One piece-work unit done is not the task done: piecework closes the task.
        task_mark_completed(task_id=contract.task_id, actor=actor)
    audit_record(actor=actor, action="contract.complete", target=contract)
    notifications.schedule("contract_completed", contract.pk)
    return True


def _accept(milestone: Milestone, contract: Contract, *, actor: Any, auto: bool) -> None:
    """Accept the submitted delivery under the contract's and the milestone's locks; completes
    the contract when this was the last open milestone."""
    now = timezone.now()
    milestone.status = MILESTONE.check(milestone.status, "accept")
    milestone.accepted_at = now
    milestone.accepted_by = None if auto else actor
    milestone.review_due_at = None
    milestone.save(update_fields=["status", "accepted_at", "accepted_by", "review_due_at"])
    delivery = milestone.deliveries.order_by("-round").first()
    if delivery is not None:
        delivery.decision = Delivery.Decision.AUTO_ACCEPTED if auto else Delivery.Decision.ACCEPTED
        delivery.decided_by = None if auto else actor
        delivery.decided_at = now
        delivery.save(update_fields=["decision", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="milestone.auto_accept" if auto else "milestone.accept",
        target=milestone,
    )
    signals.milestone_accepted.send(
        sender=Milestone, milestone=milestone, contract=contract, actor=actor
    )
    notifications.schedule("delivery_accepted", milestone.pk)
    credit_inputs_changed(contract)
    _complete_if_done(contract, actor=actor)


def milestone_accept(*, actor: Any, milestone: Milestone) -> Milestone:
    """The poster accepts a delivered milestone; its money becomes due to the provider."""
    require_active_user(actor)
    with transaction.atomic():
        contract, milestone = milestone_lock(milestone_id=milestone.pk)
        _require_poster_manager(actor, contract)
        _accept(milestone, contract, actor=actor, auto=False)
    return milestone


def milestone_request_changes(*, actor: Any, milestone: Milestone, feedback: str) -> Milestone:
    """The poster asks for changes, within the allowed number of rounds."""
    require_active_user(actor)
    if len(feedback.strip()) < 2:
        raise ValidationFailed(
            _("Say what needs to change."), fields={"feedback": [_("Write what needs to change.")]}
        )
    with transaction.atomic():
        contract, milestone = milestone_lock(milestone_id=milestone.pk)
        _require_poster_manager(actor, contract)
        target = MILESTONE.check(milestone.status, "request_changes")
        limit = settings.MARKETPLACE["MAX_CHANGE_ROUNDS"]
        if milestone.change_rounds >= limit:
            raise InvalidTransition(
                _("All %(n)d rounds of changes are used: accept the delivery or open a dispute.")
                % {"n": limit},
                code="change_rounds_exhausted",
            )
        milestone.status = target
        milestone.change_rounds += 1
        milestone.review_due_at = None
        milestone.save(update_fields=["status", "change_rounds", "review_due_at"])
        delivery = milestone.deliveries.order_by("-round").first()
        if delivery is not None:
            delivery.decision = Delivery.Decision.CHANGES_REQUESTED
            delivery.decision_note = feedback.strip()[:8000]
            delivery.decided_by = actor
            delivery.decided_at = timezone.now()
            delivery.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="milestone.request_changes",
            target=milestone,
            data={"round": milestone.change_rounds},
        )
        notifications.schedule("delivery_changes_requested", milestone.pk)
    return milestone


def milestone_auto_accept(*, milestone_id: int, now: dt.datetime | None = None) -> bool:
    """Accept one delivery whose review window ran out. Re-checks under the contract's and the
    milestone's locks, so a manual decision or a dispute that got there first wins; returns
    whether it accepted."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            contract, milestone = milestone_lock(milestone_id=milestone_id)
        except NotFound:
            return False
        if (
            milestone.status != Milestone.Status.SUBMITTED
            or milestone.review_due_at is None
            or milestone.review_due_at > now
        ):
            return False
        _accept(milestone, contract, actor=None, auto=True)
    return True


def milestones_auto_accept_due(*, now: dt.datetime | None = None) -> int:
    """The beat sweeper: accept every delivery past its review window; returns how many."""
    now = now or timezone.now()
    return sum(
        milestone_auto_accept(milestone_id=pk, now=now)
        for pk in milestones_due_for_auto_accept(now=now)
    )


def milestone_mark_released(*, milestone: Milestone, reference: str) -> Milestone:
    """Record that an accepted milestone's money reached the provider (called by payments).
    Idempotent: a milestone already released is returned unchanged."""
    with transaction.atomic():
        _contract, milestone = milestone_lock(milestone_id=milestone.pk)
        if milestone.status == Milestone.Status.RELEASED:
            return milestone
        milestone.status = MILESTONE.check(milestone.status, "release")
        milestone.released_at = timezone.now()
        milestone.save(update_fields=["status", "released_at"])
        audit_record(
            actor=None, action="milestone.release", target=milestone, data={"reference": reference}
        )
        notifications.schedule("milestone_released", milestone.pk)
    return milestone


def milestone_dispute(*, actor: Any, milestone: Milestone, reference: str) -> Milestone:
    """Put a milestone into dispute (called by disputes inside its own transaction): under the
    contract's and the milestone's locks, so an auto-acceptance or a decision racing it is
    re-checked after this commits and finds it disputed. Its escrow is then held until a
    decision settles it: nothing releases, refunds or auto-accepts a disputed milestone."""
    require_active_user(actor)
    with transaction.atomic():
        contract, milestone = milestone_lock(milestone_id=milestone.pk)
        capabilities = contract_capabilities(user=actor, contract=contract)
        if not capabilities.may_dispute:
            raise NotAllowed(
                _(
                    "Only the provider or the poster organization's owners and admins can "
                    "open a dispute."
                )
            )
        if contract.status != Contract.Status.ACTIVE:
            raise InvalidTransition(_("Only a milestone of an active contract can be disputed."))
        milestone.status = MILESTONE.check(milestone.status, "dispute")
        milestone.review_due_at = None
        milestone.save(update_fields=["status", "review_due_at"])
        audit_record(
            actor=actor, action="milestone.dispute", target=milestone, data={"reference": reference}
        )
    return milestone


SETTLEMENTS = {"refunded": "refund", "split": "split"}


def milestone_settle(
    *, milestone: Milestone, outcome: str, actor: Any, reference: str
) -> Milestone:
    """Close a milestone without acceptance: its escrow was refunded to the poster, or split by
    a dispute decision (called by payments and disputes once the money has moved). Such a
    milestone counts as finished, so the contract can complete. Idempotent per outcome."""
    if outcome not in SETTLEMENTS:
        raise ValidationFailed(_("Unknown outcome for a milestone."))
    with transaction.atomic():
        contract, milestone = milestone_lock(milestone_id=milestone.pk)
        if milestone.status == outcome:
            return milestone
        milestone.status = MILESTONE.check(milestone.status, SETTLEMENTS[outcome])
        milestone.review_due_at = None
        milestone.save(update_fields=["status", "review_due_at"])
        audit_record(
            actor=actor,
            action=f"milestone.{SETTLEMENTS[outcome]}",
            target=milestone,
            data={"reference": reference},
        )
        credit_inputs_changed(contract)
        _complete_if_done(contract, actor=actor)
    return milestone


def milestones_remind_deadlines(*, now: dt.datetime | None = None) -> int:
    """Remind providers of milestones due within two days, and posters of review windows
    closing within a day; returns how many reminders were due (each is deduplicated)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Milestone.objects.filter(
        status__in=[Milestone.Status.FUNDED, Milestone.Status.CHANGES_REQUESTED],
        due_date__lte=today + dt.timedelta(days=2),
        due_date__gte=today,
    ).values_list("id", flat=True)
    closing = Milestone.objects.filter(
        status=Milestone.Status.SUBMITTED,
        review_due_at__lte=now + dt.timedelta(days=1),
        review_due_at__gt=now,
    ).values_list("id", flat=True)
    count = 0
    for event, ids in (("milestone_due_soon", due), ("review_window_closing", closing)):
        for milestone_id in ids:
            notifications.deliver(event, milestone_id)
            count += 1
    return count
