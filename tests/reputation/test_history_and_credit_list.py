"""Reputation says "no history yet" until a party has completed work (a grade after that), and
the credit red/black list is a visible factor of the score: red raises it, black takes points off
and caps it. The factors stay visible to the party described."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services as account_services
from reputation.selectors import BLACK_CAP, poster_stats, provider_stats
from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory, UserFactory
from tests.api_helpers import API, client_for
from tests.bids.factories import BidFactory
from tests.page_helpers import html, signed_in
from tests.reputation.test_credit import completed_contract
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def listed(kind: str, **party: Any) -> None:
    now = timezone.now()
    account_services.credit_list_add(
        actor=UserFactory(staff=True, perms=["accounts.add_creditlistentry"]),
        kind=kind, reason="r", evidence="e", **party,
        starts_at=now - dt.timedelta(hours=1), expires_at=now + dt.timedelta(days=30),
    )  # fmt: skip


def test_a_newcomer_has_no_grade_yet_and_completed_work_gives_one() -> None:
    provider = ProviderProfileFactory()
    assert provider_stats(profile=provider).credit.rated is False
    completed_contract(provider)
    credit = provider_stats(profile=provider).credit
    assert credit.rated is True
    assert credit.grade in "ABCD"


def test_a_new_organization_has_no_grade_yet() -> None:
    assert poster_stats(organization=OrganizationFactory()).credit.rated is False


def test_a_red_entry_raises_the_score_as_a_visible_factor() -> None:
    provider = ProviderProfileFactory()
    completed_contract(provider)
    before = provider_stats(profile=provider).credit.score
    listed("red", user=provider.user)
    with translation.override("en"):
        credit = provider_stats(profile=provider).credit
    assert credit.score == min(100, before + 5)
    factor = next(f for f in credit.factors if f.key == "credit_list")
    assert factor.points == 5
    assert "red list" in str(factor.detail)


def test_a_black_entry_caps_the_score_and_grades_even_a_newcomer() -> None:
    provider = ProviderProfileFactory(user=UserFactory(real_name_verified=True))
    for _ in range(3):
        completed_contract(provider)
    assert provider_stats(profile=provider).credit.score > BLACK_CAP
    listed("black", user=provider.user)
    credit = provider_stats(profile=provider).credit
    assert credit.score <= BLACK_CAP
    assert credit.grade == "D"
    assert next(f for f in credit.factors if f.key == "credit_list").points < 0
    newcomer = ProviderProfileFactory()
    listed("black", user=newcomer.user)
    assert provider_stats(profile=newcomer).credit.rated is True


def test_an_organizations_entry_feeds_its_poster_score() -> None:
    org = OrganizationFactory()
    listed("black", organization=org)
    assert poster_stats(organization=org).credit.score <= BLACK_CAP


@pytest.mark.parametrize(("language", "text"), [("en", "No history yet"), ("zh-hans", "暂无记录")])
def test_the_bid_comparison_shows_no_history_yet_for_newcomers(language, text) -> None:
    task = TaskFactory()
    veteran = ProviderProfileFactory()
    completed_contract(veteran)
    BidFactory(task=task, provider=veteran)
    BidFactory(task=task, provider=ProviderProfileFactory())
    page = html(
        signed_in(task_owner(task), language=language).get(
            reverse("frontend:task_bids", args=[task.pk])
        )
    )
    assert page.count('data-credit-grade="none"') == 1
    assert text in page


def test_the_dashboard_and_the_api_show_the_person_their_factors_before_any_history() -> None:
    provider = ProviderProfileFactory()
    user = provider.user
    page = html(signed_in(user, language="en").get(reverse("frontend:dashboard")))
    assert "No history yet" in page
    assert 'data-factor="completion"' in page
    assert 'data-factor="credit_list"' in page
    body = client_for(user).get(f"{API}/me/credit/").json()["results"]
    assert body[0]["rated"] is False
    assert body[0]["grade"] is None
    assert {f["key"] for f in body[0]["factors"]} >= {"identity", "credit_list"}
    assert client_for(UserFactory()).get(f"{API}/me/credit/").json()["count"] == 0


def test_the_public_provider_page_shows_no_history_yet_and_no_factors_to_others() -> None:
    provider = ProviderProfileFactory()
    page = html(
        signed_in(UserFactory(), language="en").get(
            reverse("frontend:provider_detail", args=[provider.pk])
        )
    )
    assert "No history yet" in page
    assert 'data-factor="completion"' not in page
