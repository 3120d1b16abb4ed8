"""The credit black list bars posting and bidding: services refuse with a clear error, the API
answers 403 with code black_listed, the pages hide the buttons and say why. An entry that has
expired (or was lifted) no longer applies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import CreditListEntry
from bids.models import Bid
from bids.selectors import bid_eligibility
from tasks.models import Task
from tasks.selectors import task_capabilities
from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory, UserFactory
from tests.api_helpers import API, assert_error, client_for
from tests.bids.test_api import bid_payload
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory, task_owner
from tests.tasks.test_api import task_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def black_list(**party: Any) -> CreditListEntry:
    now = timezone.now()
    moderator = UserFactory(
        staff=True, perms=["accounts.add_creditlistentry", "accounts.change_creditlistentry"]
    )
    return account_services.credit_list_add(
        actor=moderator, kind="black", reason="虚假投标。", evidence="投标 #9 的材料。",
        starts_at=now - dt.timedelta(hours=1), expires_at=now + dt.timedelta(days=90), **party,
    )  # fmt: skip


def expire(entry: CreditListEntry) -> None:
    now = timezone.now()
    CreditListEntry.objects.filter(pk=entry.pk).update(
        starts_at=now - dt.timedelta(days=10), expires_at=now - dt.timedelta(seconds=1)
    )


@pytest.fixture
def task() -> Task:
    return TaskFactory()


# --- bidding --------------------------------------------------------------------------------------


def test_a_black_listed_provider_is_refused_a_bid_by_the_api(task) -> None:
    provider = ProviderProfileFactory().user
    black_list(user=provider)
    response = client_for(provider).post(f"{API}/tasks/{task.pk}/bids/", bid_payload())
    error = assert_error(response, 403, code="black_listed")
    assert "black list" in error["message"] or "黑榜" in error["message"]
    assert Bid.objects.count() == 0


def test_a_black_listed_firm_is_refused_whoever_bids_for_it(task) -> None:
    owner = UserFactory()
    firm = OrganizationFactory(owner=owner, kind="microfirm")
    ProviderProfileFactory(user=None, organization=firm)
    black_list(organization=firm)
    verdict = bid_eligibility(user=owner, task=task)
    assert (verdict.allowed, verdict.code) == (False, "black_listed")


def test_the_bid_page_says_why_and_offers_no_form(task) -> None:
    provider = ProviderProfileFactory().user
    black_list(user=provider)
    client = signed_in(provider, language="en")
    page = html(client.get(reverse("frontend:task_bid", args=[task.pk])))
    assert "credit black list" in page
    assert 'name="amount"' not in page
    detail = html(client.get(reverse("frontend:task_detail", args=[task.pk])))
    assert "credit black list" in detail
    client.post(reverse("frontend:task_bid", args=[task.pk]), {"amount": "60000"})
    assert Bid.objects.count() == 0


def test_an_expired_entry_no_longer_bars_bidding(task) -> None:
    provider = ProviderProfileFactory().user
    expire(black_list(user=provider))
    response = client_for(provider).post(f"{API}/tasks/{task.pk}/bids/", bid_payload())
    assert response.status_code == 201, response.content


def test_a_lifted_entry_no_longer_bars_bidding(task) -> None:
    provider = ProviderProfileFactory().user
    entry = black_list(user=provider)
    account_services.credit_list_lift(actor=entry.created_by, entry=entry, reason="核实有误。")
    assert bid_eligibility(user=provider, task=task).allowed


# --- posting --------------------------------------------------------------------------------------


def test_a_black_listed_organization_cannot_post_by_the_api() -> None:
    owner = UserFactory()
    org = OrganizationFactory(owner=owner)
    black_list(organization=org)
    response = client_for(owner).post(f"{API}/tasks/", task_payload(org), format="json")
    error = assert_error(response, 403, code="black_listed")
    assert "black list" in error["message"] or "黑榜" in error["message"]
    assert Task.objects.count() == 0


def test_a_black_listed_member_cannot_publish_a_draft_by_the_api_or_the_page() -> None:
    draft = TaskFactory(status=Task.Status.DRAFT, published_at=None)
    owner = task_owner(draft)
    black_list(user=owner)
    assert_error(
        client_for(owner).post(f"{API}/tasks/{draft.pk}/submit/"), 403, code="black_listed"
    )
    client = signed_in(owner, language="en")
    page = html(client.get(reverse("frontend:task_detail", args=[draft.pk])))
    assert reverse("frontend:task_publish", args=[draft.pk]) not in page
    client.post(reverse("frontend:task_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Task.Status.DRAFT
    assert not task_capabilities(user=owner, task=draft).publish


def test_the_pages_hide_post_a_task_from_the_black_listed() -> None:
    owner = UserFactory()
    OrganizationFactory(owner=owner)
    client = signed_in(owner, language="en")
    create = reverse("frontend:task_create")
    assert f'href="{create}"' in html(client.get(reverse("frontend:task_list")))
    entry = black_list(user=owner)
    assert f'href="{create}"' not in html(client.get(reverse("frontend:task_list")))
    response = client.get(create)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:credit_list_mine")
    expire(entry)
    assert client.get(create).status_code == 200


def test_an_expired_entry_no_longer_bars_posting() -> None:
    owner = UserFactory()
    org = OrganizationFactory(owner=owner)
    expire(black_list(organization=org))
    response = client_for(owner).post(f"{API}/tasks/", task_payload(org), format="json")
    assert response.status_code == 201, response.content


# --- the one-statement check (issue 13) -----------------------------------------------------------


def test_the_bidders_black_list_check_is_one_statement_and_names_the_acting_person_first(
    django_assert_num_queries: Any,
) -> None:
    """The person acting and the firm they act for are asked in one statement; when both are
    listed, the person's own entry is the one the refusal names (theirs to appeal)."""
    from accounts.selectors import black_list_entry_for_bidder

    firm = ProviderProfileFactory(firm=True)
    person = firm.organization.memberships.get().user
    with django_assert_num_queries(1):
        assert black_list_entry_for_bidder(user=person, provider=firm) is None
    firm_entry = black_list(organization=firm.organization)
    with django_assert_num_queries(1):
        found = black_list_entry_for_bidder(user=person, provider=firm)
        assert found == firm_entry
        assert found.party_name == firm.organization.name  # the party came with it
    own_entry = black_list(user=person)
    assert black_list_entry_for_bidder(user=person, provider=firm) == own_entry
    # Someone else's listing is not theirs.
    assert (
        black_list_entry_for_bidder(user=UserFactory(), provider=ProviderProfileFactory()) is None
    )


def test_acting_for_a_profile_is_decided_from_the_memberships_in_hand(
    django_assert_num_queries: Any,
) -> None:
    """Own profile or a firm one manages: yes; a firm one is only a member of, or a stranger's:
    no; after the memberships are read, without a statement."""
    from accounts.models import Membership
    from accounts.selectors import membership_roles, user_can_act_for_provider
    from tests.accounts.factories import make_org_member

    firm = ProviderProfileFactory(firm=True)
    manager = firm.organization.memberships.get().user
    member = UserFactory()
    make_org_member(member, firm.organization, Membership.Role.MEMBER)
    own = ProviderProfileFactory()
    for user in (manager, member, own.user):
        membership_roles(user=user)
    with django_assert_num_queries(0):
        assert user_can_act_for_provider(user=manager, profile=firm)
        assert not user_can_act_for_provider(user=member, profile=firm)
        assert user_can_act_for_provider(user=own.user, profile=own)
        assert not user_can_act_for_provider(user=manager, profile=own)
