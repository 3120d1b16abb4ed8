"""Live notifications about bids: a sealed amount reaches the poster's socket and no other.

What did not arrive is read up to a marker (tests/realtime_helpers.py), not for a while."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from bids.services import bid_place
from contracts.services import contract_award
from marketplace.terms import MilestoneTerms
from tests.accounts.factories import ProviderProfileFactory
from tests.bids.factories import BidFactory
from tests.realtime_helpers import frames_before_marker, listen
from tests.tasks.factories import TaskFactory, task_owner

SEALED = 7_654_321_00  # ¥7,654,321.00: distinctive enough to spot anywhere


def sealed_digits_in(frames: list[str]) -> bool:
    return any(
        marker in frame for frame in frames for marker in ("7,654,321", "7654321", "765432100")
    )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_new_bids_amount_reaches_only_the_posters_socket(celery_eager) -> None:
    task = await database_sync_to_async(TaskFactory)(budget_max=SEALED * 2)
    owner = await database_sync_to_async(task_owner)(task)
    bidder = await database_sync_to_async(ProviderProfileFactory)()
    rival = await database_sync_to_async(BidFactory)(task=task)
    rival_user = await database_sync_to_async(lambda: rival.provider.user)()

    poster_socket, rival_socket = await listen(owner), await listen(rival_user)
    try:
        await database_sync_to_async(bid_place)(
            actor=bidder.user, task=task, provider=bidder, amount=SEALED, duration_days=30,
            proposal="我们团队有丰富的同类项目经验，可在三十天内完成全部交付。",
            milestones=[MilestoneTerms(title="全部成果", amount=SEALED, due_days=30)],
        )  # fmt: skip
        poster_frames = await frames_before_marker(poster_socket, owner)
        rival_frames = await frames_before_marker(rival_socket, rival_user)
    finally:
        await poster_socket.disconnect()
        await rival_socket.disconnect()

    assert sealed_digits_in(poster_frames), poster_frames
    assert rival_frames == []


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_losing_bidders_are_told_without_the_winning_amount(celery_eager) -> None:
    task = await database_sync_to_async(TaskFactory)()
    owner = await database_sync_to_async(task_owner)(task)
    winner = await database_sync_to_async(BidFactory)(
        task=task, amount=SEALED, milestones=[("全部", SEALED, 60)]
    )
    loser = await database_sync_to_async(BidFactory)(task=task)
    loser_user = await database_sync_to_async(lambda: loser.provider.user)()

    loser_socket = await listen(loser_user)
    try:
        await database_sync_to_async(contract_award)(actor=owner, bid=winner)
        frames = await frames_before_marker(loser_socket, loser_user)
    finally:
        await loser_socket.disconnect()

    assert len(frames) == 1
    assert '"kind": "bid_rejected"' in frames[0]
    assert not sealed_digits_in(frames)
