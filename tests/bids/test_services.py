"""Placing, revising, withdrawing, shortlisting and rejecting bids; who may bid; sealing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from accounts.models import Membership, Notification, Organization
from bids.models import Bid, BidRevision
from bids.selectors import bid_eligibility, bid_get_for_user, bids_for_poster, task_bid_summary
from bids.services import (
    bid_place,
    bid_reject,
    bid_revise,
    bid_shortlist,
    bid_withdraw,
)
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from marketplace.money import Money
from marketplace.terms import MilestoneTerms
from tasks.models import Task, TaskInvitation
from tasks.services import task_nda_accept
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
    make_org_member,
)
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

PROPOSAL = "我们曾为两家主机厂交付同类机器视觉检测方案，可复用缺陷样本库，缩短调试周期。"


def terms(amount: int = 60_000_00, days: int = 50, **overrides):
    values = {
        "amount": amount,
        "duration_days": days,
        "proposal": PROPOSAL,
        "milestones": [
            MilestoneTerms(title="方案设计", amount=amount // 2, due_days=20),
            MilestoneTerms(title="实施验证", amount=amount - amount // 2, due_days=days),
        ],
    }
    values.update(overrides)
    return values


@pytest.fixture
def provider():
    return ProviderProfileFactory()


def place(task, provider, **overrides):
    return bid_place(actor=provider.user, task=task, provider=provider, **terms(**overrides))


def test_a_provider_places_a_sealed_bid_with_its_first_revision(
    provider, celery_eager, django_capture_on_commit_callbacks
):
    task = TaskFactory()
    with django_capture_on_commit_callbacks(execute=True):
        bid = place(task, provider)
    assert bid.status == Bid.Status.SUBMITTED
    assert bid.currency == task.currency
    assert list(bid.milestones.values_list("title", "amount")) == [
        ("方案设计", 30_000_00),
        ("实施验证", 30_000_00),
    ]
    assert BidRevision.objects.get(bid=bid).revision == 1
    note = Notification.objects.get(recipient=task_owner(task), kind="bid_new")
    assert "¥60,000.00" in note.body  # the poster's side sees the amount


def test_a_second_bid_on_the_same_task_is_refused(provider):
    task = TaskFactory()
    place(task, provider)
    with pytest.raises(Conflict) as excinfo:
        place(task, provider, amount=55_000_00)
    assert excinfo.value.code == "duplicate_bid"
    assert Bid.objects.filter(task=task).count() == 1


def test_after_withdrawing_a_provider_may_bid_again(provider):
    task = TaskFactory()
    bid_withdraw(actor=provider.user, bid=place(task, provider))
    again = place(task, provider, amount=55_000_00)
    assert again.status == Bid.Status.SUBMITTED
    assert Bid.objects.filter(task=task, provider=provider).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5_000_00}, "amount"),
        ({"amount": 100_000_000_01}, "amount"),
        ({"amount": 600.5}, "amount"),
        ({"days": 0}, "duration_days"),
        ({"proposal": "很便宜"}, "proposal"),
        ({"milestones": []}, "milestones"),
        (
            {"milestones": [MilestoneTerms(title="全部", amount=10_000_00, due_days=10)]},
            "milestones",
        ),
        (
            {
                "milestones": [
                    MilestoneTerms(title="一", amount=30_000_00, due_days=40),
                    MilestoneTerms(title="二", amount=30_000_00, due_days=20),
                ]
            },
            "milestones",
        ),
        (
            {
                "milestones": [
                    MilestoneTerms(title="一", amount=30_000_00, due_days=20),
                    MilestoneTerms(title="二", amount=30_000_00, due_days=80),
                ]
            },
            "milestones",
        ),
    ],
)
def test_bad_bids_are_refused_with_the_field_named_and_nothing_written(provider, overrides, field):
    task = TaskFactory()
    with pytest.raises(ValidationFailed) as excinfo:
        place(task, provider, **overrides)
    assert field in excinfo.value.fields
    assert not Bid.objects.exists()
    assert not BidRevision.objects.exists()


@pytest.mark.parametrize(
    ("currency", "message"),
    [
        ("CNY", "A bid must be between CN¥10.00 and CN¥100,000,000.00."),
        ("USD", "A bid must be between US$10.00 and US$100,000,000.00."),
    ],
)
def test_the_amount_limits_are_told_in_the_tasks_currency(provider, currency, message):
    task = TaskFactory(currency=currency)
    with translation.override("en"), pytest.raises(ValidationFailed) as excinfo:
        place(task, provider, amount=9_00)
    assert [str(m) for m in excinfo.value.fields["amount"]] == [message]


def test_the_amount_limits_read_naturally_in_chinese(provider):
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as excinfo:
        place(TaskFactory(), provider, amount=9_00)
    assert [str(m) for m in excinfo.value.fields["amount"]] == [
        "投标金额须在 ¥10.00 至 ¥100,000,000.00 之间。"
    ]


# --- eligibility: one selector decides, the service enforces ---------------------------------


def _refused(task, provider, code: str) -> None:
    verdict = bid_eligibility(user=provider.user, task=task, provider=provider)
    assert (verdict.allowed, verdict.code) == (False, code)
    with pytest.raises(NotAllowed) as excinfo:
        place(task, provider)
    assert excinfo.value.code == code
    assert str(excinfo.value) == verdict.reason
    assert not Bid.objects.filter(task=task).exists()


def test_bidding_on_a_closed_task_is_refused(provider):
    _refused(TaskFactory(status=Task.Status.CLOSED), provider, "closed")


@pytest.mark.parametrize("mode", [Task.Mode.CONTEST, Task.Mode.PIECEWORK])
def test_contests_and_piecework_take_no_bids(provider, mode):
    _refused(TaskFactory(mode=mode), provider, "not_tender")


def test_bidding_after_the_deadline_is_refused_even_before_the_sweeper_runs(provider):
    task = TaskFactory()
    Task.objects.filter(pk=task.pk).update(bid_deadline=timezone.now() - dt.timedelta(seconds=1))
    task.refresh_from_db()
    _refused(task, provider, "closed")


def test_verified_only_tasks_refuse_unverified_providers_with_a_reason(provider):
    task = TaskFactory(visibility=Task.Visibility.VERIFIED)
    _refused(task, provider, "verification_required")
    verified = ProviderProfileFactory(user=UserFactory(real_name_verified=True))
    assert place(task, verified).pk


def test_invited_only_tasks_refuse_the_uninvited(provider):
    task = TaskFactory(visibility=Task.Visibility.INVITED)
    _refused(task, provider, "invitation_required")
    TaskInvitation.objects.create(task=task, provider=provider, invited_by=task_owner(task))
    assert place(task, provider).pk


def test_an_nda_must_be_accepted_before_bidding(provider):
    task = TaskFactory(nda_required=True)
    _refused(task, provider, "nda")
    task_nda_accept(user=provider.user, task=task)
    assert place(task, provider).pk


def test_suspended_accounts_cannot_bid(provider):
    provider.user.suspended_at = timezone.now()
    provider.user.save()
    task = TaskFactory()
    assert bid_eligibility(user=provider.user, task=task).code == "suspended"
    with pytest.raises(NotAllowed):
        place(task, provider)


def test_nobody_bids_on_their_own_organizations_task():
    task = TaskFactory()
    owner = task_owner(task)
    own = ProviderProfileFactory(user=owner)
    _refused(task, own, "own_task")


def test_nobody_bids_for_someone_elses_provider_profile(provider):
    task = TaskFactory()
    stranger = UserFactory()
    with pytest.raises(NotAllowed):
        bid_place(actor=stranger, task=task, provider=provider, **terms())
    assert not Bid.objects.exists()


def test_a_micro_firms_admin_bids_for_the_firm():
    firm = ProviderProfileFactory(firm=True)
    admin = UserFactory()
    make_org_member(admin, firm.organization, Membership.Role.ADMIN)
    bid = bid_place(actor=admin, task=TaskFactory(), provider=firm, **terms())
    assert bid.provider == firm
    member = UserFactory()
    make_org_member(member, firm.organization, Membership.Role.MEMBER)
    with pytest.raises(NotAllowed):
        bid_place(actor=member, task=TaskFactory(), provider=firm, **terms())


def test_without_a_provider_profile_the_reason_says_to_create_one():
    verdict = bid_eligibility(user=UserFactory(), task=TaskFactory())
    assert verdict.code == "no_provider_profile"


# --- revise, withdraw, shortlist, reject -----------------------------------------------------


def test_revising_keeps_every_earlier_version(provider):
    task = TaskFactory()
    bid = place(task, provider)
    bid = bid_revise(actor=provider.user, bid=bid, **terms(amount=52_000_00, days=45))
    assert (bid.status, bid.revision, bid.amount) == (Bid.Status.REVISED, 2, 52_000_00)
    assert list(bid.revisions.values_list("revision", "amount")) == [(1, 60_000_00), (2, 52_000_00)]
    assert sum(m.amount for m in bid.milestones.all()) == 52_000_00


def test_a_shortlisted_bid_stays_shortlisted_when_revised(provider):
    task = TaskFactory()
    bid = place(task, provider)
    bid_shortlist(actor=task_owner(task), bid=bid)
    bid = bid_revise(actor=provider.user, bid=bid, **terms(amount=58_000_00))
    assert bid.status == Bid.Status.SHORTLISTED


def test_revising_after_bidding_closed_is_refused(provider):
    task = TaskFactory()
    bid = place(task, provider)
    Task.objects.filter(pk=task.pk).update(status=Task.Status.CLOSED)
    with pytest.raises(InvalidTransition):
        bid_revise(actor=provider.user, bid=bid, **terms(amount=40_000_00))
    bid.refresh_from_db()
    assert bid.amount == 60_000_00


def test_only_the_bidder_revises_or_withdraws(provider):
    task = TaskFactory()
    bid = place(task, provider)
    for outsider in (UserFactory(), task_owner(task)):
        with pytest.raises(NotAllowed):
            bid_revise(actor=outsider, bid=bid, **terms(amount=1_000_00))
        with pytest.raises(NotAllowed):
            bid_withdraw(actor=outsider, bid=bid)
    bid.refresh_from_db()
    assert (bid.amount, bid.status) == (60_000_00, Bid.Status.SUBMITTED)


def test_any_poster_member_shortlists_but_only_managers_reject(
    celery_eager, django_capture_on_commit_callbacks
):
    task = TaskFactory()
    bid = BidFactory(task=task)
    member = UserFactory()
    make_org_member(member, task.organization, Membership.Role.MEMBER)
    assert bid_shortlist(actor=member, bid=bid).status == Bid.Status.SHORTLISTED
    with pytest.raises(NotAllowed):
        bid_reject(actor=member, bid=bid)
    with django_capture_on_commit_callbacks(execute=True):
        bid_reject(actor=task_owner(task), bid=bid, note="报价超出预算")
    bid.refresh_from_db()
    assert bid.status == Bid.Status.REJECTED
    assert (
        Notification.objects.get(recipient=bid_operator(bid), kind="bid_rejected").body
        == "报价超出预算"
    )


def test_a_rejected_bid_cannot_be_withdrawn_or_shortlisted():
    task = TaskFactory()
    bid = BidFactory(task=task, status=Bid.Status.REJECTED)
    with pytest.raises(InvalidTransition):
        bid_withdraw(actor=bid_operator(bid), bid=bid)
    with pytest.raises(InvalidTransition):
        bid_shortlist(actor=task_owner(task), bid=bid)


# --- sealing ---------------------------------------------------------------------------------


def test_amounts_reach_only_the_poster_and_the_bidder():
    task = TaskFactory()
    mine, theirs = BidFactory(task=task, amount=70_000_00), BidFactory(task=task, amount=50_000_00)
    other_org_member = UserFactory()
    OrganizationFactory(owner=other_org_member)

    assert bid_get_for_user(user=bid_operator(mine), bid_id=mine.pk) == mine
    assert bid_get_for_user(user=task_owner(task), bid_id=mine.pk) == mine
    for outsider in (bid_operator(theirs), other_org_member, UserFactory()):
        with pytest.raises(NotFound):
            bid_get_for_user(user=outsider, bid_id=mine.pk)
    with pytest.raises(NotFound):
        bids_for_poster(user=bid_operator(mine), task=task)
    assert {b.pk for b in bids_for_poster(user=task_owner(task), task=task)} == {mine.pk, theirs.pk}


def test_the_poster_sees_the_exact_range_and_everyone_else_only_the_count():
    task = TaskFactory()
    bidder = BidFactory(task=task, amount=70_000_00)
    BidFactory(task=task, amount=50_000_00)
    BidFactory(task=task, amount=1_00_00, status=Bid.Status.WITHDRAWN)

    poster = task_bid_summary(user=task_owner(task), task=task)
    assert (poster.count, poster.low, poster.high) == (2, Money(50_000_00), Money(70_000_00))
    # With two bids a range would be the other bidder's exact amount: the bidder sees the count.
    for user in (bid_operator(bidder), None, ProviderProfileFactory().user):
        summary = task_bid_summary(user=user, task=task)
        assert (summary.count, summary.low, summary.high) == (2, None, None)


def test_from_three_bids_a_bidder_sees_a_range_rounded_outwards():
    task = TaskFactory()
    bidder = BidFactory(task=task, amount=61_234_00)
    BidFactory(task=task, amount=48_765_43)
    BidFactory(task=task, amount=70_010_00)

    summary = task_bid_summary(user=bid_operator(bidder), task=task)
    assert (summary.low, summary.high, summary.rounded) == (
        Money(48_000_00),
        Money(71_000_00),
        True,
    )
    outsider = task_bid_summary(user=ProviderProfileFactory().user, task=task)
    assert outsider.low is None


def test_a_government_unit_may_not_bid_as_a_micro_firm_on_its_own_task():
    gov_owner = UserFactory()
    gov = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, owner=gov_owner)
    task = TaskFactory(organization=gov)
    assert bid_eligibility(user=gov_owner, task=task).code == "own_task"
