"""Task pools for the payments tests: a contest task and its prize contracts.

The contests and piece-work apps make these contracts with their own services; here they are
made directly (a contract of the task with one milestone per part, no bid), which is all the
pool's services need: a contract of the task, awaiting funding.
"""

from __future__ import annotations

from typing import Any

from contracts.models import Contract, Milestone
from marketplace.money import Money
from payments.models import ConnectedAccount
from tasks.models import Task
from tests.accounts.factories import ProviderProfileFactory
from tests.bids.factories import operator_of
from tests.tasks.factories import TaskFactory, task_owner


def contest_task(**fields: Any) -> Task:
    fields.setdefault("mode", Task.Mode.CONTEST)
    return TaskFactory(**fields)


def prize_contract(
    task: Task, amount: int, *, parts: tuple[int, ...] | None = None, active: bool = True
) -> Contract:
    """A prize (or units) contract of the task for a new provider, awaiting funding; its
    provider's payout account is active (the sandbox's or a Stripe Connect account)."""
    profile = ProviderProfileFactory()
    Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(status=Task.Status.AWARDED)
    contract = Contract.objects.create(
        task=task,
        organization_id=task.organization_id,
        provider=profile,
        mode=Contract.Mode.PIECEWORK if task.mode == Task.Mode.PIECEWORK else Contract.Mode.CONTEST,
        bid=None,
        amount=amount,
        currency=task.currency,
        duration_days=30,
        ip_terms=task.ip_terms,
        status=Contract.Status.AWAITING_FUNDING,
        awarded_by=task_owner(task),
    )
    for position, part in enumerate(parts or (amount,), start=1):
        Milestone.objects.create(
            contract=contract, position=position, title=f"奖项 {position}", amount=part, due_days=30
        )
    if active:
        ConnectedAccount.objects.create(
            provider=profile,
            external_id=f"acct_{profile.pk}",
            payouts_enabled=True,
            transfers_active=True,
            details_submitted=True,
        )
    return contract


def solver(contract: Contract) -> Any:
    return operator_of(contract.provider)


def fen(amount: int) -> Money:
    return Money(amount, "CNY")


def deliver_and_accept(contract: Contract, position: int = 1) -> Milestone:
    """The solver delivers, the poster accepts: the normal acceptance path (its release runs
    after commit; wrap the call in django_capture_on_commit_callbacks(execute=True))."""
    from contracts.services import milestone_accept, milestone_submit
    from tests.frontend.contracts_setup import pdf

    milestone = contract.milestones.get(position=position)
    milestone_submit(
        actor=solver(contract), milestone=milestone, note="方案已提交。", files=[pdf()]
    )
    milestone.refresh_from_db()
    return milestone_accept(actor=task_owner(contract.task), milestone=milestone)
