"""Contracts without a bid: a contest's prize, made when the prize is paid, and a piece-work
task's accepted unit, made when the unit is accepted.

The contest (piece-work) app decides who won (which unit passed) and how much; this makes the
contract (mode contest or piecework, one milestone of the whole amount) and, once the task's
pool has funded it, accepts the winning submission (the delivered unit) as the milestone's
delivery through the normal acceptance path, so payments releases the money exactly as for
any accepted milestone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from contracts.events import credit_inputs_changed
from contracts.models import Contract, Delivery, Milestone
from contracts.services._locks import milestone_lock
from contracts.services.delivery import _accept
from contracts.states import MILESTONE
from marketplace.audit import audit_record
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.money import Money
from tasks.models import Task

POOLED_MODES = {
    Task.Mode.CONTEST: Contract.Mode.CONTEST,
    Task.Mode.PIECEWORK: Contract.Mode.PIECEWORK,
}


def contract_create_for_prize(
    *,
    actor: Any,
    task: Task,
    provider: ProviderProfile,
    amount: Money,
    title: str,
    description: str = "",
) -> Contract:
    """A prize contract for one contest winner, awaiting its funding from the task's pool.
    The contest service that calls this has checked the actor and holds the contest's lock
    (which serialises payouts); no task lock is taken here (the pool's funding takes it)."""
    if task.mode not in POOLED_MODES:
        raise ValidationFailed(
            _("Only a contest's prize or a piece-work unit becomes a contract without a bid.")
        )
    if amount.amount <= 0 or amount.currency != task.currency:
        raise ValidationFailed(_("A prize must be a positive amount in the task's currency."))
    with transaction.atomic():
        contract = Contract.objects.create(
            task=task,
            organization_id=task.organization_id,
            provider=provider,
            mode=POOLED_MODES[Task.Mode(task.mode)],
            bid=None,
            amount=amount.amount,
            currency=amount.currency,
            duration_days=1,
            ip_terms=task.ip_terms,
            ip_terms_custom=task.ip_terms_custom,
            awarded_by=actor,
        )
        Milestone.objects.create(
            contract=contract,
            position=1,
            title=title[:120],
            description=description or _("The winning contest submission."),
            amount=amount.amount,
            due_days=1,
        )
        audit_record(
            actor=actor,
            action="contract.create_prize",
            target=contract,
            data={"amount": amount.amount, "currency": amount.currency},
        )
        credit_inputs_changed(contract)
    return contract


def prize_delivery_accept(
    *, actor: Any, contract: Contract, note: str, submitted_by: Any, auto: bool = False
) -> Milestone:
    """Record the winning submission as the prize milestone's delivery and accept it at once
    (the poster already chose it, and publicity is over): payments then releases the prize.
    Refused unless the pool funded the milestone; idempotent once accepted."""
    with transaction.atomic():
        milestone_id = (
            Milestone.objects.filter(contract_id=contract.pk).values_list("pk", flat=True).first()
        )
        if milestone_id is None:
            raise InvalidTransition(_("This prize contract has no milestone."))
        contract, milestone = milestone_lock(milestone_id=milestone_id)
        if contract.mode not in POOLED_MODES.values():
            raise InvalidTransition(
                _("Only a contest prize or a piece-work unit is accepted this way.")
            )
        if milestone.status in (Milestone.Status.ACCEPTED, Milestone.Status.RELEASED):
            return milestone
        if milestone.status != Milestone.Status.FUNDED:
            raise InvalidTransition(_("The prize is not in escrow yet."))
        now = timezone.now()
        milestone.status = MILESTONE.check(milestone.status, "submit")
        milestone.submitted_at = now
        milestone.save(update_fields=["status", "submitted_at"])
        Delivery.objects.create(
            milestone=milestone,
            round=1,
            note=note[:8000],
            submitted_by=submitted_by,
        )
        _accept(milestone, contract, actor=actor, auto=auto)
    return milestone
