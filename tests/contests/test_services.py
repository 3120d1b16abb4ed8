"""A contest from posting to payout through the real services (sandbox gateway), and every
bad input refused with a clear error and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase

from contests.models import Contest, Entry, Objection, Prize, Scorecard, Submission, Winner
from contests.selectors import contest_ranking, contest_submissions_for_user, scorecards_for_user
from contests.services import (
    contest_create,
    contest_pay,
    contest_register,
    contest_review_over,
    contest_submission_create,
    contest_winners_confirm,
    contests_advance_due,
    objection_decide,
    objection_file,
    scorecard_submit,
)
from contracts.models import Contract, Milestone
from marketplace.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from payments.selectors import task_pool_state
from tasks.models import Task
from tests.accounts.factories import UserFactory, grant
from tests.contests.setup import (
    HOUR,
    enter,
    open_contest,
    owner_of,
    poster,
    reviewed_contest,
    score,
    solver,
    terms,
    to_review,
)
from tests.frontend.contracts_setup import pdf

pytestmark = pytest.mark.django_db
S = Contest.Status


def counts() -> tuple[int, ...]:
    return (
        Task.objects.count(),
        Contest.objects.count(),
        Prize.objects.count(),
        Entry.objects.count(),
        Submission.objects.count(),
        Scorecard.objects.count(),
        Winner.objects.count(),
        Objection.objects.count(),
    )


def test_funding_the_whole_prize_opens_the_contest_and_publishes_its_task():
    contest = open_contest()
    assert contest.status == S.OPEN
    assert contest.task.mode == Task.Mode.CONTEST
    assert contest.task.status == Task.Status.OPEN
    assert task_pool_state(task_id=contest.task_id).held.amount == 100_000_00


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"prizes": [60_000_00, 30_000_00]}, "prizes"),  # 90,000 of a 100,000 prize
        ({"prizes": [10_000_00, 90_000_00]}, "prizes"),  # 2nd place wins more
        ({"criteria": [("准确率", 60), ("可部署性", 30)]}, "criteria"),  # weights 90
        ({"review_closes": None}, "review_closes"),
        ({"guaranteed": True, "return_fee_bps": 500}, "return_fee_bps"),
    ],
)
def test_bad_contest_terms_are_refused_by_field_and_write_nothing(over: dict[str, Any], field):
    organization, owner = poster()
    fields = terms(**over)
    if field == "review_closes" and fields["review_closes"] is None:
        # Phases out of order: review closes before submissions do.
        fields["review_closes"] = fields["submission_closes"] - HOUR
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        contest_create(actor=owner, organization=organization, **fields)
    assert field in caught.value.fields, caught.value.fields
    assert counts() == before


def test_a_submission_after_the_deadline_is_refused_and_nothing_is_written():
    contest = open_contest()
    user = solver()
    contest_register(actor=user, contest=contest)
    before = counts()
    with pytest.raises(InvalidTransition) as caught:
        contest_submission_create(
            actor=user,
            contest=contest,
            title="迟到的方案",
            note="截止之后提交。",
            files=[pdf()],
            now=contest.submission_closes,
        )
    assert caught.value.code == "submissions_closed"
    assert counts() == before


def test_registration_follows_the_bid_rules():
    contest = open_contest()
    with pytest.raises(NotAllowed) as own:
        contest_register(actor=owner_of(contest), contest=contest)
    assert own.value.code == "own_task"
    user = solver()
    contest_register(actor=user, contest=contest)
    with pytest.raises(Conflict):
        contest_register(actor=user, contest=contest)


def test_submissions_are_sealed_from_rivals_and_from_a_blind_poster():
    contest = open_contest(blind=True)
    first, second = solver(), solver()
    sub = enter(contest, first)
    enter(contest, second)
    assert list(contest_submissions_for_user(user=first, contest=contest)) == [sub]
    assert sub not in contest_submissions_for_user(user=second, contest=contest)
    assert not contest_submissions_for_user(user=owner_of(contest), contest=contest).exists()
    assert sub.files.get().sha256


def test_a_scorecard_from_someone_who_is_not_a_reviewer_is_refused():
    contest, subs, solvers = reviewed_contest()
    outsider = UserFactory()
    before = counts()
    for actor in (outsider, solvers[1], owner_of(contest)):
        with pytest.raises(NotAllowed) as caught:
            score(contest, actor, subs[0], 100, 100)
        assert caught.value.code == "not_reviewer"
    assert counts() == before


def test_a_scorecard_out_of_range_is_refused_by_criterion():
    contest = open_contest()
    from tests.contests.setup import member_reviewer

    reviewer = member_reviewer(contest)
    sub = enter(contest, solver())
    to_review(contest)
    criteria = list(contest.criteria.order_by("position"))
    with pytest.raises(ValidationFailed) as caught:
        scorecard_submit(
            actor=reviewer,
            contest=contest,
            submission_id=sub.pk,
            scores={criteria[0].pk: 101},
        )
    assert len(caught.value.fields) == 2
    assert not Scorecard.objects.exists()


def test_each_reviewer_sees_only_their_own_scores_until_all_are_in():
    contest = open_contest()
    from tests.contests.setup import expert_reviewer, member_reviewer

    first, second = member_reviewer(contest), expert_reviewer(contest)
    sub = enter(contest, solver())
    to_review(contest)
    score(contest, first, sub, 80, 80)
    assert scorecards_for_user(user=first, contest=contest).count() == 1
    assert not scorecards_for_user(user=second, contest=contest).exists()
    score(contest, second, sub, 60, 60)
    assert scorecards_for_user(user=first, contest=contest).count() == 2


def test_ranking_is_the_weighted_average_and_a_changed_order_needs_a_reason():
    contest, subs, _solvers = reviewed_contest()
    ranking = contest_ranking(contest=contest)
    assert [row.submission for row in ranking] == subs
    assert ranking[0].score == "86.00"  # 90×60% + 80×40%
    owner = owner_of(contest)
    with pytest.raises(ValidationFailed) as caught:
        contest_winners_confirm(actor=owner, contest=contest, submission_ids=[subs[1].pk])
    assert "reason" in caught.value.fields
    assert not Winner.objects.exists()
    winners = contest_winners_confirm(
        actor=owner,
        contest=contest,
        submission_ids=[subs[1].pk, subs[0].pk],
        reason="第一名方案无法在产线部署。",
    )
    assert [(w.rank, w.submission_id, w.computed_rank) for w in winners] == [
        (1, subs[1].pk, 2),
        (2, subs[0].pk, 1),
    ]
    contest.refresh_from_db()
    assert contest.status == S.PUBLICITY
    assert contest.task.status == Task.Status.AWARDED


def test_whole_contest_pays_winners_records_ip_and_returns_unawarded_prizes(celery_eager):
    contest, subs, solvers = reviewed_contest()
    owner = owner_of(contest)
    contest_winners_confirm(actor=owner, contest=contest, submission_ids=[subs[0].pk, subs[1].pk])
    contest.refresh_from_db()
    objection = objection_file(
        actor=solvers[2], contest=contest, reason="评分标准与公告不一致，请复核。"
    )
    assert task_pool_state(task_id=contest.task_id).frozen
    # While the objection is open, the announcement does nothing.
    assert contest_pay(contest_id=contest.pk, now=contest.announce_at) is None
    mediator = grant(UserFactory(is_staff=True), "disputes.decide_dispute")
    objection_decide(actor=mediator, objection=objection, upheld=False, note="评分符合公告。")
    assert not task_pool_state(task_id=contest.task_id).frozen
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert contests_advance_due(now=contest.announce_at) == 1
    contest.refresh_from_db()
    assert contest.status == S.PAID
    winners = list(contest.winners.order_by("rank"))
    for winner, sub in zip(winners, subs, strict=False):
        assert winner.paid_at
        assert winner.ip_transferred_at
        assert winner.ip_terms == Task.IpTerms.TRANSFER
        contract = winner.contract
        assert contract.mode == Contract.Mode.CONTEST
        assert contract.bid is None
        assert contract.provider == sub.entry.provider
        assert contract.milestones.get().status == Milestone.Status.RELEASED
    state = task_pool_state(task_id=contest.task_id)
    assert state.allocated.amount == 90_000_00
    assert state.returned.amount == 10_000_00  # the unawarded 3rd prize, guaranteed: no fee
    assert state.held.amount == 0
    # Twice or late: nothing more happens.
    assert contests_advance_due(now=contest.announce_at + HOUR) == 0
    assert Contract.objects.filter(task=contest.task).count() == 2


def test_a_late_objection_and_one_from_a_non_participant_are_refused():
    contest, subs, solvers = reviewed_contest()
    contest_winners_confirm(actor=owner_of(contest), contest=contest, submission_ids=[subs[0].pk])
    contest.refresh_from_db()
    with pytest.raises(NotAllowed):
        objection_file(actor=UserFactory(), contest=contest, reason="我不是参赛者但是有意见。")
    with pytest.raises(InvalidTransition):
        objection_file(
            actor=solvers[1],
            contest=contest,
            reason="公示期已经结束了但是仍然质疑。",
            now=contest.objection_closes,
        )
    assert not Objection.objects.exists()


def test_an_upheld_objection_sends_the_contest_back_to_review():
    contest, subs, solvers = reviewed_contest()
    contest_winners_confirm(actor=owner_of(contest), contest=contest, submission_ids=[subs[0].pk])
    objection = objection_file(
        actor=solvers[1], contest=contest, reason="获奖方案抄袭了公开论文的代码。"
    )
    moderator = grant(UserFactory(is_staff=True), "tasks.moderate_task")
    objection_decide(actor=moderator, objection=objection, upheld=True, note="查证属实。")
    contest.refresh_from_db()
    assert contest.status == S.REVIEW
    assert not Winner.objects.filter(contest=contest).exists()
    with pytest.raises(NotAllowed):
        objection_decide(actor=solvers[0], objection=objection, upheld=False, note="不算数。")


def test_a_non_guaranteed_contest_below_the_pass_mark_returns_less_the_fee():
    contest, _subs, _solvers = reviewed_contest(guaranteed=False, return_fee_bps=500, pass_mark=90)
    assert contest_review_over(contest_id=contest.pk, now=contest.review_closes) is not None
    contest.refresh_from_db()
    assert contest.status == S.RETURNED
    state = task_pool_state(task_id=contest.task_id)
    assert state.fee.amount == 5_000_00
    assert state.returned.amount == 95_000_00
    assert state.held.amount == 0
    assert contest.task.status == Task.Status.EXPIRED
