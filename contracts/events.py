"""Change events of contracts: what they change in what search shows (the credit score)."""

from __future__ import annotations

from contracts.models import Contract
from marketplace.events import emit_changed


def credit_inputs_changed(contract: Contract) -> None:
    """A change to the contract moved an input of both sides' credit score and statistics
    (contracts won, completed, milestones on time, reviews): search re-ranks them."""
    emit_changed("provider", [contract.provider_id], fields=("credit",))
    emit_changed("organization", [contract.organization_id], fields=("credit",))
