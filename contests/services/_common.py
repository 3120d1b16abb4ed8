"""The contest's row lock, which every contest service takes first.

Lock order: the contest, then (a prize contract → its milestones → escrow → the task's pool),
then the task. Two services that race on one contest (two confirmations, an objection and
the payout, a late submission and the closing job) wait on this lock, then re-check the state.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from contests.models import Contest
from marketplace.errors import NotFound


def contest_lock(*, contest_id: int) -> Contest:
    contest = (
        Contest.objects.select_for_update(of=("self",))
        .select_related("task", "task__organization")
        .filter(pk=contest_id)
        .first()
    )
    if contest is None:
        raise NotFound(_("This contest does not exist or is not visible to you."))
    return contest
