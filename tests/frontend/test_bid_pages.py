"""The bid pages: placing, revising and withdrawing a bid, my bids, and the poster's comparison
with shortlisting, declining and awarding."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, ProviderProfile, User
from bids.models import Bid, BidRevision
from contracts.models import Contract
from tasks.models import Task
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
    make_org_member,
)
from tests.bids.factories import BidFactory, bid_operator
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def task() -> Task:
    # The factory's plan: 方案设计 40% by day 30, 实施与验证 60% by day 80.
    return TaskFactory(title="白车身焊缝视觉检测")


@pytest.fixture
def provider() -> User:
    return ProviderProfileFactory(user=UserFactory(name="李明", real_name_verified=True)).user


def bid_data(
    amount: str = "60000",
    rows: list[tuple[str, str, str, str]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A POST of the bid form; rows are (title, amount, due days, planned share in bps)."""
    rows = (
        rows
        if rows is not None
        else [("方案设计", "", "30", "4000"), ("实施与验证", "", "80", "6000")]
    )
    data: dict[str, Any] = {
        "amount": amount,
        "duration_days": "90",
        "proposal": "我们有十年工业视觉经验，曾为三家主机厂交付同类检测方案，可复用缺陷样本库。",
        "ms-TOTAL_FORMS": len(rows),
        "ms-INITIAL_FORMS": len(rows),
        "ms-MIN_NUM_FORMS": 1,
        "ms-MAX_NUM_FORMS": 20,
    }
    for i, (title, value, days, share) in enumerate(rows):
        data.update(
            {
                f"ms-{i}-title": title,
                f"ms-{i}-amount": value,
                f"ms-{i}-due_days": days,
                f"ms-{i}-share_bps": share,
            }
        )
    data.update(overrides)
    return data


# --- placing a bid ----------------------------------------------------------------------------


def test_the_bid_form_starts_from_the_tasks_milestone_plan(task, provider) -> None:
    page = html(signed_in(provider).get(f"/tasks/{task.pk}/bid/"))
    assert 'value="方案设计"' in page
    assert 'value="实施与验证"' in page
    assert 'name="ms-0-share_bps" value="4000"' in page
    assert 'name="duration_days" value="80"' in page
    assert "/static/frontend/js/tasks.js" in page


def test_empty_amounts_on_planned_rows_split_the_price_by_the_planned_shares(
    task, provider, celery_eager
) -> None:
    response = signed_in(provider).post(f"/tasks/{task.pk}/bid/", bid_data("60000.01"))
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    bid = Bid.objects.get()
    assert bid.amount == 60_000_01
    # 40% of ¥60,000.01 is ¥24,000.004 → ¥24,000.00; the last row takes the rest exactly.
    assert [(m.title, m.amount, m.due_days) for m in bid.milestones.all()] == [
        ("方案设计", 24_000_00, 30),
        ("实施与验证", 36_000_01, 80),
    ]


def test_a_bid_with_its_own_milestones_is_placed_and_shown_to_the_bidder(task, provider) -> None:
    rows = [("调研", "10000", "10", ""), ("开发", "30000", "50", ""), ("交付", "20000", "90", "")]
    client = signed_in(provider)
    assert client.post(f"/tasks/{task.pk}/bid/", bid_data("60000", rows)).status_code == 302
    bid = Bid.objects.get()
    assert [m.amount for m in bid.milestones.all()] == [10_000_00, 30_000_00, 20_000_00]
    page = html(client.get(f"/tasks/{task.pk}/"))
    assert "¥60,000.00" in page
    assert 'data-status="submitted"' in page
    assert reverse("frontend:bid_withdraw", args=[task.pk]) in page


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (bid_data("60000", [("调研", "10000", "10", ""), ("交付", "20000", "90", "")]), "ms"),
        (bid_data("abc"), "amount"),
        (bid_data("-100"), "amount"),
        (bid_data("5"), "amount"),
        (bid_data("60000", proposal="太短"), "proposal"),
        (bid_data("60000", duration_days="0"), "duration_days"),
        (bid_data("60000", [("调研", "", "10", "")]), "ms"),  # no amount and no share
        (bid_data("60000", [("调研", "60000", "120", "")]), "ms"),  # after the duration
        (bid_data("60000", [], **{"ms-TOTAL_FORMS": 0}), "ms"),
    ],
)
def test_bad_bids_show_an_error_and_write_nothing(task, provider, data, where) -> None:
    response = signed_in(provider).post(f"/tasks/{task.pk}/bid/", data)
    assert response.status_code == 400
    page = html(response)
    if where == "ms":
        assert "plan-fieldset has-error" in page or "formset-row has-error" in page
    else:
        assert f'data-field="{where}"' in page
        assert "field has-error" in page
    assert not Bid.objects.exists()


def test_the_planned_shares_keep_their_numbers_after_an_error(task, provider) -> None:
    page = html(signed_in(provider).post(f"/tasks/{task.pk}/bid/", bid_data("abc")))
    hints = re.findall(r'<span class="cell-hint">(.*?)</span>', page)
    assert len(hints) == 2, hints
    assert "40%" in hints[0]
    assert "60%" in hints[1]


def test_bidding_on_a_closed_task_is_refused(provider) -> None:
    closed = TaskFactory(status=Task.Status.CLOSED)
    past = TaskFactory()
    Task.objects.filter(pk=past.pk).update(bid_deadline=timezone.now() - dt.timedelta(minutes=5))
    client = signed_in(provider)
    for task in (closed, past):
        page = html(client.get(f"/tasks/{task.pk}/bid/"))
        assert 'data-eligibility="closed"' in page
        assert 'name="amount"' not in page
        response = client.post(f"/tasks/{task.pk}/bid/", bid_data())
        assert response.status_code == 200
        assert 'data-eligibility="closed"' in html(response)
    assert not Bid.objects.exists()


def test_the_eligibility_reason_comes_before_any_form() -> None:
    verified_only = TaskFactory(visibility=Task.Visibility.VERIFIED)
    unverified = signed_in(ProviderProfileFactory().user)
    page = html(unverified.get(f"/tasks/{verified_only.pk}/bid/"))
    assert 'data-eligibility="verification_required"' in page
    assert reverse("frontend:verify_person") in page
    response = unverified.post(f"/tasks/{verified_only.pk}/bid/", bid_data())
    assert 'name="amount"' not in html(response)
    assert not Bid.objects.exists()


def test_a_micro_firm_owner_chooses_which_profile_bids(task) -> None:
    owner = UserFactory(real_name_verified=True)
    own = ProviderProfileFactory(user=owner)
    firm = OrganizationFactory(owner=owner, kind=Organization.Kind.MICROFIRM, verified=True)
    firm_profile = ProviderProfileFactory(user=None, organization=firm)
    client = signed_in(owner)

    page = html(client.get(f"/tasks/{task.pk}/bid/"))
    assert f'<option value="{own.pk}"' in page
    assert f'<option value="{firm_profile.pk}"' in page

    response = client.post(f"/tasks/{task.pk}/bid/", bid_data(provider=firm_profile.pk))
    assert response.status_code == 302
    assert Bid.objects.get().provider == firm_profile


# --- revising and withdrawing -----------------------------------------------------------------


def test_revising_keeps_the_history(task, provider) -> None:
    client = signed_in(provider)
    client.post(f"/tasks/{task.pk}/bid/", bid_data("60000"))
    page = html(client.get(f"/tasks/{task.pk}/bid/"))
    assert 'name="amount" value="60000.00"' in page
    assert 'value="24000.00"' in page

    rows = [("方案设计", "20000", "30", "4000"), ("实施与验证", "35000", "80", "6000")]
    response = client.post(f"/tasks/{task.pk}/bid/", bid_data("55000", rows))
    assert response.status_code == 302
    bid = Bid.objects.get()
    assert (bid.amount, bid.revision, bid.status) == (55_000_00, 2, Bid.Status.REVISED)
    assert list(BidRevision.objects.values_list("revision", "amount")) == [
        (1, 60_000_00),
        (2, 55_000_00),
    ]
    history = html(client.get(f"/tasks/{task.pk}/bid/"))
    assert "¥60,000.00" in history
    assert "¥55,000.00" in history


def test_withdrawing_asks_first_then_takes_the_bid_back(task, provider) -> None:
    client = signed_in(provider)
    client.post(f"/tasks/{task.pk}/bid/", bid_data())
    confirm = client.get(f"/tasks/{task.pk}/bid/withdraw/")
    assert confirm.status_code == 200
    assert Bid.objects.get().status == Bid.Status.SUBMITTED
    response = client.post(f"/tasks/{task.pk}/bid/withdraw/")
    assert response.status_code == 302
    assert Bid.objects.get().status == Bid.Status.WITHDRAWN
    assert client.get(f"/tasks/{task.pk}/bid/withdraw/").status_code == 404
    # While bidding is open the provider may bid again.
    assert 'name="amount"' in html(client.get(f"/tasks/{task.pk}/bid/"))


def test_my_bids_lists_every_bid_with_its_status(provider) -> None:
    live = BidFactory(provider=ProviderProfile.objects.get(user=provider), amount=58_000_00)
    won = BidFactory(provider=live.provider, status=Bid.Status.AWARDED)
    BidFactory(amount=99_999_99)  # someone else's
    page = html(signed_in(provider).get("/bids/"))
    assert live.task.title in page
    assert won.task.title in page
    assert "¥58,000.00" in page
    assert "¥99,999.99" not in page
    assert 'data-status="awarded"' in page
    assert reverse("frontend:my_contracts") in page


def test_my_bids_without_a_profile_points_to_setting_one_up() -> None:
    page = html(signed_in(UserFactory()).get("/bids/"))
    assert reverse("frontend:provider_edit") in page


# --- the poster's comparison --------------------------------------------------------------------


@pytest.fixture
def bids(task) -> list[Bid]:
    return [
        BidFactory(task=task, amount=72_000_00, proposal="第二便宜的方案。" * 60),
        BidFactory(task=task, amount=65_000_00),
        BidFactory(task=task, amount=81_000_00, status=Bid.Status.REJECTED),
    ]


def test_the_comparison_lists_live_bids_cheapest_first_with_track_records(task, bids) -> None:
    client = signed_in(task_owner(task))
    page = html(client.get(f"/tasks/{task.pk}/bids/", HTTP_ACCEPT_LANGUAGE="en"))
    cheap, dear, decided = (page.index(s) for s in ("65,000.00", "72,000.00", "Decided bids"))
    assert cheap < dear < decided < page.index("81,000.00")
    # Newcomers with no completed work: "no history yet" instead of a grade (issue 12).
    assert 'data-credit-grade="none"' in page
    assert "grade-" not in page
    assert "expand" in page  # the long proposal folds
    for bid in bids[:2]:
        assert reverse("frontend:bid_award", args=[bid.pk]) in page
        assert reverse("frontend:bid_reject", args=[bid.pk]) in page
        assert reverse("frontend:bid_shortlist", args=[bid.pk]) in page
    assert reverse("frontend:bid_award", args=[bids[2].pk]) not in page


def test_the_comparison_runs_a_fixed_number_of_queries(task, django_assert_max_num_queries) -> None:
    owner = signed_in(task_owner(task))
    BidFactory(task=task)
    owner.get(f"/tasks/{task.pk}/bids/")  # warm the session and the permission caches
    with django_assert_max_num_queries(30) as few:
        owner.get(f"/tasks/{task.pk}/bids/")
    for _ in range(6):
        BidFactory(task=task)
    with django_assert_max_num_queries(len(few.captured_queries)):
        owner.get(f"/tasks/{task.pk}/bids/")


def test_a_plain_member_shortlists_but_sees_no_award_or_decline(task, bids) -> None:
    member = UserFactory()
    make_org_member(member, task.organization, Membership.Role.MEMBER)
    client = signed_in(member)
    page = html(client.get(f"/tasks/{task.pk}/bids/"))
    assert reverse("frontend:bid_shortlist", args=[bids[0].pk]) in page
    assert reverse("frontend:bid_award", args=[bids[0].pk]) not in page
    assert reverse("frontend:bid_reject", args=[bids[0].pk]) not in page

    assert client.post(f"/bids/{bids[0].pk}/shortlist/").status_code == 302
    bids[0].refresh_from_db()
    assert bids[0].status == Bid.Status.SHORTLISTED


def test_the_owner_declines_a_bid_with_a_note(task, bids, celery_eager) -> None:
    client = signed_in(task_owner(task))
    response = client.post(f"/bids/{bids[0].pk}/reject/", {"note": "报价超出预算"})
    assert response.status_code == 302
    bids[0].refresh_from_db()
    assert (bids[0].status, bids[0].decision_note) == (Bid.Status.REJECTED, "报价超出预算")
    page = html(signed_in(bid_operator(bids[0])).get(f"/tasks/{task.pk}/"))
    assert "报价超出预算" in page


def test_award_confirms_the_terms_then_creates_the_contract(task, bids, celery_eager) -> None:
    owner = signed_in(task_owner(task))
    winner = bids[1]

    confirm = owner.get(f"/bids/{winner.pk}/award/", HTTP_ACCEPT_LANGUAGE="en")
    page = html(confirm)
    assert confirm.status_code == 200
    assert "CN¥65,000.00" in page
    assert "方案设计" in page
    assert "The other live bid is declined" in page
    assert not Contract.objects.exists()

    response = owner.post(f"/bids/{winner.pk}/award/")
    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:contract_detail", args=[contract.pk])
    assert (contract.amount, contract.provider_id) == (65_000_00, winner.provider_id)
    assert [m.amount for m in contract.milestones.order_by("position")] == [
        m.amount for m in winner.milestones.all()
    ]
    bids[0].refresh_from_db()
    assert bids[0].status == Bid.Status.REJECTED

    again = owner.post(f"/bids/{bids[0].pk}/award/", follow=True)
    assert Contract.objects.count() == 1
    assert "alert-error" in html(again)
    assert reverse("frontend:contract_detail", args=[contract.pk]) in html(
        owner.get(f"/tasks/{task.pk}/bids/")
    )
