"""Payments listen to contracts' events; effects run after the contract's commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def on_milestone_accepted(sender: Any, *, milestone: Any, **kwargs: Any) -> None:
    """An accepted milestone's money is due: release it once the acceptance is committed."""
    from payments.tasks import release_milestone

    milestone_id: int = milestone.pk
    transaction.on_commit(lambda: release_milestone.delay(milestone_id))
