"""What search finds, filters, hides and explains: the same tests on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from accounts.models import ProviderProfile
from bids.models import Bid
from search import services
from search.query import ProviderQuery, TaskQuery
from tasks.models import Task, TaskInvitation
from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory, UserFactory
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

ANON = AnonymousUser()


def titles(user: Any, **query: Any) -> list[str]:
    results = services.search_tasks(user=user, query=TaskQuery(**query))
    assert not results.degraded
    return [hit.doc["title"] for hit in results.hits]


def names(**query: Any) -> list[str]:
    results = services.search_providers(user=ANON, query=ProviderQuery(**query))
    return [hit.doc["name"] for hit in results.hits]


def test_chinese_word_matches_as_a_word_not_as_scattered_characters(reindex: Callable) -> None:
    TaskFactory(title="冲压件机器视觉检测", summary="表面缺陷识别。", skills={"mes": 3})
    TaskFactory(title="机器人焊接工作站", summary="焊缝视觉跟踪与夹具设计。", skills={"mes": 3})
    reindex()
    assert titles(ANON, text="机器视觉") == ["冲压件机器视觉检测"]


def test_english_query_finds_english_text(reindex: Callable) -> None:
    TaskFactory(
        title="Booming noise of a hybrid powertrain",
        summary="Find the source at 1,800 rpm.",
        skills={"nvh": 4},
    )
    TaskFactory(
        title="污水处理工艺优化", summary="提高脱氮效率。", skills={"wastewater-treatment": 4}
    )
    reindex()
    assert titles(ANON, text="powertrain noise") == ["Booming noise of a hybrid powertrain"]
    assert titles(ANON, text="Powertrain") == ["Booming noise of a hybrid powertrain"]


def test_a_skill_alias_in_the_other_language_finds_the_same_tasks(reindex: Callable) -> None:
    TaskFactory(title="零件表面缺陷检测", summary="需要视觉算法。", skills={"machine-vision": 5})
    TaskFactory(
        title="Battery pack thermal model",
        summary="Cells and cooling.",
        skills={"battery-management": 5},
    )
    reindex()
    assert titles(ANON, text="machine vision") == ["零件表面缺陷检测"]
    assert titles(ANON, text="机器视觉") == ["零件表面缺陷检测"]
    # An abbreviation, and a mention in the text at index time (no skill tagged).
    assert titles(ANON, text="BMS") == ["Battery pack thermal model"]
    TaskFactory(title="PLC编程：灌装线改造", summary="西门子 S7。", skills={"mes": 2})
    reindex()
    assert titles(ANON, text="plc programming") == ["PLC编程：灌装线改造"]


def test_filters_and_facets(reindex: Callable) -> None:
    TaskFactory(
        title="A",
        kind=Task.Kind.RD_SOLUTION,
        skills={"machine-vision": 5},
        budget_min=10_000_00,
        budget_max=20_000_00,
        region="500112",
    )
    TaskFactory(
        title="B",
        kind=Task.Kind.CONSULTING,
        skills={"patent-drafting": 4},
        budget_min=50_000_00,
        budget_max=90_000_00,
        region="510100",
        bid_deadline=timezone.now() + dt.timedelta(days=30),
    )
    TaskFactory(
        title="C",
        kind=Task.Kind.RD_SOLUTION,
        skills={"industrial-robotics": 3},
        budget_min=30_000_00,
        budget_max=40_000_00,
        region="500103",
        organization=OrganizationFactory(verified=True),
    )
    reindex()
    assert sorted(titles(ANON, kinds=("rd_solution",))) == ["A", "C"]
    assert sorted(titles(ANON, skills=("machine-vision", "patent-drafting"))) == ["A", "B"]
    # A whole category: machine vision and industrial robotics are intelligent manufacturing.
    assert sorted(titles(ANON, category="intelligent-manufacturing")) == ["A", "C"]
    assert sorted(titles(ANON, budget_min=35_000_00)) == ["B", "C"]
    assert titles(ANON, budget_max=15_000_00) == ["A"]
    assert sorted(titles(ANON, region="500000")) == ["A", "C"]
    assert titles(ANON, region="500103") == ["C"]
    assert titles(ANON, verified=True) == ["C"]
    soon = timezone.localdate() + dt.timedelta(days=15)
    assert sorted(titles(ANON, deadline_before=soon)) == ["A", "C"]
    assert titles(ANON, sort="budget") == ["B", "C", "A"]
    results = services.search_tasks(user=ANON, query=TaskQuery())
    assert dict(results.facets["kind"]) == {"rd_solution": 2, "consulting": 1}
    assert dict(results.facets["categories"])["intelligent-manufacturing"] == 2
    assert dict(results.facets["province"]) == {"500000": 2, "510000": 1}
    page = services.search_tasks(user=ANON, query=TaskQuery(page=2, page_size=2, sort="budget"))
    assert (page.total, [h.doc["title"] for h in page.hits]) == (3, ["A"])


def test_closed_hidden_and_invitation_only_tasks_stay_out(reindex: Callable) -> None:
    TaskFactory(title="开放任务")
    TaskFactory(title="已截止", status=Task.Status.CLOSED)
    TaskFactory(title="草稿", status=Task.Status.DRAFT, published_at=None)
    verified_only = TaskFactory(title="仅限认证", visibility=Task.Visibility.VERIFIED)
    invited_only = TaskFactory(title="仅限邀请", visibility=Task.Visibility.INVITED)
    guest = ProviderProfileFactory()
    invited = ProviderProfileFactory()
    verified = ProviderProfileFactory(user=UserFactory(real_name_verified=True))
    TaskInvitation.objects.create(
        task=invited_only, provider=invited, invited_by=task_owner(invited_only)
    )
    reindex()
    assert titles(ANON, text="任务") == ["开放任务"]
    assert sorted(titles(ANON)) == ["开放任务"]
    assert sorted(titles(guest.user)) == ["开放任务"]
    assert sorted(titles(invited.user)) == ["仅限邀请", "开放任务"]
    assert sorted(titles(verified.user)) == ["仅限认证", "开放任务"]
    # The poster's own members see their organization's tasks whatever their visibility.
    assert "仅限认证" in titles(task_owner(verified_only))


def test_suspended_providers_never_appear_in_the_directory(reindex: Callable) -> None:
    ProviderProfileFactory(user=UserFactory(name="王工"), skills={"machine-vision": 4})
    ProviderProfileFactory(
        user=UserFactory(name="李工", suspended=True), skills={"machine-vision": 4}
    )
    reindex()
    assert names(text="机器视觉") == ["王工"]
    assert names(skills=("machine-vision",)) == ["王工"]


def test_directory_filters_and_facets(reindex: Callable) -> None:
    ProviderProfileFactory(
        user=UserFactory(name="A", real_name_verified=True),
        skills={"machine-vision": 4},
        region="500112",
    )
    ProviderProfileFactory(
        user=UserFactory(name="B"),
        skills={"patent-drafting": 3},
        availability=ProviderProfile.Availability.LIMITED,
        region="510100",
    )
    reindex()
    assert names(verified=True) == ["A"]
    assert names(availability=("limited",)) == ["B"]
    assert names(region="510000") == ["B"]
    assert names(category="consulting") == ["B"]
    results = services.search_providers(user=ANON, query=ProviderQuery())
    assert dict(results.facets["availability"]) == {"available": 1, "limited": 1}
    assert dict(results.facets["verified"]) == {"true": 1, "false": 1}


def test_matching_ranks_by_weighted_skills_explains_and_excludes(reindex: Callable) -> None:
    task = TaskFactory(skills={"machine-vision": 5, "embedded-development": 3}, region="500112")
    expert = ProviderProfileFactory(
        user=UserFactory(name="专家"),
        region="500112",
        skills={"machine-vision": 4, "embedded-development": 4},
    )
    partial = ProviderProfileFactory(
        user=UserFactory(name="半个", real_name_verified=True), skills={"embedded-development": 4}
    )
    ProviderProfileFactory(
        user=UserFactory(name="不接单"),
        skills={"machine-vision": 4},
        availability=ProviderProfile.Availability.UNAVAILABLE,
    )
    ProviderProfileFactory(user=UserFactory(name="别的领域"), skills={"patent-drafting": 4})
    bidder = ProviderProfileFactory(user=UserFactory(name="已投标"), skills={"machine-vision": 4})
    Bid.objects.create(
        task=task,
        provider=bidder,
        submitted_by=bidder.user,
        amount=60_000_00,
        duration_days=30,
        proposal="方案",
    )
    reindex()
    with translation.override("en"):
        hits, degraded = services.recommended_providers(user=task_owner(task), task=task)
    assert not degraded
    assert [h.doc["name"] for h in hits] == ["专家", "半个"]
    best = hits[0].explanation
    assert best is not None
    assert [(f.slug, f.weight, f.level) for f in best.matched] == [
        ("machine-vision", 5, 4),
        ("embedded-development", 3, 4),
    ]
    assert best.missing == []
    assert best.coverage_percent == 100
    assert "In the task's region" in best.signals
    second = hits[1].explanation
    assert second is not None
    assert [f.slug for f in second.missing] == ["machine-vision"]
    assert any("Verified" in s for s in second.signals)
    assert hits[0].score == pytest.approx(best.score, rel=1e-3)
    assert partial.pk == hits[1].id
    assert expert.pk == hits[0].id


def test_recommended_providers_are_for_the_posters_members_only(reindex: Callable) -> None:
    from marketplace.errors import NotAllowed

    task = TaskFactory()
    reindex()
    with pytest.raises(NotAllowed):
        services.recommended_providers(user=UserFactory(), task=task)


def test_for_you_feed_ranks_tasks_and_leaves_out_those_already_bid(reindex: Callable) -> None:
    provider = ProviderProfileFactory(skills={"machine-vision": 4, "pcb-design": 2})
    strong = TaskFactory(title="视觉为主", skills={"machine-vision": 5})
    TaskFactory(title="电路为辅", skills={"pcb-design": 3, "patent-drafting": 5})
    TaskFactory(title="无关", skills={"patent-drafting": 5})
    done = TaskFactory(title="已投", skills={"machine-vision": 5})
    Bid.objects.create(
        task=done,
        provider=provider,
        submitted_by=provider.user,
        amount=60_000_00,
        duration_days=30,
        proposal="方案",
    )
    reindex()
    hits, _degraded = services.tasks_for_provider(user=provider.user, profile=provider)
    assert [h.doc["title"] for h in hits] == ["视觉为主", "电路为辅"]
    assert hits[0].id == strong.pk
    explanation = hits[1].explanation
    assert explanation is not None
    assert [f.slug for f in explanation.missing] == ["patent-drafting"]
