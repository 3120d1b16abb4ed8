"""The allowed moves of a contest: read this table, not the services.

draft → funding → open (registration and submissions) → review → publicity (公示, the
objection window) → paid (announced, prizes paid); from open or review it may instead be
returned (no submission, or none reached the pass mark of a non-guaranteed contest); an
upheld objection sends publicity back to review; draft and funding may be cancelled.
"""

from django.utils.translation import gettext_lazy as _

from contests.models import Contest
from marketplace.fsm import StateMachine, move

S = Contest.Status
CONTEST = StateMachine(
    _("contest"),
    dict(S.choices),
    [
        move("submit", S.DRAFT, S.FUNDING),
        move("open", S.FUNDING, S.OPEN),
        move("close_submissions", S.OPEN, S.REVIEW),
        move("confirm_winners", S.REVIEW, S.PUBLICITY),
        move("reopen_review", S.PUBLICITY, S.REVIEW),
        move("pay", S.PUBLICITY, S.PAID),
        move("return", [S.OPEN, S.REVIEW], S.RETURNED),
        move("cancel", [S.DRAFT, S.FUNDING], S.CANCELLED),
    ],
)

# The contest is visible to the public (its task is published and funded).
CONTEST_PUBLIC = frozenset({S.OPEN, S.REVIEW, S.PUBLICITY, S.PAID, S.RETURNED})
