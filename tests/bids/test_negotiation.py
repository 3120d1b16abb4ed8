"""The negotiation of a bid: one thread, numbered messages stored once per client id, offers and
counter-offers, accepting the latest one writes the bid's terms and the award's contract, and
after the award the thread is read-only evidence."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections

from bids.models import Bid, NegotiationMessage, NegotiationThread, Offer
from bids.negotiation import selectors, services
from contracts.models import Contract
from contracts.services import contract_award
from marketplace.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from marketplace.terms import MilestoneTerms
from tests.accounts.factories import ProviderProfileFactory, UserFactory, make_org_member
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(db: None) -> dict[str, Any]:
    bid = BidFactory(amount=60_000_00)
    poster = task_owner(bid.task)
    bidder = bid_operator(bid)
    thread, created = services.thread_open(actor=bidder, bid=bid)
    assert created
    return {"bid": bid, "poster": poster, "bidder": bidder, "thread": thread, "task": bid.task}


def terms(amount: int, days: int = 50) -> dict[str, Any]:
    first = amount * 4 // 10
    return {
        "amount": amount,
        "duration_days": days,
        "milestones": [
            MilestoneTerms(title="方案设计", amount=first, due_days=20),
            MilestoneTerms(title="实施与验证", amount=amount - first, due_days=days),
        ],
    }


def test_either_side_opens_the_one_thread_of_a_bid(room: dict[str, Any]) -> None:
    again, created = services.thread_open(actor=room["poster"], bid=room["bid"])

    assert not created
    assert again.pk == room["thread"].pk
    assert NegotiationThread.objects.filter(bid=room["bid"]).count() == 1


def test_a_rival_or_a_stranger_cannot_open_read_or_write(room: dict[str, Any]) -> None:
    rival = bid_operator(BidFactory(task=room["task"]))
    stranger = UserFactory()
    for outsider in (rival, stranger):
        with pytest.raises(NotFound):
            services.thread_open(actor=outsider, bid=room["bid"])
        with pytest.raises(NotFound):
            selectors.thread_get_for_user(user=outsider, thread_id=room["thread"].pk)
        with pytest.raises(NotFound):
            services.message_post(actor=outsider, thread=room["thread"], body="你好")
    assert not NegotiationMessage.objects.exists()


def test_messages_are_numbered_in_order_and_a_resend_is_stored_once(room: dict[str, Any]) -> None:
    thread = room["thread"]
    first = services.message_post(actor=room["bidder"], thread=thread, body="您好", client_id="a-1")
    second = services.message_post(
        actor=room["poster"], thread=thread, body="请讲", client_id="a-1"
    )
    resent = services.message_post(
        actor=room["bidder"], thread=thread, body="您好", client_id="a-1"
    )

    assert (first.message.seq, second.message.seq) == (1, 2)  # ids are per sender
    assert first.created
    assert second.created
    assert not resent.created
    assert resent.message.pk == first.message.pk
    assert NegotiationMessage.objects.filter(thread=thread).count() == 2
    thread.refresh_from_db()
    assert thread.last_seq == 2
    assert [m.side for m in selectors.messages_after(thread=thread)] == ["provider", "poster"]


def test_a_client_id_reused_in_another_thread_is_refused(room: dict[str, Any]) -> None:
    other_bid = BidFactory(provider=room["bid"].provider)
    other, _created = services.thread_open(actor=room["bidder"], bid=other_bid)
    services.message_post(actor=room["bidder"], thread=room["thread"], body="一", client_id="x")

    with pytest.raises(Conflict) as refused:
        services.message_post(actor=room["bidder"], thread=other, body="二", client_id="x")
    assert refused.value.code == "client_id_reused"


def test_empty_oversized_and_malformed_messages_are_refused_and_write_nothing(
    room: dict[str, Any],
) -> None:
    for body, client_id in (("   ", ""), ("长" * 4001, ""), ("好", "has space"), ("好", "x" * 65)):
        with pytest.raises(ValidationFailed):
            services.message_post(
                actor=room["bidder"], thread=room["thread"], body=body, client_id=client_id
            )
    assert not NegotiationMessage.objects.exists()


def test_the_per_user_rate_limit_refuses_clearly(room: dict[str, Any], settings: Any) -> None:
    settings.MARKETPLACE = {**settings.MARKETPLACE, "NEGOTIATION_MESSAGES_PER_MINUTE": 3}
    for n in range(3):
        services.message_post(actor=room["bidder"], thread=room["thread"], body=f"第{n}条")

    with pytest.raises(RateLimited) as refused:
        services.message_post(actor=room["bidder"], thread=room["thread"], body="太快了")
    assert refused.value.status_code == 429
    # The other side has its own allowance.
    services.message_post(actor=room["poster"], thread=room["thread"], body="收到")


def test_accepting_the_other_sides_latest_offer_writes_the_bids_terms(room: dict[str, Any]) -> None:
    thread, bid = room["thread"], room["bid"]
    offer = services.offer_make(actor=room["poster"], thread=thread, **terms(50_000_00)).message
    counter = services.offer_make(actor=room["bidder"], thread=thread, **terms(55_000_00, 55))
    accepted = services.offer_accept(actor=room["poster"], offer=counter.message.offer)

    bid.refresh_from_db()
    assert offer.offer.__class__.objects.get(pk=offer.offer_id).status == Offer.Status.SUPERSEDED
    assert accepted.message.kind == NegotiationMessage.Kind.ACCEPTED
    assert (bid.amount, bid.duration_days, bid.revision) == (55_000_00, 55, 2)
    assert bid.agreed_offer_id == counter.message.offer_id
    assert [m.amount for m in bid.milestones.order_by("position")] == [22_000_00, 33_000_00]
    assert bid.revisions.filter(revision=2, amount=55_000_00).exists()


def test_a_superseded_offer_cannot_be_accepted(room: dict[str, Any]) -> None:
    thread = room["thread"]
    first = services.offer_make(actor=room["bidder"], thread=thread, **terms(58_000_00)).message
    services.offer_make(actor=room["bidder"], thread=thread, **terms(57_000_00))

    with pytest.raises(Conflict) as refused:
        services.offer_accept(actor=room["poster"], offer=first.offer)
    assert refused.value.code == "stale_offer"
    room["bid"].refresh_from_db()
    assert room["bid"].amount == 60_000_00


def test_nobody_accepts_their_own_sides_offer(room: dict[str, Any]) -> None:
    posted = services.offer_make(actor=room["bidder"], thread=room["thread"], **terms(58_000_00))

    with pytest.raises(NotAllowed):
        services.offer_accept(actor=room["bidder"], offer=posted.message.offer)


def test_a_plain_member_of_the_poster_talks_but_cannot_accept(room: dict[str, Any]) -> None:
    member = make_org_member(UserFactory(), room["task"].organization).user
    services.message_post(actor=member, thread=room["thread"], body="我是项目成员")
    posted = services.offer_make(actor=room["bidder"], thread=room["thread"], **terms(58_000_00))

    with pytest.raises(NotAllowed):
        services.offer_accept(actor=member, offer=posted.message.offer)


def test_an_offer_outside_the_bid_limits_is_refused(room: dict[str, Any]) -> None:
    bad = terms(50_000_00)
    bad["milestones"] = bad["milestones"][:1]  # does not add up

    with pytest.raises(ValidationFailed) as refused:
        services.offer_make(actor=room["poster"], thread=room["thread"], **bad)
    assert "milestones" in refused.value.fields
    assert not Offer.objects.exists()


def test_the_award_uses_the_agreed_terms_and_records_the_offer(room: dict[str, Any]) -> None:
    posted = services.offer_make(actor=room["poster"], thread=room["thread"], **terms(52_000_00))
    services.offer_accept(actor=room["bidder"], offer=posted.message.offer)

    contract = contract_award(actor=room["poster"], bid=room["bid"])

    assert contract.amount == 52_000_00
    assert contract.accepted_offer_id == posted.message.offer_id
    assert [m.amount for m in contract.milestones.order_by("position")] == [20_800_00, 31_200_00]


def test_a_revision_after_the_agreement_drops_the_agreed_offer(room: dict[str, Any]) -> None:
    from bids.services import bid_revise

    posted = services.offer_make(actor=room["poster"], thread=room["thread"], **terms(52_000_00))
    services.offer_accept(actor=room["bidder"], offer=posted.message.offer)
    bid = Bid.objects.get(pk=room["bid"].pk)
    bid_revise(
        actor=room["bidder"], bid=bid, proposal="修改后的方案，增加了现场调试与培训服务。",
        **terms(59_000_00),
    )  # fmt: skip

    contract = contract_award(actor=room["poster"], bid=bid)
    assert contract.amount == 59_000_00
    assert contract.accepted_offer_id is None


def test_after_the_award_the_thread_is_read_only_but_readable(room: dict[str, Any]) -> None:
    services.message_post(actor=room["bidder"], thread=room["thread"], body="期待合作")
    contract_award(actor=room["poster"], bid=room["bid"])

    with pytest.raises(InvalidTransition) as refused:
        services.message_post(actor=room["bidder"], thread=room["thread"], body="还在吗")
    assert refused.value.code == "thread_closed"
    with pytest.raises(InvalidTransition):
        services.offer_make(actor=room["poster"], thread=room["thread"], **terms(50_000_00))
    thread, capabilities = selectors.thread_get_for_user(
        user=room["poster"], thread_id=room["thread"].pk
    )
    assert not capabilities.negotiate
    assert [m.body for m in selectors.messages_after(thread=thread)] == ["期待合作"]


def test_unread_counts_and_read_markers_are_per_user(room: dict[str, Any]) -> None:
    member = make_org_member(UserFactory(), room["task"].organization).user
    for n in range(3):
        services.message_post(actor=room["bidder"], thread=room["thread"], body=f"消息{n}")
    services.thread_mark_read(actor=room["poster"], thread=room["thread"], seq=2)

    def unread(user: Any) -> int:
        return selectors.threads_for_user(user=user).get(pk=room["thread"].pk).unread

    assert unread(room["poster"]) == 1
    assert unread(member) == 3
    assert unread(room["bidder"]) == 0  # their own messages
    # Never backwards, never past the end.
    assert services.thread_mark_read(actor=room["poster"], thread=room["thread"], seq=1) == 2
    assert services.thread_mark_read(actor=room["poster"], thread=room["thread"], seq=99) == 3
    assert unread(room["poster"]) == 0


def test_the_inbox_lists_only_the_users_threads_without_n_plus_one(
    room: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _n in range(3):
        bid = BidFactory(task=room["task"])
        thread, _created = services.thread_open(actor=room["poster"], bid=bid)
        services.message_post(actor=bid_operator(bid), thread=thread, body="您好")

    with django_assert_max_num_queries(4):
        poster_threads = list(selectors.threads_for_user(user=room["poster"]))
        [(t.bid.task.title, t.bid.provider.display_name, t.unread) for t in poster_threads]
    assert len(poster_threads) == 4
    assert [t.pk for t in selectors.threads_for_user(user=room["bidder"])] == [room["thread"].pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_messages_get_distinct_consecutive_numbers() -> None:
    bid = BidFactory()
    poster, bidder = task_owner(bid.task), bid_operator(bid)
    thread, _created = services.thread_open(actor=bidder, bid=bid)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            barrier.wait()
            services.message_post(
                actor=poster if n % 2 else bidder, thread=thread, body=f"并发{n}", client_id=f"c{n}"
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    workers = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    seqs = sorted(NegotiationMessage.objects.filter(thread=thread).values_list("seq", flat=True))
    assert seqs == list(range(1, 9))


@pytest.mark.django_db(transaction=True)
def test_the_same_message_sent_twice_at_once_is_stored_once() -> None:
    bid = BidFactory()
    bidder = bid_operator(bid)
    thread, _created = services.thread_open(actor=bidder, bid=bid)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(
                services.message_post(
                    actor=bidder, thread=thread, body="只存一次", client_id="same"
                ).created
            )
        finally:
            close_old_connections()

    workers = [threading.Thread(target=send) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(results) == [False, False, False, True]
    assert NegotiationMessage.objects.filter(thread=thread).count() == 1


def _accept_racing_award() -> None:
    bid = BidFactory(amount=60_000_00)
    poster, bidder = task_owner(bid.task), bid_operator(bid)
    thread, _created = services.thread_open(actor=bidder, bid=bid)
    offer = services.offer_make(actor=bidder, thread=thread, **terms(54_000_00)).message.offer
    barrier = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def accept() -> None:
        try:
            barrier.wait()
            services.offer_accept(actor=poster, offer=offer)
            outcome["accepted"] = True
        except (InvalidTransition, Conflict) as exc:
            outcome["accepted"] = exc
        finally:
            close_old_connections()

    def award() -> None:
        try:
            barrier.wait()
            outcome["contract"] = contract_award(actor=poster, bid=bid).pk
        finally:
            close_old_connections()

    workers = [threading.Thread(target=accept), threading.Thread(target=award)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    contract = Contract.objects.get(pk=outcome["contract"])
    if outcome["accepted"] is True:
        assert contract.amount == 54_000_00
        assert contract.accepted_offer_id == offer.pk
    else:
        assert contract.amount == 60_000_00
        assert contract.accepted_offer_id is None
        assert Offer.objects.get(pk=offer.pk).status == Offer.Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_accepting_and_awarding_at_once_never_leave_the_contract_apart_from_the_bid() -> None:
    """An acceptance racing the award: either the offer is accepted first and the contract
    carries its terms, or the award wins and the acceptance is refused; never a contract with
    the old terms beside a bid with the new ones."""
    for _round in range(3):
        _accept_racing_award()


def test_a_provider_of_another_task_is_not_a_side(room: dict[str, Any]) -> None:
    outsider = ProviderProfileFactory()
    with pytest.raises(NotFound):
        selectors.offer_get_for_user(
            user=outsider.user,
            offer_id=services.offer_make(
                actor=room["poster"], thread=room["thread"], **terms(50_000_00)
            ).message.offer_id,
        )
