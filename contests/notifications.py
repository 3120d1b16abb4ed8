"""Who hears about a contest's phases, in their own language (the kernel's registry).

Every notification carries a dedupe key per event, object and recipient, so a repeated
delivery writes nothing new.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import provider_profile_members
from contests.models import Contest, Objection, Reviewer, Submission
from disputes.notifications import mediators
from marketplace.notifications import link, notification, notification_kind, t
from tasks.notifications import moderators, poster_recipients

notification_kind("contest_phase", gettext_lazy("Contests I post or take part in"))
notification_kind("contest_review", gettext_lazy("Contests I review"))
notification_kind("contest_objection", gettext_lazy("Objections to contest results"))


def _participants(contest: Contest) -> list[Any]:
    people: list[Any] = []
    for entry in contest.entries.select_related("provider"):
        people += provider_profile_members(profile=entry.provider)
    return people


def _reviewers(contest: Contest) -> list[Any]:
    return [r.user for r in Reviewer.objects.filter(contest=contest).select_related("user")]


@notification(
    "contest_opened",
    "contest_review_started",
    "contest_winners_published",
    "contest_paid",
    "contest_returned",
)
def _contest_event(event: str, contest_id: int, tag: str) -> None:
    contest = Contest.objects.select_related("task__organization", "task__created_by").get(
        pk=contest_id
    )
    task = contest.task
    url = link("frontend:contest_detail", task.pk)
    title = {"title": task.title}
    if event == "contest_opened":
        recipients = poster_recipients(task)
        message = Message(
            "contest_phase",
            t(gettext_noop("Prize funded, contest open: %(title)s"), title),
            t(gettext_noop("Solvers can register and submit until the submission deadline.")),
            url,
        )
    elif event == "contest_review_started":
        recipients = [*poster_recipients(task), *_reviewers(contest)]
        message = Message(
            "contest_review",
            t(gettext_noop("Submissions closed, review begins: %(title)s"), title),
            t(gettext_noop("Reviewers fill in a scorecard for every submission.")),
            link("frontend:contest_review", task.pk),
        )
    elif event == "contest_winners_published":
        recipients = [*poster_recipients(task), *_participants(contest)]
        message = Message(
            "contest_phase",
            t(gettext_noop("Provisional winners in publicity: %(title)s"), title),
            t(gettext_noop("Participants may object with a reason until the window closes.")),
            link("frontend:contest_publicity", task.pk),
        )
    elif event == "contest_paid":
        recipients = [*poster_recipients(task), *_participants(contest)]
        message = Message(
            "contest_phase",
            t(gettext_noop("Winners announced and prizes paid: %(title)s"), title),
            None,
            link("frontend:contest_publicity", task.pk),
        )
    else:
        recipients = [*poster_recipients(task), *_participants(contest)]
        message = Message(
            "contest_phase",
            t(gettext_noop("Contest closed without a winner, prize returned: %(title)s"), title),
            None,
            url,
        )
    _send(recipients, message, f"{event}:{contest.pk}:{tag}")


@notification("contest_submission_received")
def _submission_event(event: str, submission_id: int, tag: str) -> None:
    sub = Submission.objects.select_related("entry__provider", "entry__contest__task").get(
        pk=submission_id
    )
    task = sub.entry.contest.task
    _send(
        provider_profile_members(profile=sub.entry.provider),
        Message(
            "contest_phase",
            t(gettext_noop("Submission received for %(title)s"), {"title": task.title}),
            t(gettext_noop("It is sealed: rivals never see it before the announcement.")),
            link("frontend:contest_submit", task.pk),
        ),
        f"{event}:{sub.pk}",
    )


@notification("contest_reviewer_invited")
def _reviewer_event(event: str, reviewer_id: int, tag: str) -> None:
    reviewer = Reviewer.objects.select_related("user", "contest__task").get(pk=reviewer_id)
    task = reviewer.contest.task
    _send(
        [reviewer.user],
        Message(
            "contest_review",
            t(
                gettext_noop("You are invited to review the contest %(title)s"),
                {"title": task.title},
            ),
            t(gettext_noop("Accept the role (and the task's NDA) to score the submissions.")),
            link("frontend:contest_review", task.pk),
        ),
        f"{event}:{reviewer.pk}",
    )


@notification("contest_objection_filed", "contest_objection_decided")
def _objection_event(event: str, objection_id: int, tag: str) -> None:
    objection = Objection.objects.select_related(
        "contest__task__organization", "contest__task__created_by", "entry__provider"
    ).get(pk=objection_id)
    task = objection.contest.task
    url = link("frontend:contest_publicity", task.pk)
    if event == "contest_objection_filed":
        recipients = [*poster_recipients(task), *moderators(), *mediators()]
        message = Message(
            "contest_objection",
            t(gettext_noop("Objection to the winners of %(title)s"), {"title": task.title}),
            t(gettext_noop("The prize pool is frozen until the objection is decided.")),
            url,
        )
    else:
        recipients = [
            *poster_recipients(task),
            *provider_profile_members(profile=objection.entry.provider),
        ]
        message = Message(
            "contest_objection",
            t(
                gettext_noop("Objection upheld, winners to be confirmed again: %(title)s"),
                {"title": task.title},
            )
            if objection.status == Objection.Status.UPHELD
            else t(gettext_noop("Objection dismissed: %(title)s"), {"title": task.title}),
            None,
            url,
        )
    _send(recipients, message, f"{event}:{objection.pk}")
