"""Contests for the tests, built through the real services: a poster, a draft, an open
(funded) contest, solvers who register and submit, reviewers who score, phases moved by
passing `now` to the phase services (the beat job's entry points)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import TestCase
from django.utils import timezone

from accounts.models import Membership
from contests.models import Contest, Criterion, Submission
from contests.services import (
    contest_close_submissions,
    contest_create,
    contest_fund_start,
    contest_register,
    contest_reviewer_accept,
    contest_reviewer_add,
    contest_submission_create,
    contest_submit,
    scorecard_submit,
)
from payments.models import ConnectedAccount
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    make_org_member,
)
from tests.frontend.contracts_setup import pdf

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def terms(**over: Any) -> dict[str, Any]:
    now = timezone.now()
    fields: dict[str, Any] = {
        "kind": "rd_solution",
        "title": "揭榜挂帅：轴承缺陷检测算法",
        "summary": "为轴承表面缺陷设计检测算法，奖金预先托管。",
        "description": "## 题目\n检测划痕与凹坑。\n\n## 评审\n按准确率与可部署性评分。",
        "skills": {SkillFactory(slug="machine-vision").pk: 5},
        "prize_total": 100_000_00,
        "prizes": [60_000_00, 30_000_00, 10_000_00],
        "criteria": [("准确率", 60), ("可部署性", 40)],
        "registration_opens": now,
        "submission_closes": now + 2 * HOUR,
        "review_closes": now + DAY,
        "objection_closes": now + 2 * DAY,
        "announce_at": now + 2 * DAY + HOUR,
        "guaranteed": True,
    }
    fields.update(over)
    return fields


def poster() -> tuple[Any, Any]:
    owner = UserFactory()
    return OrganizationFactory(owner=owner), owner


def draft_contest(**over: Any) -> Contest:
    organization, owner = poster()
    return contest_create(actor=owner, organization=organization, **terms(**over))


def owner_of(contest: Contest) -> Any:
    return (
        Membership.objects.filter(
            organization_id=contest.task.organization_id, role=Membership.Role.OWNER
        )
        .select_related("user")
        .first()
        .user
    )


def open_contest(**over: Any) -> Contest:
    """Submitted, funded on the sandbox; the pool_funded signal (after commit) opens it."""
    contest = draft_contest(**over)
    owner = owner_of(contest)
    contest_submit(actor=owner, contest=contest)
    with TestCase.captureOnCommitCallbacks(execute=True):
        contest_fund_start(actor=owner, contest=contest)
    contest.refresh_from_db()
    contest.task.refresh_from_db()
    return contest


def solver() -> Any:
    """A provider with an active payout account (sandbox), and the user who acts for it."""
    profile = ProviderProfileFactory()
    ConnectedAccount.objects.create(
        provider=profile,
        external_id=f"acct_{profile.pk}",
        payouts_enabled=True,
        transfers_active=True,
        details_submitted=True,
    )
    return profile.user


def enter(contest: Contest, user: Any, title: str = "方案") -> Submission:
    contest_register(actor=user, contest=contest)
    return contest_submission_create(
        actor=user, contest=contest, title=title, note="检测算法与验证报告。", files=[pdf()]
    )


def member_reviewer(contest: Contest) -> Any:
    user = UserFactory()
    make_org_member(user, contest.task.organization, Membership.Role.MEMBER)
    contest_reviewer_add(actor=owner_of(contest), contest=contest, user=user)
    return user


def expert_reviewer(contest: Contest) -> Any:
    user = UserFactory()
    reviewer = contest_reviewer_add(actor=owner_of(contest), contest=contest, user=user)
    contest_reviewer_accept(actor=user, reviewer=reviewer)
    return user


def to_review(contest: Contest) -> Contest:
    contest_close_submissions(contest_id=contest.pk, now=contest.submission_closes)
    contest.refresh_from_db()
    return contest


def score(contest: Contest, reviewer: Any, submission: Submission, *values: int) -> None:
    criteria = list(Criterion.objects.filter(contest=contest).order_by("position"))
    scorecard_submit(
        actor=reviewer,
        contest=contest,
        submission_id=submission.pk,
        scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
    )


def reviewed_contest(**over: Any) -> tuple[Contest, list[Submission], list[Any]]:
    """An open contest with three submissions, two reviewers (a member and an expert) who
    scored them all, in review: the ranking is subs[0] > subs[1] > subs[2]."""
    contest = open_contest(**over)
    reviewers = [member_reviewer(contest), expert_reviewer(contest)]
    solvers = [solver(), solver(), solver()]
    subs = [enter(contest, user, f"方案 {i}") for i, user in enumerate(solvers, start=1)]
    to_review(contest)
    for reviewer in reviewers:
        score(contest, reviewer, subs[0], 90, 80)
        score(contest, reviewer, subs[1], 70, 70)
        score(contest, reviewer, subs[2], 50, 40)
    return contest, subs, solvers
