"""Who may open each task and bid page, and that refused POSTs change nothing.

Seven viewers: the poster organization's owner and a plain member, the owner of another
organization, the bidder, another provider, an anonymous visitor and a staff member (without
any model permission). Another organization's draft, and the poster's private pages, are a
404 exactly like a wrong id; manager-only pages are a 403 for plain members; private pages
send anonymous visitors to sign in. Sealed bid amounts reach only the poster and the bidder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, User
from bids.models import Bid
from contracts.models import Contract
from tasks import services as task_services
from tasks.models import Task, TaskAttachment, TaskInvitation
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
    make_org_member,
)
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

SEALED_FEN = 7_654_321
SEALED_TEXT = "76,543.21"  # ¥76,543.21 in Chinese, CN¥76,543.21 in English
ROLES = ["owner", "member", "other_org", "bidder", "other_provider", "anonymous", "staff"]


@dataclass
class World:
    task: Task
    draft: Task
    bid: Bid
    attachment: TaskAttachment
    users: dict[str, User | None]

    def client(self, role: str) -> Client:
        client = Client()
        user = self.users[role]
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def world() -> World:
    task = TaskFactory(title="焊缝视觉检测站")
    owner = task_owner(task)
    member = UserFactory(name="Plain Member")
    make_org_member(member, task.organization, Membership.Role.MEMBER)
    draft = TaskFactory(
        organization=task.organization,
        status=Task.Status.DRAFT,
        published_at=None,
        title="Unpublished draft of the poster",
    )
    bid = BidFactory(task=task, amount=SEALED_FEN)
    other_org_owner = UserFactory(name="Other Org Owner")
    OrganizationFactory(owner=other_org_owner)
    other_provider = ProviderProfileFactory().user
    attachment = task_services.task_attachment_add(
        actor=owner,
        task=draft,
        upload=SimpleUploadedFile("brief.txt", "需求说明：焊缝检测".encode(), "text/plain"),
        confidential=False,
    )
    users: dict[str, User | None] = {
        "owner": owner,
        "member": member,
        "other_org": other_org_owner,
        "bidder": bid_operator(bid),
        "other_provider": other_provider,
        "anonymous": None,
        "staff": UserFactory(staff=True, name="Staff Without Perms"),
    }
    return World(task=task, draft=draft, bid=bid, attachment=attachment, users=users)


def url(world: World, key: str) -> str:
    t, d, b, a = world.task.pk, world.draft.pk, world.bid.pk, world.attachment.pk
    return {
        "browse": "/tasks/",
        "new": "/tasks/new/",
        "mine": "/tasks/mine/",
        "my_bids": "/bids/",
        "task": f"/tasks/{t}/",
        "draft": f"/tasks/{d}/",
        "draft_edit": f"/tasks/{d}/edit/",
        "draft_file": f"/tasks/{d}/files/{a}/",
        "draft_invite": f"/tasks/{d}/invitations/?q=provider",
        "compare": f"/tasks/{t}/bids/",
        "bid_form": f"/tasks/{t}/bid/",
        "withdraw": f"/tasks/{t}/bid/withdraw/",
        "cancel": f"/tasks/{t}/cancel/",
        "award": f"/bids/{b}/award/",
    }[key]


LOGIN = "login"  # a 302 to the sign-in page
# page: expected status per role, in ROLES order
MATRIX: dict[str, list[Any]] = {
    "browse": [200, 200, 200, 200, 200, 200, 200],
    "task": [200, 200, 200, 200, 200, 200, 200],
    "new": [200, 200, 200, 200, 200, LOGIN, 200],
    "mine": [200, 200, 200, 200, 200, LOGIN, 200],
    "my_bids": [200, 200, 200, 200, 200, LOGIN, 200],
    "draft": [200, 200, 404, 404, 404, 404, 404],
    "draft_edit": [200, 200, 404, 404, 404, LOGIN, 404],
    "draft_file": [200, 200, 404, 404, 404, 404, 404],
    "draft_invite": [200, 200, 404, 404, 404, LOGIN, 404],
    "compare": [200, 200, 404, 404, 404, LOGIN, 404],
    "bid_form": [200, 200, 200, 200, 200, LOGIN, 200],
    "withdraw": [404, 404, 404, 200, 404, LOGIN, 404],
    "cancel": [200, 403, 404, 404, 404, LOGIN, 404],
    "award": [200, 403, 404, 404, 404, LOGIN, 404],
}
CASES = [
    (page, role, expected)
    for page, row in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_page_permission_matrix(world: World, page: str, role: str, expected: Any) -> None:
    response = world.client(role).get(url(world, page))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, response.content[:400]


# --- refused POSTs change nothing -------------------------------------------------------------


def _post(world: World, role: str, path: str, data: dict[str, Any] | None = None) -> int:
    return world.client(role).post(path, data or {}).status_code


@pytest.mark.parametrize("role", ["other_org", "bidder", "other_provider", "anonymous", "staff"])
def test_outsiders_cannot_edit_publish_attach_or_invite_on_a_draft(world: World, role) -> None:
    d = world.draft.pk
    codes = {
        _post(world, role, f"/tasks/{d}/publish/"),
        _post(world, role, f"/tasks/{d}/edit/", {"title": "Hijacked"}),
        _post(world, role, f"/tasks/{d}/cancel/", {"reason": "Hijacked"}),
        _post(
            world,
            role,
            f"/tasks/{d}/files/",
            {"file": SimpleUploadedFile("x.txt", b"hello there", "text/plain")},
        ),
        _post(world, role, f"/tasks/{d}/invitations/", {"provider": world.bid.provider_id}),
        _post(world, role, f"/tasks/{d}/files/{world.attachment.pk}/remove/"),
    }
    assert codes == ({302} if role == "anonymous" else {404})
    world.draft.refresh_from_db()
    assert world.draft.status == Task.Status.DRAFT
    assert world.draft.title == "Unpublished draft of the poster"
    assert world.draft.attachments.count() == 1
    assert not TaskInvitation.objects.filter(task=world.draft).exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("member", 403), ("other_org", 404), ("bidder", 404), ("anonymous", 302), ("staff", 404)],
)
def test_only_owners_and_admins_award_decline_or_cancel(world: World, role, expected) -> None:
    b, t = world.bid.pk, world.task.pk
    assert _post(world, role, f"/bids/{b}/award/") == expected
    assert _post(world, role, f"/bids/{b}/reject/", {"note": "no"}) == expected
    assert _post(world, role, f"/tasks/{t}/cancel/", {"reason": "Changed our minds"}) == expected
    world.bid.refresh_from_db()
    world.task.refresh_from_db()
    assert world.bid.status == Bid.Status.SUBMITTED
    assert world.task.status == Task.Status.OPEN
    assert not Contract.objects.exists()


@pytest.mark.parametrize("role", ["bidder", "other_org", "other_provider", "anonymous", "staff"])
def test_only_the_posters_members_shortlist(world: World, role) -> None:
    code = _post(world, role, f"/bids/{world.bid.pk}/shortlist/")
    assert code == (302 if role == "anonymous" else 404)
    world.bid.refresh_from_db()
    assert world.bid.status == Bid.Status.SUBMITTED


@pytest.mark.parametrize("role", ["owner", "member", "other_org", "other_provider", "staff"])
def test_only_the_bidder_withdraws_their_bid(world: World, role) -> None:
    assert _post(world, role, f"/tasks/{world.task.pk}/bid/withdraw/") == 404
    world.bid.refresh_from_db()
    assert world.bid.status == Bid.Status.SUBMITTED


def test_the_posters_side_cannot_bid_on_its_own_task(world: World) -> None:
    for role in ("owner", "member"):
        page = world.client(role).get(url(world, "bid_form")).content.decode()
        assert 'data-eligibility="own_task"' in page
        assert 'name="amount"' not in page


# --- sealed amounts ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["other_org", "other_provider", "anonymous", "staff"])
def test_a_sealed_amount_appears_on_no_page_for_outsiders(world: World, role: str) -> None:
    client = world.client(role)
    paths = ["/", "/tasks/", f"/tasks/{world.task.pk}/", "/tasks/?q=焊缝"]
    if role != "anonymous":
        paths += ["/bids/", "/tasks/mine/", f"/tasks/{world.task.pk}/bid/"]
    for language in ("zh-hans", "en"):
        for path in paths:
            page = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert SEALED_TEXT not in page, (role, path, language)
            assert str(SEALED_FEN) not in page, (role, path, language)


def test_the_poster_and_the_bidder_see_the_sealed_amount(world: World) -> None:
    owner, member, bidder = (world.client(r) for r in ("owner", "member", "bidder"))
    assert SEALED_TEXT in owner.get(url(world, "compare")).content.decode()
    assert SEALED_TEXT in member.get(url(world, "compare")).content.decode()
    assert SEALED_TEXT in owner.get(url(world, "task")).content.decode()
    assert SEALED_TEXT in bidder.get(url(world, "task")).content.decode()
    assert SEALED_TEXT in bidder.get(url(world, "my_bids")).content.decode()
