"""Statistics, credit scores and reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contracts.models import Contract, Milestone, Review
from contracts.services import (
    contract_award,
    contract_funding_received,
    milestone_accept,
    milestone_submit,
    milestones_auto_accept_due,
    review_submit,
)
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from reputation.selectors import (
    poster_stats,
    provider_stats,
    provider_stats_many,
    reviews_of_provider,
)
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

SCORES = {"rating": 5, "quality": 5, "communication": 4, "timeliness": 5}


def completed_contract(provider, *, organization=None, late: bool = False) -> Contract:
    task = TaskFactory(**({"organization": organization} if organization else {}))
    bid = BidFactory(task=task, provider=provider, amount=20_000_00, duration_days=10,
                     milestones=[("全部成果", 20_000_00, 10)])  # fmt: skip
    contract = contract_award(actor=task_owner(task), bid=bid)
    contract_funding_received(contract=contract, reference="pi")
    milestone = contract.milestones.get()
    if late:
        Milestone.objects.filter(pk=milestone.pk).update(
            due_date=timezone.localdate() - dt.timedelta(days=3)
        )
    milestone_submit(actor=bid_operator(bid), milestone=milestone, note="交付全部成果")
    milestone_accept(actor=task_owner(task), milestone=milestone)
    contract.refresh_from_db()
    return contract


def test_a_newcomer_starts_from_a_neutral_score_not_zero():
    stats = provider_stats(profile=ProviderProfileFactory())
    assert stats.completion_rate is None
    assert stats.on_time_rate is None
    assert stats.average_rating is None
    assert 55 <= stats.credit.score < 70
    assert stats.credit.grade == "C"


def test_real_name_verification_adds_its_factor():
    unverified = provider_stats(profile=ProviderProfileFactory()).credit
    verified = provider_stats(
        profile=ProviderProfileFactory(user=UserFactory(real_name_verified=True))
    ).credit
    assert verified.score - unverified.score == 15
    identity = next(f for f in verified.factors if f.key == "identity")
    assert (identity.points, identity.max_points) == (15, 15)


def test_completed_work_and_good_reviews_raise_the_score_and_the_stats_explain_it():
    provider = ProviderProfileFactory(user=UserFactory(real_name_verified=True))
    before = provider_stats(profile=provider).credit.score
    client = TaskFactory().organization
    contracts = [completed_contract(provider, organization=client) for _ in range(3)]
    for contract in contracts:
        review_submit(actor=task_owner(contract.task), contract=contract, **SCORES)
        review_submit(actor=provider.user, contract=contract, **SCORES)

    stats = provider_stats(profile=provider)
    assert stats.contracts_completed == 3
    assert stats.completion_rate == 100
    assert stats.on_time_rate == 100
    assert stats.average_rating == 5
    assert stats.repeat_clients == 1
    assert stats.earned == 60_000_00
    assert stats.credit.score > before
    assert sum(f.points for f in stats.credit.factors) == stats.credit.score
    # The base factors make 100; the red/black list adds or takes off on top (capped to 0-100).
    base = [f for f in stats.credit.factors if f.key != "credit_list"]
    assert sum(f.max_points for f in base) == 100


def test_late_delivery_lowers_the_on_time_rate():
    provider = ProviderProfileFactory()
    completed_contract(provider)
    completed_contract(provider, late=True)
    assert provider_stats(profile=provider).on_time_rate == 50


def test_stats_for_a_page_of_providers_take_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    providers = [ProviderProfileFactory() for _ in range(5)]
    completed_contract(providers[0])
    # Contracts, milestones, reviews, repeat clients, verification, red/black list entries,
    # and the dispute record (disputes.selectors).
    with django_assert_max_num_queries(7):
        many = provider_stats_many(profiles=providers)
    assert many[providers[0].pk].contracts_completed == 1
    assert many[providers[1].pk].contracts_completed == 0


def test_poster_stats_count_hires_and_timely_reviews():
    provider = ProviderProfileFactory()
    contract = completed_contract(provider)
    stats = poster_stats(organization=contract.organization)
    assert (stats.tasks_awarded, stats.contracts_completed) == (1, 1)
    assert stats.timely_acceptance_rate == 100
    assert stats.spent == 20_000_00


def test_acceptance_by_silence_counts_against_the_posters_timeliness():
    task = TaskFactory()
    bid = BidFactory(
        task=task, amount=10_000_00, duration_days=5, milestones=[("成果", 10_000_00, 5)]
    )
    contract = contract_award(actor=task_owner(task), bid=bid)
    contract_funding_received(contract=contract, reference="pi")
    milestone_submit(actor=bid_operator(bid), milestone=contract.milestones.get(), note="交付成果")
    milestones_auto_accept_due(now=timezone.now() + dt.timedelta(days=8))
    assert poster_stats(organization=task.organization).timely_acceptance_rate == 0


# --- reviews ---------------------------------------------------------------------------------


def test_each_side_reviews_once_and_reviews_stay_hidden_until_both_are_in():
    provider = ProviderProfileFactory()
    contract = completed_contract(provider)
    review_submit(actor=task_owner(contract.task), contract=contract, **SCORES)
    assert not reviews_of_provider(profile=provider).exists()  # double-blind
    with pytest.raises(Conflict):
        review_submit(actor=task_owner(contract.task), contract=contract, **SCORES)

    review_submit(actor=provider.user, contract=contract, **SCORES, comment="需求清晰")
    assert reviews_of_provider(profile=provider).count() == 1
    assert Review.objects.filter(contract=contract).count() == 2


def test_a_lone_review_becomes_public_after_fourteen_days():
    provider = ProviderProfileFactory()
    contract = completed_contract(provider)
    review_submit(actor=task_owner(contract.task), contract=contract, **SCORES)
    Contract.objects.filter(pk=contract.pk).update(
        completed_at=timezone.now() - dt.timedelta(days=15)
    )
    assert reviews_of_provider(profile=provider).count() == 1


def test_reviews_open_only_on_completion_and_only_to_the_two_sides():
    task = TaskFactory()
    bid = BidFactory(task=task)
    contract = contract_award(actor=task_owner(task), bid=bid)
    with pytest.raises(InvalidTransition):
        review_submit(actor=task_owner(task), contract=contract, **SCORES)
    with pytest.raises(NotAllowed):
        review_submit(actor=UserFactory(), contract=contract, **SCORES)


@pytest.mark.parametrize("bad", [0, 6, -1, 4.5, "5", True])
def test_scores_outside_one_to_five_are_refused(bad):
    contract = completed_contract(ProviderProfileFactory())
    with pytest.raises(ValidationFailed):
        review_submit(
            actor=task_owner(contract.task), contract=contract, **{**SCORES, "rating": bad}
        )
    assert not Review.objects.exists()


def test_a_review_counts_in_the_average_only_once_it_is_public():
    """Otherwise the other side could read the first review off the moving average."""
    provider = ProviderProfileFactory()
    contract = completed_contract(provider)
    review_submit(actor=task_owner(contract.task), contract=contract, **{**SCORES, "rating": 2})
    assert provider_stats(profile=provider).reviews == 0
    assert poster_stats(organization=contract.organization).reviews == 0
    review_submit(actor=provider.user, contract=contract, **SCORES)
    assert provider_stats(profile=provider).average_rating == 2
    assert poster_stats(organization=contract.organization).average_rating == 5


def test_a_plain_member_does_not_review_for_the_organization():
    from accounts.models import Membership
    from tests.accounts.factories import make_org_member

    contract = completed_contract(ProviderProfileFactory())
    member = UserFactory()
    make_org_member(member, contract.organization, Membership.Role.MEMBER)
    with pytest.raises(NotAllowed):
        review_submit(actor=member, contract=contract, **SCORES)
    assert not Review.objects.exists()
