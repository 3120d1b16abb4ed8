"""Signals payments sends to the apps above it, which payments may not import (the layers).

`pool_funded` tells the contests and piece-work apps that money arrived in a task's pool: sent
once per successful pool payment, after its transaction commits, with `task_id` (int) and
`amount` (Money: that payment's amount, not the pool's total; ask
payments.selectors.task_pool_state for the total held).
"""

from __future__ import annotations

from django.dispatch import Signal

pool_funded = Signal()
