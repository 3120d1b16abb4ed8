"""Milestone terms, one type and one validator for every place that proposes milestones.

A task's plan splits its budget by shares (basis points of 100%); a bid, a negotiation offer
and a contract split an amount of money. Both are MilestoneTerms, checked by
`milestone_terms_problems`, so "milestones fall due in order" or "every milestone needs a
title" read the same wherever they are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from marketplace.errors import ValidationFailed

FULL_SHARE_BPS = 10_000
MAX_TITLE = 120
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class MilestoneTerms:
    """One milestone: what is delivered, by which day after the start, for how much.

    `amount` (minor units) for bids, offers and contracts; `share_bps` for a task's plan.
    """

    title: str
    due_days: int
    amount: int = 0
    share_bps: int = 0
    description: str = ""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def milestone_terms_problems(
    terms: Sequence[MilestoneTerms],
    *,
    amount: int | None = None,
    duration_days: int | None = None,
    sum_message: str | Promise | None = None,
) -> list[str | Promise]:
    """What is wrong with a list of milestones, in the user's words ([] when nothing is).

    With `amount`, the milestones split that sum of money; without it they split 100% of a
    budget by shares. With `duration_days`, the last one must fall due within it.
    """
    problems: list[str | Promise] = []
    if any(not t.title.strip() or len(t.title) > MAX_TITLE for t in terms):
        problems.append(_("Every milestone needs a title of at most 120 characters."))
    if any(len(t.description) > MAX_DESCRIPTION for t in terms):
        problems.append(_("Keep each milestone's description to 2,000 characters."))
    if amount is not None:
        if any(not _is_int(t.amount) or t.amount <= 0 for t in terms):
            problems.append(_("Every milestone needs an amount above zero."))
        elif sum(t.amount for t in terms) != amount:
            problems.append(sum_message or _("The milestones must add up to the contract amount."))
    else:
        if sum(t.share_bps for t in terms if _is_int(t.share_bps)) != FULL_SHARE_BPS:
            problems.append(sum_message or _("The milestones' shares must add up to 100%."))
        if any(not _is_int(t.share_bps) or t.share_bps <= 0 for t in terms):
            problems.append(_("Every milestone needs a share above 0%."))
    days = [t.due_days for t in terms]
    if any(not _is_int(d) or d <= 0 for d in days) or days != sorted(days):
        problems.append(_("Milestones must fall due in order, at least a day after start."))
    elif duration_days is not None and days and days[-1] > duration_days:
        problems.append(_("The last milestone falls after the end of the proposed duration."))
    return problems


def milestone_terms_check(
    terms: Sequence[MilestoneTerms],
    *,
    amount: int,
    duration_days: int | None = None,
) -> None:
    """Raise ValidationFailed (on the `milestones` field) unless the terms split `amount`."""
    if not terms:
        raise ValidationFailed(
            _("Propose at least one milestone."),
            fields={"milestones": [_("Propose at least one milestone.")]},
        )
    problems = milestone_terms_problems(terms, amount=amount, duration_days=duration_days)
    if problems:
        raise ValidationFailed(problems[0], fields={"milestones": problems})
