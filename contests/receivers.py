"""How contests follow payments (payments cannot import contests: it signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from payments.signals import pool_funded


@receiver(pool_funded, dispatch_uid="contests.pool_funded")
def open_funded_contest(sender: Any, *, task_id: int, **kwargs: Any) -> None:
    from contests.services import contest_funding_arrived

    contest_funding_arrived(task_id=task_id)
