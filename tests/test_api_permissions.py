"""Who may do what through the REST API: a permission matrix over every tasks and bids endpoint.

Seven roles meet one world: the poster organization's plain member and owner, the owner of
another organization, the provider who bid, another provider who did not, an anonymous
visitor and a staff moderator. Each row of the table is an operation on one object; for each
role it gives the expected status. Objects of the other organization and the other provider
are used too, so reaching for someone else's id (IDOR) is a 404 and never a 2xx.

Every role's request runs inside a savepoint that is rolled back afterwards, so all roles meet
the same world. A refused write (and any read) must leave every table exactly as it was.
Sealed bids: the bid's distinctive amount never appears in any GET body for outsiders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership, Notification, Organization, ProviderProfile, User
from bids.models import Bid, BidMilestone, BidRevision
from contracts.models import Contract, Delivery, DeliveryFile, Milestone, Review
from contracts.services import (
    contract_award,
    contract_funding_received,
    milestone_accept,
    milestone_submit,
)
from marketplace.models import AuditEvent
from tasks.models import (
    NdaAcceptance,
    Report,
    Task,
    TaskAttachment,
    TaskFavourite,
    TaskInvitation,
    TaskMilestonePlan,
    TaskSkill,
)
from tasks.services import task_attachment_add, task_nda_accept
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    grant,
    make_org_member,
)
from tests.api_helpers import API, pdf
from tests.bids.factories import BidFactory
from tests.tasks.factories import TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

SEALED_AMOUNT = 7_654_321  # fen: ¥76,543.21, distinctive enough to search response bodies for
SEALED_TEXTS = ("7654321", "76543.21", "76,543.21")

ROLES = (
    "poster_member",
    "poster_owner",
    "other_org_member",
    "bidder",
    "other_provider",
    "anonymous",
    "staff",
)


# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    poster_org: Organization
    other_org: Organization
    bidder_profile: ProviderProfile
    other_profile: ProviderProfile
    skill_id: int
    task: Task  # open, public, NDA; the bidder bid SEALED_AMOUNT and accepted the NDA
    task2: Task  # open, public, no NDA, no bids yet
    draft: Task
    pending: Task
    other_draft: Task  # the other organization's, with an NDA
    other_task: Task  # the other organization's, open, the other provider bid on it
    bid: Bid
    other_bid: Bid
    public_attachment: TaskAttachment
    secret_attachment: TaskAttachment
    draft_attachment: TaskAttachment
    contract: Contract  # poster org and bidder: funded, milestone 1 delivered
    first_milestone: Milestone
    second_milestone: Milestone
    delivery_file: DeliveryFile
    done_contract: Contract  # poster org and bidder: completed, no reviews yet
    other_contract: Contract  # other org and other provider: funded
    other_milestone: Milestone
    extra: dict[str, Any] = field(default_factory=dict)


def _awarded(task: Task, *, provider: ProviderProfile, owner: User, amount: int) -> Contract:
    bid = BidFactory(task=task, provider=provider, amount=amount)
    contract = contract_award(actor=owner, bid=bid)
    return contract_funding_received(contract=contract, reference="test")


@pytest.fixture
def world() -> World:
    poster_owner = UserFactory(name="Poster owner")
    poster_member = UserFactory(name="Poster member")
    other_org_member = UserFactory(name="Other organization's owner")
    # Back-office staff: a moderator who may also read contracts (mediation, finance).
    staff = grant(
        UserFactory(staff=True, name="Moderator"),
        "tasks.moderate_task",
        "tasks.handle_report",
        "contracts.view_contract",
    )
    bidder_profile = ProviderProfileFactory()
    other_profile = ProviderProfileFactory()
    bidder, other_provider = bidder_profile.user, other_profile.user
    poster_org = OrganizationFactory(owner=poster_owner, verified=True)
    make_org_member(poster_member, poster_org, Membership.Role.MEMBER)
    other_org = OrganizationFactory(owner=other_org_member, verified=True)

    task = TaskFactory(organization=poster_org, created_by=poster_owner, nda_required=True)
    task_nda_accept(user=bidder, task=task)
    bid = BidFactory(task=task, provider=bidder_profile, amount=SEALED_AMOUNT)
    public_attachment = task_attachment_add(
        actor=poster_owner, task=task, upload=pdf("public.pdf"), confidential=False
    )
    secret_attachment = task_attachment_add(
        actor=poster_owner, task=task, upload=pdf("secret.pdf"), confidential=True
    )
    draft = TaskFactory(organization=poster_org, status=Task.Status.DRAFT, published_at=None)
    draft_attachment = task_attachment_add(actor=poster_owner, task=draft, upload=pdf("d.pdf"))

    other_task = TaskFactory(organization=other_org)
    contract = _awarded(
        TaskFactory(organization=poster_org),
        provider=bidder_profile,
        owner=poster_owner,
        amount=60_000_00,
    )
    first, second = contract.milestones.order_by("position")
    delivery = milestone_submit(
        actor=bidder, milestone=first, note="方案初稿，见附件。", files=[pdf("v1.pdf")]
    )
    done = _awarded(
        TaskFactory(organization=poster_org),
        provider=bidder_profile,
        owner=poster_owner,
        amount=40_000_00,
    )
    for milestone in done.milestones.order_by("position"):
        milestone_submit(actor=bidder, milestone=milestone, note="交付物见附件。")
        milestone_accept(actor=poster_owner, milestone=milestone)
    other_contract = _awarded(
        TaskFactory(organization=other_org),
        provider=other_profile,
        owner=other_org_member,
        amount=30_000_00,
    )

    made = World(
        users={
            "poster_member": poster_member,
            "poster_owner": poster_owner,
            "other_org_member": other_org_member,
            "bidder": bidder,
            "other_provider": other_provider,
            "anonymous": None,
            "staff": staff,
        },
        poster_org=poster_org,
        other_org=other_org,
        bidder_profile=bidder_profile,
        other_profile=other_profile,
        skill_id=SkillFactory(slug="machine-vision").pk,
        task=task,
        task2=TaskFactory(organization=poster_org),
        draft=draft,
        pending=TaskFactory(
            organization=poster_org, status=Task.Status.PENDING_REVIEW, published_at=None
        ),
        other_draft=TaskFactory(
            organization=other_org, status=Task.Status.DRAFT, published_at=None, nda_required=True
        ),
        other_task=other_task,
        bid=bid,
        other_bid=BidFactory(task=other_task, provider=other_profile, amount=55_555_00),
        public_attachment=public_attachment,
        secret_attachment=secret_attachment,
        draft_attachment=draft_attachment,
        contract=contract,
        first_milestone=first,
        second_milestone=second,
        delivery_file=delivery.files.get(),
        done_contract=done,
        other_contract=other_contract,
        other_milestone=other_contract.milestones.order_by("position").first(),
        extra=_talk(bid=bid, bidder=bidder, other_provider=other_provider, task=task),
    )
    # A waiting report of the open task, for the moderators' report endpoints.
    made.extra["report"] = Report.objects.create(
        reporter=other_provider, kind="task", object_id=task.pk, reason="spam"
    )
    return made


def _talk(*, bid: Bid, bidder: User, other_provider: User, task: Task) -> dict[str, Any]:
    """The bid's negotiation (a file and an offer from the bidder) and a question on the task
    from the other provider, not yet answered."""
    from bids.negotiation import services as negotiation
    from marketplace.terms import MilestoneTerms
    from tasks.services import task_question_ask

    thread, _created = negotiation.thread_open(actor=bidder, bid=bid)
    file = negotiation.message_file_post(actor=bidder, thread=thread, upload=pdf("plan.pdf"))
    offer = negotiation.offer_make(
        actor=bidder, thread=thread, amount=SEALED_AMOUNT, duration_days=60,
        milestones=[MilestoneTerms(title="全部成果", amount=SEALED_AMOUNT, due_days=60)],
    ).message.offer  # fmt: skip
    question = task_question_ask(actor=other_provider, task=task, body="样件何时寄出？")
    return {"thread": thread, "file": file.message, "offer": offer, "question": question}


OFFER = {
    "amount": 50_000_00,
    "duration_days": 30,
    "milestones": [{"title": "全部成果", "amount": 50_000_00, "due_days": 30}],
}
SIDES_ONLY = {"poster_member": 200, "poster_owner": 200, "bidder": 200, "anonymous": 401}
SIDES_WRITE = {"poster_member": 201, "poster_owner": 201, "bidder": 201, "anonymous": 401}


def _thread(w: Any, tail: str = "") -> str:
    return f"{API}/threads/{w.extra['thread'].pk}/{tail}"


@pytest.fixture
def clients(world: World) -> dict[str, APIClient]:
    result = {}
    for role, user in world.users.items():
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        result[role] = client
    return result


# --- the table ------------------------------------------------------------------------------------


def expect(default: int, **by_role: int) -> dict[str, int]:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, unknown
    # "Forbidden" for a signed-in user is "not signed in" (401) for an anonymous caller.
    anonymous_default = 401 if default == 403 else default
    return {
        role: by_role.get(role, anonymous_default if role == "anonymous" else default)
        for role in ROLES
    }


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], dict[str, Any]] | None = None
    multipart: bool = False


def task_body(w: World, organization: Organization) -> dict[str, Any]:
    return {
        "organization": organization.pk,
        "kind": "engineering",
        "title": "产线改造工程服务",
        "summary": "产线改造的工程服务。",
        "description": "## 需求\n对现有冲压线做自动化改造，含方案、实施与验收。",
        "budget_min": 20_000_00,
        "budget_max": 30_000_00,
        "bid_deadline": (timezone.now() + dt.timedelta(days=7)).isoformat(),
        "delivery_deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "skills": [{"skill": w.skill_id, "weight": 4}],
        "milestones": [{"title": "全部", "share_bps": 10000, "due_days": 30}],
    }


def bid_body(amount: int = 50_000_00, **extra: Any) -> dict[str, Any]:
    return {
        "amount": amount,
        "duration_days": 40,
        "proposal": "我们做过三条同类冲压线的自动化改造，可在四十天内完成方案、实施与验收。",
        "milestones": [
            {"title": "方案", "amount": amount // 2, "due_days": 10},
            {"title": "实施", "amount": amount - amount // 2, "due_days": 40},
        ],
        **extra,
    }


REVIEW = {"rating": 5, "quality": 5, "communication": 4, "timeliness": 5}
NOT_FOUND_BUT_OWN = {"poster_member": 200, "poster_owner": 200}

CASES: list[Case] = [
    # --- tasks
    Case("browse", "GET", lambda w: f"{API}/tasks/", expect(200)),
    Case(
        "create for the poster organization",
        "POST",
        lambda w: f"{API}/tasks/",
        expect(403, poster_member=201, poster_owner=201),
        body=lambda w: task_body(w, w.poster_org),
    ),
    Case(
        "create for the other organization",
        "POST",
        lambda w: f"{API}/tasks/",
        expect(403, other_org_member=201),
        body=lambda w: task_body(w, w.other_org),
    ),
    Case("my tasks", "GET", lambda w: f"{API}/tasks/mine/", expect(200, anonymous=401)),
    Case("open task detail", "GET", lambda w: f"{API}/tasks/{w.task.pk}/", expect(200)),
    Case(
        "draft detail",
        "GET",
        lambda w: f"{API}/tasks/{w.draft.pk}/",
        expect(404, **NOT_FOUND_BUT_OWN),
    ),
    Case(
        "pending task detail",
        "GET",
        lambda w: f"{API}/tasks/{w.pending.pk}/",
        expect(404, **NOT_FOUND_BUT_OWN, staff=200),
    ),
    Case(
        "other organization's draft detail",
        "GET",
        lambda w: f"{API}/tasks/{w.other_draft.pk}/",
        expect(404, other_org_member=200),
    ),
    Case(
        "edit the draft",
        "PATCH",
        lambda w: f"{API}/tasks/{w.draft.pk}/",
        expect(404, **NOT_FOUND_BUT_OWN, anonymous=401),
        body=lambda w: {"title": "改过的标题"},
    ),
    Case(
        "edit the open task",
        "PATCH",
        lambda w: f"{API}/tasks/{w.task.pk}/",
        # Members may edit drafts only: the open task's state refuses them (409).
        expect(403, poster_member=409, poster_owner=409),
        body=lambda w: {"title": "改过的标题"},
    ),
    Case(
        "edit the other organization's draft",
        "PATCH",
        lambda w: f"{API}/tasks/{w.other_draft.pk}/",
        expect(404, other_org_member=200, anonymous=401),
        body=lambda w: {"title": "改过的标题"},
    ),
    Case(
        "submit the draft",
        "POST",
        lambda w: f"{API}/tasks/{w.draft.pk}/submit/",
        expect(404, **NOT_FOUND_BUT_OWN, anonymous=401),
    ),
    Case(
        "cancel the open task",
        "POST",
        lambda w: f"{API}/tasks/{w.task.pk}/cancel/",
        expect(403, poster_owner=200),
        body=lambda w: {"reason": "需求变更"},
    ),
    Case(
        "cancel the other organization's draft",
        "POST",
        lambda w: f"{API}/tasks/{w.other_draft.pk}/cancel/",
        expect(404, other_org_member=200, anonymous=401),
        body=lambda w: {"reason": "需求变更"},
    ),
    Case(
        "accept the open task's NDA",
        "POST",
        lambda w: f"{API}/tasks/{w.task.pk}/nda/",
        expect(200, anonymous=401),
    ),
    Case(
        "accept the other organization's draft's NDA",
        "POST",
        lambda w: f"{API}/tasks/{w.other_draft.pk}/nda/",
        expect(404, other_org_member=200, anonymous=401),
    ),
    Case(
        "invite a provider to the open task",
        "POST",
        lambda w: f"{API}/tasks/{w.task.pk}/invitations/",
        expect(403, poster_member=201, poster_owner=201),
        body=lambda w: {"provider": w.other_profile.pk},
    ),
    Case(
        "invite a provider to the other organization's draft",
        "POST",
        lambda w: f"{API}/tasks/{w.other_draft.pk}/invitations/",
        expect(404, other_org_member=201, anonymous=401),
        body=lambda w: {"provider": w.bidder_profile.pk},
    ),
    # --- attachments
    Case(
        "list the open task's files",
        "GET",
        lambda w: f"{API}/tasks/{w.task.pk}/attachments/",
        expect(200),
    ),
    Case(
        "list the draft's files",
        "GET",
        lambda w: f"{API}/tasks/{w.draft.pk}/attachments/",
        expect(404, **NOT_FOUND_BUT_OWN),
    ),
    Case(
        "upload to the draft",
        "POST",
        lambda w: f"{API}/tasks/{w.draft.pk}/attachments/",
        expect(404, poster_member=201, poster_owner=201, anonymous=401),
        body=lambda w: {"file": pdf()},
        multipart=True,
    ),
    Case(
        "upload to the open task",
        "POST",
        lambda w: f"{API}/tasks/{w.task.pk}/attachments/",
        expect(403, poster_member=201, poster_owner=201),
        body=lambda w: {"file": pdf()},
        multipart=True,
    ),
    Case(
        "remove the draft's file",
        "DELETE",
        lambda w: f"{API}/attachments/{w.draft_attachment.pk}/",
        expect(404, poster_member=204, poster_owner=204, anonymous=401),
    ),
    Case(
        "remove the open task's public file",
        "DELETE",
        lambda w: f"{API}/attachments/{w.public_attachment.pk}/",
        expect(403, poster_member=409, poster_owner=409),
    ),
    Case(
        "remove the open task's confidential file",
        "DELETE",
        lambda w: f"{API}/attachments/{w.secret_attachment.pk}/",
        expect(403, other_org_member=404, other_provider=404, poster_member=409, poster_owner=409),
    ),
    Case(
        "download the public file",
        "GET",
        lambda w: f"{API}/attachments/{w.public_attachment.pk}/download/",
        expect(200),
    ),
    Case(
        "download the confidential file",
        "GET",
        lambda w: f"{API}/attachments/{w.secret_attachment.pk}/download/",
        expect(200, other_org_member=404, other_provider=404, anonymous=404),
    ),
    Case(
        "download the draft's file",
        "GET",
        lambda w: f"{API}/attachments/{w.draft_attachment.pk}/download/",
        expect(404, **NOT_FOUND_BUT_OWN),
    ),
    # --- moderation
    Case("moderation queue", "GET", lambda w: f"{API}/moderation/tasks/", expect(403, staff=200)),
    Case(
        "approve the pending task",
        "POST",
        lambda w: f"{API}/moderation/tasks/{w.pending.pk}/approve/",
        expect(403, staff=200),
    ),
    Case(
        "send the pending task back",
        "POST",
        lambda w: f"{API}/moderation/tasks/{w.pending.pk}/send-back/",
        expect(403, staff=200),
        body=lambda w: {"reason": "预算说明不清"},
    ),
    Case(
        "flag the open task",
        "POST",
        lambda w: f"{API}/moderation/tasks/{w.task.pk}/flag/",
        expect(403, staff=200),
        body=lambda w: {"reason": "疑似虚假需求"},
    ),
    Case(
        "approve the other organization's draft",
        "POST",
        lambda w: f"{API}/moderation/tasks/{w.other_draft.pk}/approve/",
        expect(403, staff=404),
    ),
    # --- reports
    Case(
        "report the open task",
        "POST",
        lambda w: f"{API}/reports/",
        # The other provider reported it already (the world's waiting report).
        expect(201, poster_owner=403, other_provider=409, anonymous=401),
        body=lambda w: {"kind": "task", "object_id": w.task.pk, "reason": "fraud"},
    ),
    Case(
        "report the other organization's draft",
        "POST",
        lambda w: f"{API}/reports/",
        expect(404, other_org_member=403, anonymous=401),
        body=lambda w: {"kind": "task", "object_id": w.other_draft.pk, "reason": "spam"},
    ),
    Case("report queue", "GET", lambda w: f"{API}/moderation/reports/", expect(403, staff=200)),
    Case(
        "dismiss the report",
        "POST",
        lambda w: f"{API}/moderation/reports/{w.extra['report'].pk}/decide/",
        expect(403, staff=200),
        body=lambda w: {"outcome": "dismissed"},
    ),
    Case(
        "hide the reported task",
        "POST",
        lambda w: f"{API}/moderation/reports/{w.extra['report'].pk}/hide/",
        expect(403, staff=200),
        body=lambda w: {"reason": "疑似虚假需求"},
    ),
    Case(
        # The moderator here may not suspend accounts (no accounts.suspend_user).
        "suspend the reported task's poster",
        "POST",
        lambda w: f"{API}/moderation/reports/{w.extra['report'].pk}/suspend-owner/",
        expect(403),
        body=lambda w: {"reason": "虚假需求"},
    ),
    Case(
        "hide a task without a report",
        "POST",
        lambda w: f"{API}/moderation/content/task/{w.other_task.pk}/hide/",
        expect(403, staff=200),
        body=lambda w: {"reason": "疑似虚假需求"},
    ),
    Case(
        # Showing a task again approves it out of review.
        "show the task waiting for review",
        "POST",
        lambda w: f"{API}/moderation/content/task/{w.pending.pk}/show/",
        expect(403, staff=200),
    ),
    # --- bids
    Case(
        "eligibility on the open task",
        "GET",
        lambda w: f"{API}/tasks/{w.task.pk}/eligibility/",
        expect(200),
    ),
    Case(
        "eligibility on the draft",
        "GET",
        lambda w: f"{API}/tasks/{w.draft.pk}/eligibility/",
        expect(404, **NOT_FOUND_BUT_OWN),
    ),
    Case(
        "bid summary of the open task",
        "GET",
        lambda w: f"{API}/tasks/{w.task.pk}/bid-summary/",
        expect(200),
    ),
    Case(
        "bid summary of the other organization's draft",
        "GET",
        lambda w: f"{API}/tasks/{w.other_draft.pk}/bid-summary/",
        expect(404, other_org_member=200),
    ),
    Case(
        "compare the open task's bids",
        "GET",
        lambda w: f"{API}/tasks/{w.task.pk}/bids/",
        expect(404, **NOT_FOUND_BUT_OWN, anonymous=401),
    ),
    Case(
        "compare the other organization's task's bids",
        "GET",
        lambda w: f"{API}/tasks/{w.other_task.pk}/bids/",
        expect(404, other_org_member=200, anonymous=401),
    ),
    Case(
        "bid on the task without bids",
        "POST",
        lambda w: f"{API}/tasks/{w.task2.pk}/bids/",
        expect(403, bidder=201, other_provider=201),
        body=lambda w: bid_body(),
    ),
    Case(
        "bid on the NDA task (the bidder already did)",
        "POST",
        lambda w: f"{API}/tasks/{w.task.pk}/bids/",
        expect(403, bidder=409),
        body=lambda w: bid_body(),
    ),
    Case(
        "bid for the other provider's profile",
        "POST",
        lambda w: f"{API}/tasks/{w.task2.pk}/bids/",
        expect(404, other_provider=201, anonymous=401),
        body=lambda w: bid_body(provider=w.other_profile.pk),
    ),
    Case(
        "bid on the draft",
        "POST",
        lambda w: f"{API}/tasks/{w.draft.pk}/bids/",
        # Who bids is checked before the task is read (one locked read, issue 13): someone with
        # no provider profile gets that 403 for any task id, so the draft stays unseen.
        expect(
            404,
            poster_member=403,
            poster_owner=403,
            other_org_member=403,
            staff=403,
            anonymous=401,
        ),
        body=lambda w: bid_body(),
    ),
    Case("my bids", "GET", lambda w: f"{API}/bids/mine/", expect(200, anonymous=401)),
    Case(
        "the bid",
        "GET",
        lambda w: f"{API}/bids/{w.bid.pk}/",
        expect(404, **NOT_FOUND_BUT_OWN, bidder=200, anonymous=401),
    ),
    Case(
        "the other provider's bid",
        "GET",
        lambda w: f"{API}/bids/{w.other_bid.pk}/",
        expect(404, other_org_member=200, other_provider=200, anonymous=401),
    ),
    Case(
        "revise the bid",
        "PUT",
        lambda w: f"{API}/bids/{w.bid.pk}/",
        expect(404, poster_member=403, poster_owner=403, bidder=200, anonymous=401),
        body=lambda w: bid_body(6_000_000),
    ),
    Case(
        "revise the other provider's bid",
        "PUT",
        lambda w: f"{API}/bids/{w.other_bid.pk}/",
        expect(404, other_org_member=403, other_provider=200, anonymous=401),
        body=lambda w: bid_body(5_000_000),
    ),
    Case(
        "withdraw the bid",
        "POST",
        lambda w: f"{API}/bids/{w.bid.pk}/withdraw/",
        expect(404, poster_member=403, poster_owner=403, bidder=200, anonymous=401),
    ),
    Case(
        "shortlist the bid",
        "POST",
        lambda w: f"{API}/bids/{w.bid.pk}/shortlist/",
        expect(404, **NOT_FOUND_BUT_OWN, bidder=403, anonymous=401),
    ),
    Case(
        "reject the bid",
        "POST",
        lambda w: f"{API}/bids/{w.bid.pk}/reject/",
        expect(404, poster_member=403, poster_owner=200, bidder=403, anonymous=401),
        body=lambda w: {"note": "经验不符"},
    ),
    Case(
        "award the bid",
        "POST",
        lambda w: f"{API}/bids/{w.bid.pk}/award/",
        expect(404, poster_member=403, poster_owner=201, bidder=403, anonymous=401),
    ),
    Case(
        "award the other provider's bid",
        "POST",
        lambda w: f"{API}/bids/{w.other_bid.pk}/award/",
        expect(404, other_org_member=201, other_provider=403, anonymous=401),
    ),
    # --- contracts
    Case("my contracts", "GET", lambda w: f"{API}/contracts/", expect(200, anonymous=401)),
    Case(
        "the contract",
        "GET",
        lambda w: f"{API}/contracts/{w.contract.pk}/",
        expect(404, **NOT_FOUND_BUT_OWN, bidder=200, staff=200, anonymous=401),
    ),
    Case(
        "the other organization's contract",
        "GET",
        lambda w: f"{API}/contracts/{w.other_contract.pk}/",
        expect(404, other_org_member=200, other_provider=200, staff=200, anonymous=401),
    ),
    Case(
        "deliver the second milestone",
        "POST",
        lambda w: f"{API}/milestones/{w.second_milestone.pk}/deliveries/",
        expect(403, other_org_member=404, other_provider=404, bidder=201),
        body=lambda w: {"note": "交付物见附件。", "files": [pdf()]},
        multipart=True,
    ),
    Case(
        "deliver the other contract's milestone",
        "POST",
        lambda w: f"{API}/milestones/{w.other_milestone.pk}/deliveries/",
        expect(404, other_org_member=403, other_provider=201, staff=403, anonymous=401),
        body=lambda w: {"note": "交付物见附件。", "files": [pdf()]},
        multipart=True,
    ),
    Case(
        "accept the delivered milestone",
        "POST",
        lambda w: f"{API}/milestones/{w.first_milestone.pk}/accept/",
        expect(403, poster_owner=200, other_org_member=404, other_provider=404),
    ),
    Case(
        "ask for changes to the delivered milestone",
        "POST",
        lambda w: f"{API}/milestones/{w.first_milestone.pk}/request-changes/",
        expect(403, poster_owner=200, other_org_member=404, other_provider=404),
        body=lambda w: {"feedback": "请补充测试报告。"},
    ),
    Case(
        "download the delivered file",
        "GET",
        lambda w: f"{API}/delivery-files/{w.delivery_file.pk}/download/",
        expect(200, other_org_member=404, other_provider=404, anonymous=401),
    ),
    Case(
        "read the contract's reviews",
        "GET",
        lambda w: f"{API}/contracts/{w.done_contract.pk}/reviews/",
        expect(200, other_org_member=404, other_provider=404, anonymous=401),
    ),
    Case(
        "review the completed contract",
        "POST",
        lambda w: f"{API}/contracts/{w.done_contract.pk}/reviews/",
        expect(404, poster_member=403, poster_owner=201, bidder=201, staff=403, anonymous=401),
        body=lambda w: REVIEW,
    ),
    # --- favourites and inviting from a provider's profile
    Case(
        "star the open task",
        "PUT",
        lambda w: f"{API}/tasks/{w.task.pk}/favourite/",
        expect(200, anonymous=401),
    ),
    Case(
        "star the draft",
        "PUT",
        lambda w: f"{API}/tasks/{w.draft.pk}/favourite/",
        expect(404, **NOT_FOUND_BUT_OWN, anonymous=401),
    ),
    Case(
        "unstar the open task",
        "DELETE",
        lambda w: f"{API}/tasks/{w.task.pk}/favourite/",
        expect(200, anonymous=401),
    ),
    Case(
        "my favourite tasks",
        "GET",
        lambda w: f"{API}/favourites/tasks/",
        expect(200, anonymous=401),
    ),
    Case(
        "tasks I may invite the other provider to",
        "GET",
        lambda w: f"{API}/provider-profiles/{w.other_profile.pk}/invitations/",
        expect(200, anonymous=401),
    ),
    Case(
        "invite the other provider to the poster's open task",
        "POST",
        lambda w: f"{API}/provider-profiles/{w.other_profile.pk}/invitations/",
        expect(403, poster_member=201, poster_owner=201),
        body=lambda w: {"task": w.task2.pk},
    ),
    Case(
        "invite the other provider to the other organization's draft",
        "POST",
        lambda w: f"{API}/provider-profiles/{w.other_profile.pk}/invitations/",
        expect(404, other_org_member=201, anonymous=401),
        body=lambda w: {"task": w.other_draft.pk},
    ),
]

# --- negotiation and questions: the bid's two sides only; questions by providers, answered by
# the poster's members, hidden by moderators.
CASES += [
    Case(
        "bid's thread",
        "GET",
        lambda w: f"{API}/bids/{w.bid.pk}/thread/",
        expect(404, **SIDES_ONLY),
    ),
    Case(
        "open the bid's thread",
        "POST",
        lambda w: f"{API}/bids/{w.bid.pk}/thread/",
        expect(404, **SIDES_ONLY),
    ),
    Case("inbox", "GET", lambda w: f"{API}/threads/", expect(200, anonymous=401)),
    Case("thread detail", "GET", lambda w: _thread(w), expect(404, **SIDES_ONLY)),
    Case(
        "thread messages",
        "GET",
        lambda w: _thread(w, "messages/"),
        expect(404, **SIDES_ONLY),
    ),
    Case(
        "post a message",
        "POST",
        lambda w: _thread(w, "messages/"),
        expect(404, **SIDES_WRITE),
        body=lambda w: {"body": "您好"},
    ),
    Case(
        "post a file",
        "POST",
        lambda w: _thread(w, "files/"),
        expect(404, **SIDES_WRITE),
        body=lambda w: {"file": pdf()},
        multipart=True,
    ),
    Case(
        "make an offer",
        "POST",
        lambda w: _thread(w, "offers/"),
        expect(404, **SIDES_WRITE),
        body=lambda w: OFFER,
    ),
    Case(
        "mark read",
        "POST",
        lambda w: _thread(w, "read/"),
        expect(404, **SIDES_ONLY),
        body=lambda w: {"seq": 1},
    ),
    Case(
        "accept the bidder's offer",
        "POST",
        lambda w: f"{API}/offers/{w.extra['offer'].pk}/accept/",
        expect(404, poster_member=403, poster_owner=201, bidder=403, anonymous=401),
    ),
    Case(
        "decline the bidder's offer",
        "POST",
        lambda w: f"{API}/offers/{w.extra['offer'].pk}/decline/",
        expect(404, poster_member=201, poster_owner=201, bidder=403, anonymous=401),
        body=lambda w: {},
    ),
    Case(
        "negotiation file",
        "GET",
        lambda w: f"{API}/negotiation-files/{w.extra['file'].pk}/",
        expect(404, **SIDES_ONLY),
    ),
    Case("task questions", "GET", lambda w: f"{API}/tasks/{w.task.pk}/questions/", expect(200)),
    Case(
        "ask a question",
        "POST",
        lambda w: f"{API}/tasks/{w.task.pk}/questions/",
        expect(403, bidder=201, other_provider=201, anonymous=401),
        body=lambda w: {"body": "验收标准是什么？"},
    ),
    Case(
        "post a clarification",
        "POST",
        lambda w: f"{API}/tasks/{w.task.pk}/clarifications/",
        expect(403, poster_member=201, poster_owner=201),
        body=lambda w: {"body": "样件下周寄出。"},
    ),
    Case(
        "answer a question",
        "POST",
        lambda w: f"{API}/questions/{w.extra['question'].pk}/answer/",
        expect(
            404, poster_member=200, poster_owner=200, other_provider=403, staff=403, anonymous=401
        ),
        body=lambda w: {"answer": "下周一寄出。"},
    ),
    Case(
        "hide a question",
        "POST",
        lambda w: f"{API}/questions/{w.extra['question'].pk}/hide/",
        expect(
            404, poster_member=403, poster_owner=403, other_provider=403, staff=200, anonymous=401
        ),
        body=lambda w: {"reason": "广告"},
    ),
    Case(
        # Not hidden: the moderator's show is refused as a conflict.
        "show a question again",
        "POST",
        lambda w: f"{API}/questions/{w.extra['question'].pk}/show/",
        expect(
            404, poster_member=403, poster_owner=403, other_provider=403, staff=409, anonymous=401
        ),
    ),
]

GET_CASES = [case for case in CASES if case.method == "GET"]


# --- running it ---------------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the API may write, in full."""
    models = (
        Task,
        TaskSkill,
        TaskMilestonePlan,
        TaskAttachment,
        TaskInvitation,
        NdaAcceptance,
        Bid,
        BidMilestone,
        BidRevision,
        Contract,
        Milestone,
        Delivery,
        DeliveryFile,
        Review,
        AuditEvent,
        Notification,
        TaskFavourite,
    )
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in models}


class _Undo(Exception):
    """Raised to roll a role's request back, so the next role meets the same world."""


def call(client: APIClient, case: Case, world: World) -> Any:
    method = getattr(client, case.method.lower())
    if case.body is None:
        return method(case.path(world))
    return method(
        case.path(world), case.body(world), format="multipart" if case.multipart else "json"
    )


def run_as_each_role(
    case: Case, world: World, clients: dict[str, APIClient]
) -> tuple[dict[str, int], list[str], dict[str, Any]]:
    """Status per role; the roles whose refused write (or read) changed the database."""
    statuses: dict[str, int] = {}
    changed: list[str] = []
    responses: dict[str, Any] = {}
    for role in ROLES:
        try:
            with transaction.atomic():
                before = snapshot()
                response = call(clients[role], case, world)
                statuses[role] = response.status_code
                responses[role] = response
                if (case.method == "GET" or response.status_code >= 400) and snapshot() != before:
                    changed.append(role)
                raise _Undo
        except _Undo:
            pass
    return statuses, changed, responses


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_permission_matrix(case: Case, world: World, clients: dict[str, APIClient]) -> None:
    statuses, changed, responses = run_as_each_role(case, world, clients)

    assert statuses == case.expected
    assert changed == [], f"refused requests changed the database for {changed}"
    for role, response in responses.items():
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"], (role, error)
            assert error["message"], (role, error)


def test_the_matrix_covers_every_tasks_and_bids_endpoint() -> None:
    """Each URL pattern of the tasks and bids APIs, with each method it serves, has a row."""
    from django.urls import get_resolver

    from bids.api import urls as bid_urls
    from tasks.api import urls as task_urls

    served = set()
    for pattern in [*task_urls.urlpatterns, *bid_urls.urlpatterns]:
        view = pattern.callback.cls
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                served.add((pattern.name, method.upper()))
    covered = set()
    resolver = get_resolver()
    for case in CASES:
        # Resolve a sample path: ids of 1 are as good as any for naming the route.
        match = resolver.resolve(_sample_path(case))
        covered.add((match.url_name, case.method))
    assert served - covered == set()


def _sample_path(case: Case) -> str:
    class Anything:
        def __getattr__(self, name: str) -> Any:
            return self

        def __getitem__(self, name: str) -> Any:
            return self

        pk = 1

    return case.path(Anything())


# --- what each role's lists contain ---------------------------------------------------------------


def _ids(client: APIClient, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_each_role_lists_only_its_own_tasks_bids_and_contracts(world, clients):
    w = world
    poster_tasks = set(Task.objects.filter(organization=w.poster_org).values_list("pk", flat=True))
    other_tasks = set(Task.objects.filter(organization=w.other_org).values_list("pk", flat=True))
    bidder_bids = set(Bid.objects.filter(provider=w.bidder_profile).values_list("pk", flat=True))
    other_bids = set(Bid.objects.filter(provider=w.other_profile).values_list("pk", flat=True))
    poster_contracts = {w.contract.pk, w.done_contract.pk}

    expected = {
        "poster_member": (poster_tasks, set(), poster_contracts),
        "poster_owner": (poster_tasks, set(), poster_contracts),
        "other_org_member": (other_tasks, set(), {w.other_contract.pk}),
        "bidder": (set(), bidder_bids, poster_contracts),
        "other_provider": (set(), other_bids, {w.other_contract.pk}),
        "staff": (set(), set(), set()),
    }
    for role, (tasks, bids, contracts) in expected.items():
        client = clients[role]
        assert _ids(client, f"{API}/tasks/mine/?page_size=100") == tasks, role
        assert _ids(client, f"{API}/bids/mine/?page_size=100") == bids, role
        assert _ids(client, f"{API}/contracts/?page_size=100") == contracts, role
    assert _ids(clients["staff"], f"{API}/moderation/tasks/") == {w.pending.pk}


def test_only_those_who_may_read_details_see_the_description_and_confidential_files(world, clients):
    readers = {"poster_member", "poster_owner", "bidder", "staff"}
    for role in ROLES:
        body = clients[role].get(f"{API}/tasks/{world.task.pk}/").json()
        names = {a["name"] for a in body["attachments"]}
        if role in readers:
            assert body["details_locked"] is None, role
            assert body["description"] == world.task.description, role
            assert names == {"public.pdf", "secret.pdf"}, role
        else:
            assert body["details_locked"] == "nda", role
            assert body["description"] is None, role
            assert names == {"public.pdf"}, role
            assert (
                world.task.description.encode()
                not in clients[role].get(f"{API}/tasks/{world.task.pk}/attachments/").content
            )


# --- sealed bids --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "other_provider", "other_org_member", "staff"])
def test_a_sealed_amount_never_reaches_outsiders_on_any_get_endpoint(world, clients, role):
    client = clients[role]
    extra = [
        f"{API}/tasks/?open_only=false&page_size=100",
        f"{API}/tasks/?sort=budget",
        f"{API}/tasks/{world.task.pk}/eligibility/?provider={world.bidder_profile.pk}",
    ]
    urls = [case.path(world) for case in GET_CASES] + extra
    for url in urls:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        for text in SEALED_TEXTS:
            assert text.encode() not in content, (role, url)
    # The sealed bid is still there for its bidder and the poster (the test can fail).
    assert str(SEALED_AMOUNT).encode() in clients["bidder"].get(f"{API}/bids/mine/").content
    assert str(SEALED_AMOUNT).encode() in (
        clients["poster_member"].get(f"{API}/tasks/{world.task.pk}/bids/").content
    )
