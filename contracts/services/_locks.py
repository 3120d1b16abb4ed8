"""The one lock order of contracts: the contract, then its milestones, then the task.

Every service that changes more than one of them takes the locks through these helpers, in
this order, so two of them can never wait on each other (funding racing an acceptance, two
acceptances of one contract). A check over several milestones ("are all of them done?") reads
them under the contract's lock: every change to a milestone holds that lock too.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from contracts.models import Contract, Milestone
from marketplace.errors import NotFound


def contract_lock(*, contract_id: int) -> Contract:
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("task", "provider", "organization")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise NotFound(_("This contract does not exist or is not visible to you."))
    return contract


def milestone_lock(*, milestone_id: int) -> tuple[Contract, Milestone]:
    """The milestone's contract, then the milestone, both locked."""
    contract_id = (
        Milestone.objects.filter(pk=milestone_id).values_list("contract_id", flat=True).first()
    )
    if contract_id is None:
        raise NotFound(_("This milestone does not exist or is not visible to you."))
    contract = contract_lock(contract_id=contract_id)
    milestone = Milestone.objects.select_for_update().get(pk=milestone_id)
    milestone.contract = contract
    return contract, milestone


def milestones_lock(*, contract: Contract) -> list[Milestone]:
    """All milestones of a contract whose lock the caller holds, in order."""
    milestones = list(contract.milestones.select_for_update().order_by("position"))
    for milestone in milestones:
        milestone.contract = contract
    return milestones
