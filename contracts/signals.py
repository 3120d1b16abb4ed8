"""Domain events of contracts for the apps above (payments, disputes) to react to.

Sent inside the service's transaction, so a receiver's writes commit or roll back with it;
receivers schedule their own side effects with transaction.on_commit.
"""

from django.dispatch import Signal

# milestone, contract, actor (None when the review window ran out)
milestone_accepted = Signal()
