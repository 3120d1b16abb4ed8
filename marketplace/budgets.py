"""What a hot path may cost: SQL statements and Redis commands per request.

Each hot path states its budget beside its view (`BUDGET = Budget(...)`, or a dict of them);
tests/test_hot_path_budgets.py sends the request and fails when it takes more. A change that
needs more raises the number where the view is, in review, with the reason. CPU is measured
by bench/hotpaths.py against its floors (ratios, not timed tests: the machines are shared).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    queries: int  # SQL statements, savepoints included
    redis: int  # Redis commands (the cache, the throttles, the Celery broker, the channel layer)
