"""The contract side of an award: a bid's agreed terms become a contract."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bids.models import Bid
from bids.services import bid_lock_for_award, bids_settle_award
from contracts.events import credit_inputs_changed
from contracts.models import Contract, Milestone
from marketplace.audit import audit_batch, audit_record
from marketplace.db import fill_related, violated_constraint
from marketplace.errors import Conflict, InvalidTransition, NotAllowed
from marketplace.permissions import require_active_user
from marketplace.terms import MilestoneTerms, milestone_terms_check
from tasks.selectors import task_capabilities
from tasks.services import task_lock, task_mark_awarded

# The constraints an award can break by racing another (PostgreSQL's names, SQLite's columns).
ONE_CONTRACT = (
    "contract_one_per_tender_task",
    "contract_one_per_bid",
    "contracts_contract.task_id",
    "contracts_contract.bid_id",
)


def contract_award(*, actor: Any, bid: Bid) -> Contract:
    """Award the task to this bid, atomically: the contract is made from the bid's terms (the
    terms of the negotiation offer its two sides accepted, when they agreed one, and the
    contract records that offer), the bid wins, every other live bid is declined and everyone
    is told.

    In tender mode a task has one contract: the task's row lock serialises awards, and the
    partial unique constraint on (task) for tender contracts backs it up. The task is locked
    first here because no contract exists yet (the lock order only binds existing contracts).
    """
    require_active_user(actor)
    try:
        with transaction.atomic(), audit_batch():
            contract = _award(actor=actor, bid=bid)
    except IntegrityError as error:
        # The second award of a tender task breaks the one-contract constraint: the whole
        # award rolls back (no savepoint around the insert), a conflict for the caller.
        broken = violated_constraint(error)
        if not any(name in broken for name in ONE_CONTRACT):
            raise
        raise Conflict(_("This task has already been awarded."), code="already_awarded") from None
    return contract


def _award(*, actor: Any, bid: Bid) -> Contract:
    task = task_lock(task_id=bid.task_id)
    capabilities = task_capabilities(user=actor, task=task)
    if not capabilities.manage:
        raise NotAllowed(_("Only the poster organization's owners and admins can award."))
    if Contract.objects.filter(task=task, mode=Contract.Mode.TENDER).exists():
        raise Conflict(_("This task has already been awarded."), code="already_awarded")
    if not capabilities.award:
        raise InvalidTransition(
            _("A task that is %(state)s cannot be awarded.") % {"state": task.get_status_display()}
        )
    bid = bid_lock_for_award(bid_id=bid.pk, task=task)
    terms = [
        MilestoneTerms(
            title=m.title, amount=m.amount, due_days=m.due_days, description=m.description
        )
        for m in bid.milestones.order_by("position")
    ]
    milestone_terms_check(terms, amount=bid.amount, duration_days=bid.duration_days)
    contract = Contract.objects.create(
        task=task,
        organization_id=task.organization_id,
        provider=bid.provider,
        mode=Contract.Mode.TENDER,
        bid=bid,
        accepted_offer_id=bid.agreed_offer_id,
        amount=bid.amount,
        currency=bid.currency,
        duration_days=bid.duration_days,
        ip_terms=task.ip_terms,
        ip_terms_custom=task.ip_terms_custom,
        awarded_by=actor,
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(
            contract=contract,
            position=position,
            title=m.title,
            description=m.description,
            amount=m.amount,
            due_days=m.due_days,
        )
        for position, m in enumerate(terms, start=1)
    )
    fill_related(contract, "milestones", milestones)
    task_mark_awarded(task=task, actor=actor)
    declined = bids_settle_award(actor=actor, task=task, winner=bid)
    audit_record(
        actor=actor,
        action="contract.create",
        target=contract,
        data={
            "amount": contract.amount,
            "currency": contract.currency,
            "bid": bid.pk,
            "offer": bid.agreed_offer_id,
            "declined": declined,
        },
    )
    credit_inputs_changed(contract)
    return contract
