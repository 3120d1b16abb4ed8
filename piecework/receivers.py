"""How piece-work follows payments (payments cannot import piecework: it signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from payments.signals import pool_funded


@receiver(pool_funded, dispatch_uid="piecework.pool_funded")
def open_funded_piecework(sender: Any, *, task_id: int, **kwargs: Any) -> None:
    from piecework.services import piecework_funding_arrived

    piecework_funding_arrived(task_id=task_id)
