"""Factories for bids.

bid = BidFactory(task=task)                       # a live bid by a new individual provider
bid = BidFactory(task=task, provider=profile, amount=60_000_00)
bidder = bid_operator(bid)                        # the user who acts for the bid's provider
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, User
from bids.models import Bid, BidMilestone, BidRevision
from tests.accounts.factories import ProviderProfileFactory
from tests.tasks.factories import TaskFactory


class BidFactory(DjangoModelFactory):
    class Meta:
        model = Bid
        skip_postgeneration_save = True

    task = factory.SubFactory(TaskFactory)
    provider = factory.SubFactory(ProviderProfileFactory)
    submitted_by = factory.LazyAttribute(lambda o: operator_of(o.provider))
    amount = 60_000_00
    currency = "CNY"
    duration_days = 60
    proposal = "我们有十年工业视觉经验，曾为三家主机厂交付同类检测方案，可复用缺陷样本库。"
    status = Bid.Status.SUBMITTED

    @factory.post_generation
    def milestones(
        obj: Bid, create: bool, extracted: list[tuple[str, int, int]] | None, **kwargs: Any
    ) -> None:
        if not create:
            return
        rows = extracted or [
            ("方案设计", obj.amount // 2, 20),
            ("实施与验证", obj.amount - obj.amount // 2, obj.duration_days),
        ]
        for position, (title, amount, days) in enumerate(rows, start=1):
            BidMilestone.objects.create(
                bid=obj, position=position, title=title, amount=amount, due_days=days
            )
        BidRevision.objects.create(
            bid=obj,
            revision=obj.revision,
            amount=obj.amount,
            duration_days=obj.duration_days,
            proposal=obj.proposal,
            milestones=[
                {"title": t, "amount": a, "due_days": d, "description": ""} for t, a, d in rows
            ],
            created_by=obj.submitted_by,
        )


def operator_of(provider: Any) -> User:
    if provider.user_id:
        return provider.user
    return (
        Membership.objects.filter(
            organization_id=provider.organization_id, role=Membership.Role.OWNER
        )
        .select_related("user")
        .first()
        .user
    )


def bid_operator(bid: Bid) -> User:
    """The user who acts for the bid's provider."""
    return operator_of(bid.provider)
