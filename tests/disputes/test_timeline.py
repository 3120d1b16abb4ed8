"""The evidence timeline gathers itself: a scripted contract creates every kind of evidence
(task file, negotiation messages with a file, offers, deliveries with their files' hashes, the
poster's decision on a delivery, statement, response, evidence file, decisions, appeal) and
every piece appears, oldest first, with its SHA-256 where it is a file."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bids.negotiation import services as negotiation
from contracts.services import (
    contract_award,
    milestone_request_changes,
    milestone_submit,
)
from disputes.selectors import KINDS, dispute_timeline
from disputes.services import (
    dispute_appeal,
    dispute_decide,
    dispute_evidence_add,
    dispute_respond,
)
from marketplace.terms import MilestoneTerms
from payments.services import escrow_fund
from tasks.models import Task
from tasks.services import task_attachment_add
from tests.bids.factories import BidFactory, bid_operator
from tests.disputes.setup import REASONS, RESPONSE, mediator, open_dispute
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"%PDF-1.7\n% {text}\n".encode(), "application/pdf")


def _sha(text: str) -> str:
    return hashlib.sha256(f"%PDF-1.7\n% {text}\n".encode()).hexdigest()


def test_the_timeline_contains_every_piece_of_evidence_of_a_scripted_contract() -> None:
    task = TaskFactory(status=Task.Status.DRAFT)
    poster = task_owner(task)
    task_attachment_add(actor=poster, task=task, upload=_pdf("需求说明.pdf", "spec"))
    Task.objects.filter(pk=task.pk).update(status=Task.Status.OPEN)
    task.refresh_from_db()
    bid = BidFactory(
        task=task,
        amount=50_000_00,
        duration_days=40,
        milestones=[("方案设计", 20_000_00, 10), ("实施与验证", 30_000_00, 40)],
    )
    bidder = bid_operator(bid)
    thread, _created = negotiation.thread_open(actor=bidder, bid=bid)
    negotiation.message_post(actor=bidder, thread=thread, body="您好，方案可在四十天内完成。")
    negotiation.message_post(actor=poster, thread=thread, body="验证报告必须包含现场测试数据。")
    negotiation.message_file_post(
        actor=bidder, thread=thread, upload=_pdf("技术路线.pdf", "route"), body="技术路线"
    )
    offer = negotiation.offer_make(
        actor=poster,
        thread=thread,
        amount=48_000_00,
        duration_days=40,
        milestones=[
            MilestoneTerms(title="方案设计", amount=18_000_00, due_days=10),
            MilestoneTerms(title="实施与验证", amount=30_000_00, due_days=40),
        ],
        note="含现场测试",
    ).message.offer
    assert offer is not None
    negotiation.offer_accept(actor=bidder, offer=offer)
    bid.refresh_from_db()
    contract = contract_award(actor=poster, bid=bid)
    escrow_fund(actor=poster, contract=contract)
    first = contract.milestones.get(position=1)
    milestone_submit(actor=bidder, milestone=first, note="第一版方案", files=[_pdf("v1.pdf", "v1")])
    milestone_request_changes(actor=poster, milestone=first, feedback="缺少现场测试数据。")
    milestone_submit(actor=bidder, milestone=first, note="第二版方案", files=[_pdf("v2.pdf", "v2")])
    dispute = open_dispute(contract)
    dispute_respond(actor=poster, dispute=dispute, response=RESPONSE)
    dispute_evidence_add(
        actor=poster, dispute=dispute, file=_pdf("测试记录.pdf", "field"), note="现场记录"
    )
    dispute_decide(
        actor=mediator(), dispute=dispute, refund=7_200_00, release=10_800_00, reasons=REASONS
    )
    dispute_appeal(actor=bidder, dispute=dispute, reason="验证报告已在第二版中提交，请复核。")

    dispute.refresh_from_db()
    timeline = dispute_timeline(dispute=dispute)

    kinds = [item.kind for item in timeline]
    assert set(kinds) == set(KINDS)
    assert kinds.count("message") == 4  # two texts, the file, the answer accepting the offer
    assert kinds.count("delivery") == 2
    assert kinds.count("delivery_decision") == 1
    assert kinds.count("offer") == 1
    hashes = {f.sha256 for item in timeline for f in item.files}
    assert {_sha(t) for t in ("spec", "route", "v1", "v2", "field")} <= hashes
    assert [item.at for item in timeline] == sorted(item.at for item in timeline)
    by_kind = {item.kind: item for item in timeline}
    assert by_kind["statement"].side == "provider"
    assert by_kind["response"].body == RESPONSE
    assert by_kind["delivery_decision"].body == "缺少现场测试数据。"
    assert by_kind["offer"].amount is not None
    assert by_kind["offer"].amount.amount == 48_000_00
    assert "含现场测试" in by_kind["offer"].body
    assert by_kind["evidence"].body == "现场记录"
    assert by_kind["appeal"].side == "provider"
    # The statement comes after everything that led to it.
    assert kinds.index("statement") > kinds.index("delivery")
