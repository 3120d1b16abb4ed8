"""Contracts for the contract and reputation page tests, built through the real services.

contract = awarded_contract()                    # two milestones, awaiting funding
fund(contract)                                   # the escrow arrives: work starts
deliver(contract, 1)                             # the provider delivers milestone 1 with a PDF
complete(contract)                               # every milestone delivered and accepted
english(user)                                    # a test client signed in as `user`, in English
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contracts.models import Contract, Delivery, Milestone
from contracts.services import (
    contract_award,
    contract_funding_received,
    milestone_accept,
    milestone_submit,
)
from tests.bids.factories import BidFactory, bid_operator
from tests.page_helpers import signed_in
from tests.tasks.factories import TaskFactory, task_owner

PDF_BODY = b"%PDF-1.7\n% test report\n1 0 obj << >> endobj\n"


def awarded_contract(*, task: Any = None, provider: Any = None, **task_fields: Any) -> Contract:
    """A contract of 50,000 yuan in two milestones (20,000 + 30,000), awaiting funding."""
    task = task or TaskFactory(**task_fields)
    bid_fields: dict[str, Any] = {"provider": provider} if provider is not None else {}
    bid = BidFactory(
        task=task,
        amount=50_000_00,
        duration_days=40,
        milestones=[("方案设计", 20_000_00, 10), ("实施与验证", 30_000_00, 40)],
        **bid_fields,
    )
    return contract_award(actor=task_owner(task), bid=bid)


def fund(contract: Contract) -> Contract:
    return contract_funding_received(contract=contract, reference="test")


def poster_owner(contract: Contract) -> Any:
    return task_owner(contract.task)


def provider_user(contract: Contract) -> Any:
    return bid_operator(contract.bid)


def milestone(contract: Contract, position: int) -> Milestone:
    return contract.milestones.get(position=position)


def pdf(name: str = "report.pdf", body: bytes = PDF_BODY) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def deliver(contract: Contract, position: int, note: str = "方案报告已上传，请验收。") -> Delivery:
    return milestone_submit(
        actor=provider_user(contract),
        milestone=milestone(contract, position),
        note=note,
        files=[pdf()],
    )


def complete(contract: Contract) -> Contract:
    """Deliver and accept every milestone; the contract ends completed."""
    for m in contract.milestones.order_by("position"):
        deliver(contract, m.position)
        milestone_accept(actor=poster_owner(contract), milestone=m)
    contract.refresh_from_db()
    return contract


def english(user: Any = None) -> Client:
    """A client that asks for English pages (the zh-Hans catalogue is filled in later, so
    assertions read the English source), signed in as `user` when given."""
    if user is None:
        return Client(HTTP_ACCEPT_LANGUAGE="en")
    return signed_in(user, language="en")
