"""Contracts: created by an award, started when the escrow is funded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, ValidationFailed
from tasks import notifications
from tasks.models import Contract, Milestone, Task
from tasks.states import CONTRACT, MILESTONE, TASK


@dataclass(frozen=True)
class MilestoneTerms:
    title: str
    amount: int
    due_days: int
    description: str = ""


def contract_create_from_award(
    *,
    actor: Any,
    task: Task,
    provider: ProviderProfile,
    source_bid_id: int | None,
    amount: int,
    currency: str,
    duration_days: int,
    milestones: Sequence[MilestoneTerms],
) -> Contract:
    """Create the contract of an award and move the task to awarded.

    The caller (bids.services.bid_award) holds the task's row lock and has checked the actor;
    the one-contract-per-task constraint backs the lock up.
    """
    if sum(m.amount for m in milestones) != amount or not milestones:
        raise ValidationFailed(_("The milestones must add up to the contract amount."))
    task.status = TASK.check(task.status, "award")
    task.awarded_at = timezone.now()
    task.save(update_fields=["status", "awarded_at", "updated_at"])
    contract = Contract.objects.create(
        task=task,
        organization_id=task.organization_id,
        provider=provider,
        source_bid_id=source_bid_id,
        amount=amount,
        currency=currency,
        duration_days=duration_days,
        ip_terms=task.ip_terms,
        ip_terms_custom=task.ip_terms_custom,
        awarded_by=actor,
    )
    Milestone.objects.bulk_create(
        Milestone(
            contract=contract,
            position=position,
            title=m.title,
            description=m.description,
            amount=m.amount,
            due_days=m.due_days,
        )
        for position, m in enumerate(milestones, start=1)
    )
    audit_record(
        actor=actor,
        action="contract.create",
        target=contract,
        data={"amount": amount, "currency": currency, "bid": source_bid_id},
    )
    return contract


def contract_funding_received(
    *, contract: Contract, milestone_ids: Iterable[int] | None = None, reference: str
) -> Contract:
    """Mark milestones funded once their money is in escrow: THE entry point for payments.

    Idempotent (a repeated webhook is a no-op): milestones already funded or beyond are left
    as they are. The first funding starts the contract: due dates are fixed from today and the
    task moves to in progress.
    """
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status == Contract.Status.CANCELLED:
            raise InvalidTransition(_("This contract was cancelled; it cannot be funded."))
        milestones = list(contract.milestones.select_for_update().order_by("position"))
        wanted = set(milestone_ids) if milestone_ids is not None else {m.pk for m in milestones}
        unknown = wanted - {m.pk for m in milestones}
        if unknown:
            raise ValidationFailed(_("These milestones are not part of this contract."))
        now = timezone.now()
        funded = []
        for milestone in milestones:
            if milestone.pk in wanted and milestone.status == Milestone.Status.AWAITING_FUNDING:
                milestone.status = MILESTONE.check(milestone.status, "fund")
                milestone.funded_at = now
                funded.append(milestone)
        if not funded:
            return contract
        if contract.status == Contract.Status.AWAITING_FUNDING:
            contract.status = CONTRACT.check(contract.status, "start")
            contract.started_at = now
            contract.save(update_fields=["status", "started_at"])
            start = timezone.localdate(now)
            for milestone in milestones:
                milestone.due_date = start + dt.timedelta(days=milestone.due_days)
            task = Task.objects.select_for_update().get(pk=contract.task_id)
            task.status = TASK.check(task.status, "start")
            task.save(update_fields=["status", "updated_at"])
        Milestone.objects.bulk_update(milestones, ["status", "funded_at", "due_date"])
        audit_record(
            actor=None,
            action="contract.funded",
            target=contract,
            data={"milestones": [m.position for m in funded], "reference": reference},
        )
        notifications.schedule("contract_funded", contract.pk, tag=reference)
    return contract
