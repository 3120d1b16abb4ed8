"""The allowed moves of piece-work terms: read this table, not the services.

draft → funding (the poster is done writing) → open (the pool holds units × price: claims,
deliveries, decisions) → closed (the deadline passed with nothing left to review, or the
poster closed it; what was not paid returns); draft and funding may be cancelled.
"""

from django.utils.translation import gettext_lazy as _

from marketplace.fsm import StateMachine, move
from piecework.models import Terms

S = Terms.Status
PIECEWORK = StateMachine(
    _("piece-work"),
    dict(S.choices),
    [
        move("submit", S.DRAFT, S.FUNDING),
        move("open", S.FUNDING, S.OPEN),
        move("close", S.OPEN, S.CLOSED),
        move("cancel", [S.DRAFT, S.FUNDING], S.CANCELLED),
    ],
)

# The terms are visible to the public (the task is published and funded).
PIECEWORK_PUBLIC = frozenset({S.OPEN, S.CLOSED})
