"""Who may open each contract page and send each contract form: the two sides, a plain member
of the poster, outsiders, anonymous visitors and staff. A refused POST changes nothing, and a
milestone id from another contract (IDOR) is a 404 like any unknown id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from contracts.models import Contract, Delivery, DeliveryFile, Milestone, Review
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
    make_org_member,
)
from tests.frontend.contracts_setup import (
    awarded_contract,
    complete,
    deliver,
    english,
    fund,
    milestone,
    pdf,
    poster_owner,
    provider_user,
)

pytestmark = pytest.mark.django_db

LOGIN = "login"
ACTORS = [
    "poster_owner",
    "poster_member",
    "other_org_member",
    "provider",
    "other_provider",
    "anonymous",
    "staff",
    "plain_staff",
]


@dataclass
class World:
    active: Contract  # funded; milestone 1 delivered and in review, milestone 2 to deliver
    completed: Contract  # same parties, every milestone accepted, no reviews yet
    other: Contract  # someone else's contract, funded, milestone 1 in review
    users: dict[str, Any]

    @property
    def file(self) -> DeliveryFile:
        return DeliveryFile.objects.filter(delivery__milestone__contract=self.active).first()


@pytest.fixture
def world() -> World:
    active = awarded_contract()
    fund(active)
    deliver(active, 1)
    completed = complete(
        fund(awarded_contract(organization=active.organization, provider=active.provider))
    )
    other = awarded_contract()
    fund(other)
    deliver(other, 1)
    member = UserFactory()
    make_org_member(member, active.organization, Membership.Role.MEMBER)
    outsider = UserFactory()
    OrganizationFactory(owner=outsider)
    users = {
        "poster_owner": poster_owner(active),
        "poster_member": member,
        "other_org_member": outsider,
        "provider": provider_user(active),
        "other_provider": ProviderProfileFactory().user,
        "anonymous": None,
        # Back-office staff who read contracts (mediators, finance) hold contracts.view_contract;
        # other staff see no more than any outsider.
        "staff": UserFactory(staff=True, perms=["contracts.view_contract"]),
        "plain_staff": UserFactory(staff=True),
    }
    return World(active=active, completed=completed, other=other, users=users)


def client_as(world: World, actor: str) -> Client:
    return english(world.users[actor])


def state() -> tuple[Any, ...]:
    """Everything a contract form could write."""
    return (
        Delivery.objects.count(),
        DeliveryFile.objects.count(),
        Review.objects.count(),
        sorted(
            Milestone.objects.values_list("id", "status", "change_rounds", "accepted_at"),
            key=lambda row: row[0],
        ),
        sorted(Delivery.objects.values_list("id", "decision", "decision_note")),
        sorted(Contract.objects.values_list("id", "status")),
    )


def check(response: Any, expected: Any) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, (response.status_code, expected)


# --- pages ------------------------------------------------------------------------------------

SIDES_AND_STAFF = {
    "poster_owner": 200,
    "poster_member": 200,
    "other_org_member": 404,
    "provider": 200,
    "other_provider": 404,
    "anonymous": LOGIN,
    "staff": 200,
    "plain_staff": 404,
}
PAGES = {
    "list": (lambda w: "/contracts/", {**dict.fromkeys(ACTORS, 200), "anonymous": LOGIN}),
    "detail": (lambda w: f"/contracts/{w.active.pk}/", SIDES_AND_STAFF),
    "detail_completed": (lambda w: f"/contracts/{w.completed.pk}/", SIDES_AND_STAFF),
    "file": (lambda w: f"/contracts/files/{w.file.pk}/", SIDES_AND_STAFF),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_access(world: World, name: str, actor: str) -> None:
    url, expected = PAGES[name]
    check(client_as(world, actor).get(url(world)), expected[actor])


def test_every_contract_page_has_a_name_the_notifications_link_to(world: World) -> None:
    assert reverse("frontend:my_contracts") == "/contracts/"
    assert reverse("frontend:contract_detail", args=[world.active.pk]) == (
        f"/contracts/{world.active.pk}/"
    )


@pytest.mark.parametrize("actor", ["other_org_member", "other_provider", "staff", "plain_staff"])
def test_the_list_shows_only_contracts_the_user_is_on(world: World, actor: str) -> None:
    html = client_as(world, actor).get("/contracts/?status=all").content.decode()
    assert world.active.task.title not in html
    assert world.other.task.title not in html


def test_the_list_shows_both_sides_their_contracts(world: World) -> None:
    for actor in ("poster_owner", "poster_member", "provider"):
        html = client_as(world, actor).get("/contracts/?status=all").content.decode()
        assert world.active.task.title in html
        assert world.completed.task.title in html
        assert world.other.task.title not in html


# --- forms ------------------------------------------------------------------------------------


def _deliver(w: World) -> tuple[str, dict[str, Any]]:
    m = milestone(w.active, 2)
    return (
        f"/contracts/{w.active.pk}/milestones/{m.pk}/deliver/",
        {"note": "实施报告与代码已上传。", "attachments": pdf()},
    )


def _accept(w: World) -> tuple[str, dict[str, Any]]:
    return f"/contracts/{w.active.pk}/milestones/{milestone(w.active, 1).pk}/accept/", {}


def _changes(w: World) -> tuple[str, dict[str, Any]]:
    m = milestone(w.active, 1)
    return (
        f"/contracts/{w.active.pk}/milestones/{m.pk}/changes/",
        {"feedback": "缺少油污检测的验证数据。"},
    )


def _review(w: World) -> tuple[str, dict[str, Any]]:
    scores = {"rating": 5, "quality": 4, "communication": 5, "timeliness": 4, "comment": "好"}
    return f"/contracts/{w.completed.pk}/review/", scores


POSTS = {
    "deliver": (
        _deliver,
        {
            "poster_owner": 403,
            "poster_member": 403,
            "other_org_member": 404,
            "provider": 302,
            "other_provider": 404,
            "anonymous": LOGIN,
            "staff": 403,
            "plain_staff": 404,
        },
    ),
    "accept": (
        _accept,
        {
            "poster_owner": 302,
            "poster_member": 403,
            "other_org_member": 404,
            "provider": 403,
            "other_provider": 404,
            "anonymous": LOGIN,
            "staff": 403,
            "plain_staff": 404,
        },
    ),
    "changes": (
        _changes,
        {
            "poster_owner": 302,
            "poster_member": 403,
            "other_org_member": 404,
            "provider": 403,
            "other_provider": 404,
            "anonymous": LOGIN,
            "staff": 403,
            "plain_staff": 404,
        },
    ),
    "review": (
        _review,
        {
            "poster_owner": 302,
            # A plain member neither decides on deliveries nor reviews for the organization.
            "poster_member": 403,
            "other_org_member": 404,
            "provider": 302,
            "other_provider": 404,
            "anonymous": LOGIN,
            "staff": 403,
            "plain_staff": 404,
        },
    ),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(POSTS))
def test_form_access_and_refusals_change_nothing(world: World, name: str, actor: str) -> None:
    build, expected = POSTS[name]
    url, data = build(world)
    before = state()
    response = client_as(world, actor).post(url, data)
    check(response, expected[actor])
    if expected[actor] == 302:
        # Accepted: back to the contract page, and something was written.
        assert response["Location"].startswith(f"/contracts/{world.active.pk}/") or response[
            "Location"
        ].startswith(f"/contracts/{world.completed.pk}/")
        assert state() != before
    else:
        assert state() == before


@pytest.mark.parametrize("action", ["deliver", "accept", "changes"])
def test_a_milestone_of_another_contract_is_not_found_through_mine(
    world: World, action: str
) -> None:
    """IDOR: my contract's id with another contract's milestone id."""
    foreign = milestone(world.other, 1 if action != "deliver" else 2)
    actor = "provider" if action == "deliver" else "poster_owner"
    data = {"note": "换个合同交付", "feedback": "换个合同退回"}
    before = state()
    response = client_as(world, actor).post(
        f"/contracts/{world.active.pk}/milestones/{foreign.pk}/{action}/", data
    )
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("action", ["deliver", "accept", "changes"])
def test_another_contracts_milestone_through_its_own_url_is_not_found(
    world: World, action: str
) -> None:
    foreign = milestone(world.other, 1 if action != "deliver" else 2)
    actor = "provider" if action == "deliver" else "poster_owner"
    before = state()
    response = client_as(world, actor).post(
        f"/contracts/{world.other.pk}/milestones/{foreign.pk}/{action}/",
        {"note": "越权交付", "feedback": "越权退回"},
    )
    assert response.status_code == 404
    assert state() == before


def test_a_file_of_another_contract_is_not_found(world: World) -> None:
    foreign = DeliveryFile.objects.filter(delivery__milestone__contract=world.other).get()
    for actor in ("poster_owner", "provider", "poster_member"):
        assert client_as(world, actor).get(f"/contracts/files/{foreign.pk}/").status_code == 404


def test_forms_reached_by_get_lead_back_to_their_page_and_change_nothing(world: World) -> None:
    client = client_as(world, "poster_owner")
    before = state()
    for build in (_deliver, _accept, _changes, _review):
        url, _data = build(world)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] != url
    assert state() == before


def test_forms_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["poster_owner"])
    url, data = _accept(world)
    before = state()
    assert client.post(url, data).status_code == 403
    assert state() == before


def test_only_managers_see_the_decision_buttons(world: World) -> None:
    accept_url, _data = _accept(world)
    owner = client_as(world, "poster_owner").get(f"/contracts/{world.active.pk}/")
    member = client_as(world, "poster_member").get(f"/contracts/{world.active.pk}/")
    provider = client_as(world, "provider").get(f"/contracts/{world.active.pk}/")
    staff = client_as(world, "staff").get(f"/contracts/{world.active.pk}/")
    assert f'action="{accept_url}"' in owner.content.decode()
    for response in (member, provider, staff):
        assert f'action="{accept_url}"' not in response.content.decode()
    assert "Owners and admins of" in member.content.decode()
    assert "viewing this contract as platform staff" in staff.content.decode()


def test_only_the_provider_sees_the_delivery_form(world: World) -> None:
    deliver_url, _data = _deliver(world)
    for actor in ("poster_owner", "poster_member", "staff"):
        html = client_as(world, actor).get(f"/contracts/{world.active.pk}/").content.decode()
        assert f'action="{deliver_url}"' not in html
    html = client_as(world, "provider").get(f"/contracts/{world.active.pk}/").content.decode()
    assert f'action="{deliver_url}"' in html
