"""What each kind of user may do with a task, a bid and a contract: one selector per kind,
asked by services (which refuse through it) and by pages and the API (which show through it)."""

from __future__ import annotations

import pathlib
import re

import pytest

from accounts.models import Membership
from bids.selectors import bid_capabilities
from contracts.models import Milestone
from contracts.selectors import contract_capabilities
from contracts.services import contract_award, contract_funding_received, milestone_submit
from marketplace.errors import NotAllowed
from tasks.models import Task
from tasks.selectors import task_capabilities
from tests.accounts.factories import UserFactory, make_org_member
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def people():
    task = TaskFactory()
    bid = BidFactory(task=task)
    member, author, stranger = UserFactory(), UserFactory(), UserFactory()
    make_org_member(member, task.organization, Membership.Role.MEMBER)
    make_org_member(author, task.organization, Membership.Role.MEMBER)
    Task.objects.filter(pk=task.pk).update(created_by=author)
    task.refresh_from_db()
    staff = UserFactory(staff=True, perms=["contracts.view_contract"])
    return {
        "task": task,
        "bid": bid,
        "owner": task_owner(task),
        "member": member,
        "author": author,
        "bidder": bid_operator(bid),
        "stranger": stranger,
        "staff": staff,
    }


def test_task_capabilities_follow_role_and_status(people):
    task = people["task"]
    owner = task_capabilities(user=people["owner"], task=task)
    member = task_capabilities(user=people["member"], task=task)
    author = task_capabilities(user=people["author"], task=task)
    stranger = task_capabilities(user=people["stranger"], task=task)

    assert (owner.award, owner.cancel, owner.shortlist, owner.invite) == (True, True, True, True)
    assert (member.award, member.cancel, member.shortlist) == (False, False, True)
    assert (author.award, author.cancel) == (False, True)
    assert not any((stranger.award, stranger.cancel, stranger.shortlist, stranger.member))
    assert not owner.edit, "an open task is not edited in place"

    Task.objects.filter(pk=task.pk).update(status=Task.Status.COMPLETED)
    task.refresh_from_db()
    done = task_capabilities(user=people["owner"], task=task)
    assert not any((done.award, done.cancel, done.invite, done.add_files))


def test_bid_capabilities_split_the_bidder_and_the_poster(people):
    bid = people["bid"]
    bidder = bid_capabilities(user=people["bidder"], bid=bid)
    owner = bid_capabilities(user=people["owner"], bid=bid)
    member = bid_capabilities(user=people["member"], bid=bid)
    stranger = bid_capabilities(user=people["stranger"], bid=bid)

    assert (bidder.revise, bidder.withdraw, bidder.award, bidder.decline) == (
        True,
        True,
        False,
        False,
    )
    assert (owner.award, owner.decline, owner.shortlist, owner.revise) == (
        True,
        True,
        True,
        False,
    )
    assert (member.shortlist, member.award, member.see_terms) == (True, False, True)
    assert not any((stranger.see_terms, stranger.award, stranger.withdraw, stranger.shortlist))


def test_contract_capabilities_know_each_side_and_the_next_step(people):
    contract = contract_award(actor=people["owner"], bid=people["bid"])
    milestone = contract.milestones.order_by("position").first()
    assert milestone is not None

    waiting = contract_capabilities(user=people["bidder"], contract=contract)
    assert waiting.side == "provider"
    assert not waiting.can_deliver(milestone), "nothing is delivered before funding"

    contract = contract_funding_received(contract=contract, reference="pi_caps")
    milestone.refresh_from_db()
    provider = contract_capabilities(user=people["bidder"], contract=contract)
    owner = contract_capabilities(user=people["owner"], contract=contract)
    member = contract_capabilities(user=people["member"], contract=contract)
    author = contract_capabilities(user=people["author"], contract=contract)
    staff = contract_capabilities(user=people["staff"], contract=contract)
    stranger = contract_capabilities(user=people["stranger"], contract=contract)

    assert provider.can_deliver(milestone)
    assert not owner.can_deliver(milestone)
    step = provider.next_step(milestones=[milestone], reviewed=False)
    assert step.mine
    assert step.anchor == f"milestone-{milestone.position}"

    milestone_submit(actor=people["bidder"], milestone=milestone, note="交付")
    milestone.refresh_from_db()
    assert owner.can_accept(milestone)
    assert owner.can_request_changes(milestone)
    assert not member.can_accept(milestone), "plain members do not decide on deliveries"
    assert not provider.can_accept(milestone)
    assert member.side == "poster"
    assert not member.may_write_review
    assert author.may_write_review
    assert owner.may_write_review
    assert provider.may_write_review
    assert staff.can_view
    assert staff.side is None
    assert not staff.can_accept(milestone)
    assert not stranger.can_view


def test_services_refuse_through_the_contract_capabilities(people):
    contract = contract_funding_received(
        contract=contract_award(actor=people["owner"], bid=people["bid"]), reference="pi_no"
    )
    milestone = contract.milestones.order_by("position").first()
    assert milestone is not None
    with pytest.raises(NotAllowed):
        milestone_submit(actor=people["member"], milestone=milestone, note="不是服务商")
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.FUNDED


# Who may act is decided by the selectors above; views, API views and templates only ask.
RULES = [
    r"user_can_manage_task\(",
    r"user_is_poster_member\(",
    r"user_can_manage_organization\(",
    r"user_can_act_for_provider\(",
    r"MANAGER_ROLES",
    r"\.created_by_id\s*==",
    r"status\s+in\s+\(",
    r"Status\.(OPEN|CLOSED|DRAFT|PENDING_REVIEW|SUBMITTED|FUNDED)\b.*(and|or)",
]
EDGES = [
    "frontend/views/tasks.py",
    "frontend/views/bids.py",
    "frontend/views/bid_review.py",
    "frontend/views/contracts.py",
    "contracts/api/views.py",
    "bids/api/views.py",
]


@pytest.mark.parametrize("path", EDGES)
def test_no_capability_rule_is_written_in_an_edge(path):
    source = (ROOT / path).read_text()
    found = [rule for rule in RULES if re.search(rule, source)]
    assert not found, f"{path} decides who may act itself: {found}"


def test_no_capability_rule_is_written_in_the_contract_and_bid_templates():
    templates = ROOT / "frontend" / "templates" / "frontend"
    pattern = re.compile(r"\{%\s*if[^%]*(my_role|is_staff|\.role\s*==|created_by)")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("contracts", "bids", "tasks")
        for path in (templates / folder).rglob("*.html")
        if pattern.search(path.read_text())
    ]
    assert not offenders
