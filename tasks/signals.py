"""Domain events for apps that depend on tasks (bids, payments, search) to react to.

Sent inside the service's transaction, so a receiver's writes commit or roll back with it.
Receivers must schedule their own side effects with transaction.on_commit.
"""

from django.dispatch import Signal

# task, actor, reason
task_cancelled = Signal()
# task (the transition may be to "closed" or to "expired")
task_bidding_closed = Signal()
# task, changed: the task's public fields changed (search reindexes)
task_changed = Signal()
# milestone, actor (None when the review window ran out)
milestone_accepted = Signal()
