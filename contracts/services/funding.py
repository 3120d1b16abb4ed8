"""Funding: the escrow for some or all milestones arrived, so work can start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.events import credit_inputs_changed
from contracts.models import Contract, Milestone
from contracts.services._locks import contract_lock, milestones_lock
from contracts.states import CONTRACT, MILESTONE
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, ValidationFailed
from tasks.services import task_mark_started


def contract_funding_received(
    *, contract: Contract, milestone_ids: Iterable[int] | None = None, reference: str
) -> Contract:
    """Mark milestones funded once their money is in escrow: THE entry point for payments.

    Idempotent (a repeated webhook is a no-op): milestones already funded or beyond are left
    as they are. The first funding starts the contract: due dates are fixed from today and the
    task moves to in progress. Locks the contract, its milestones, then the task.
    """
    with transaction.atomic():
        contract = contract_lock(contract_id=contract.pk)
        if contract.status == Contract.Status.CANCELLED:
            raise InvalidTransition(_("This contract was cancelled; it cannot be funded."))
        milestones = milestones_lock(contract=contract)
        wanted = set(milestone_ids) if milestone_ids is not None else {m.pk for m in milestones}
        if wanted - {m.pk for m in milestones}:
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
            if contract.mode != Contract.Mode.PIECEWORK:
                # A piece-work task takes claims while its unit contracts are paid: the
                # piecework app moves the task itself when it closes.
                task_mark_started(task_id=contract.task_id)
            credit_inputs_changed(contract)
        Milestone.objects.bulk_update(milestones, ["status", "funded_at", "due_date"])
        audit_record(
            actor=None,
            action="contract.funded",
            target=contract,
            data={"milestones": [m.position for m in funded], "reference": reference},
        )
        notifications.schedule("contract_funded", contract.pk, tag=reference)
    return contract
