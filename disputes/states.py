"""The allowed moves of a dispute: read this table, not the services.

opened ─respond→ evidence ─(window closes)→ mediation ─decide→ decided ─execute→ executed
opened ─(respondent silent past the deadline)→ mediation
decided ─appeal→ appealed ─decide_appeal→ decided (final) ─execute→ executed
"""

from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute
from marketplace.fsm import StateMachine, move

D = Dispute.Status
DISPUTE = StateMachine(
    _("dispute"),
    dict(D.choices),
    [
        move("respond", D.OPENED, D.EVIDENCE),
        move("to_mediation", [D.OPENED, D.EVIDENCE], D.MEDIATION),
        move("decide", [D.EVIDENCE, D.MEDIATION], D.DECIDED),
        move("appeal", D.DECIDED, D.APPEALED),
        move("decide_appeal", D.APPEALED, D.DECIDED),
        move("execute", D.DECIDED, D.EXECUTED),
    ],
)
# The parties may add evidence files until a decision.
EVIDENCE_OPEN = frozenset({D.OPENED, D.EVIDENCE, D.MEDIATION})
# A dispute a mediator works on (the queue): everything not yet executed.
OPEN = frozenset({D.OPENED, D.EVIDENCE, D.MEDIATION, D.DECIDED, D.APPEALED})
