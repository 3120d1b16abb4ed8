"""The pages of the talk: questions on the task page, the negotiation room and the inbox, each
without JavaScript (plain form posts), and refused to a second user who is no side of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bids.models import Bid, NegotiationMessage, Offer
from bids.negotiation import services
from marketplace.terms import MilestoneTerms
from tasks.models import TaskQuestion
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import task_owner

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def room(db: None) -> dict[str, Any]:
    bid = BidFactory(amount=60_000_00, duration_days=60)
    return {
        "bid": bid,
        "task": bid.task,
        "poster": task_owner(bid.task),
        "bidder": bid_operator(bid),
        "rival": bid_operator(BidFactory(task=bid.task)),
    }


def test_the_room_opens_talks_and_takes_offers_without_javascript(room: dict[str, Any]) -> None:
    bid, bidder, poster = room["bid"], signed_in(room["bidder"]), signed_in(room["poster"])
    page = f"/bids/{bid.pk}/negotiation/"
    assert "Start the negotiation" in bidder.get(page).content.decode() or "开始洽谈" in (
        bidder.get(page).content.decode()
    )
    assert bidder.post(f"{page}open/").status_code == 302
    thread = bid.thread

    sent = bidder.post(
        f"/negotiations/{thread.pk}/messages/",
        {"body": "您好，想确认验收标准。", "client_id": "p1"},
    )
    assert sent.status_code == 302
    offer = poster.post(
        f"/negotiations/{thread.pk}/offers/",
        {
            "amount": "55000", "duration_days": "60", "note": "预算有限",
            "om-TOTAL_FORMS": "2", "om-INITIAL_FORMS": "2",
            "om-MIN_NUM_FORMS": "1", "om-MAX_NUM_FORMS": "20",
            "om-0-title": "方案设计", "om-0-amount": "25000", "om-0-due_days": "20",
            "om-1-title": "实施与验证", "om-1-amount": "30000", "om-1-due_days": "60",
        },
    )  # fmt: skip
    assert offer.status_code == 302, offer.content.decode()[-2000:]
    made = Offer.objects.get()
    html = bidder.get(page).content.decode()
    assert "您好，想确认验收标准。" in html
    assert "55,000.00" in html
    assert f"/offers/{made.pk}/accept/" in html  # the bidder may answer the poster's offer
    assert bidder.post(f"/offers/{made.pk}/accept/").status_code == 302

    bid = Bid.objects.get(pk=bid.pk)
    assert bid.amount == 55_000_00
    assert bid.agreed_offer_id == made.pk
    assert NegotiationMessage.objects.filter(thread=thread).count() == 3


def test_an_offer_with_bad_milestones_is_a_form_error_and_writes_nothing(
    room: dict[str, Any],
) -> None:
    thread, _created = services.thread_open(actor=room["bidder"], bid=room["bid"])
    response = signed_in(room["poster"]).post(
        f"/negotiations/{thread.pk}/offers/",
        {
            "amount": "55000", "duration_days": "60",
            "om-TOTAL_FORMS": "1", "om-INITIAL_FORMS": "1",
            "om-MIN_NUM_FORMS": "1", "om-MAX_NUM_FORMS": "20",
            "om-0-title": "全部", "om-0-amount": "1000", "om-0-due_days": "60",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "errors" in response.content.decode()
    assert not Offer.objects.exists()


def test_a_second_user_gets_404_on_every_room_page_and_post(room: dict[str, Any]) -> None:
    thread, _created = services.thread_open(actor=room["bidder"], bid=room["bid"])
    posted = services.offer_make(
        actor=room["bidder"], thread=thread, amount=58_000_00, duration_days=60,
        milestones=[MilestoneTerms(title="全部", amount=58_000_00, due_days=60)],
    )  # fmt: skip
    for outsider in (room["rival"], UserFactory()):
        client = signed_in(outsider)
        for response in (
            client.get(f"/bids/{room['bid'].pk}/negotiation/"),
            client.post(f"/bids/{room['bid'].pk}/negotiation/open/"),
            client.post(f"/negotiations/{thread.pk}/messages/", {"body": "偷偷说一句"}),
            client.post(f"/offers/{posted.message.offer_id}/accept/"),
            client.post(f"/offers/{posted.message.offer_id}/decline/"),
            client.get(f"/negotiation-files/{posted.message.pk}/"),
        ):
            assert response.status_code == 404
        assert "58,000" not in client.get("/messages/").content.decode()
    assert Client().get(f"/bids/{room['bid'].pk}/negotiation/").status_code == 302  # sign in
    assert NegotiationMessage.objects.count() == 1
    assert Offer.objects.get().status == Offer.Status.OPEN


def test_the_inbox_lists_threads_with_unread_counts(room: dict[str, Any]) -> None:
    thread, _created = services.thread_open(actor=room["bidder"], bid=room["bid"])
    for n in range(2):
        services.message_post(actor=room["bidder"], thread=thread, body=f"消息 {n}")

    html = signed_in(room["poster"]).get("/messages/").content.decode()
    assert room["bid"].provider.display_name in html
    assert 'data-unread="' in html
    signed_in(room["poster"]).get(f"/bids/{room['bid'].pk}/negotiation/")  # reads it
    assert 'data-unread="' not in signed_in(room["poster"]).get("/messages/").content.decode()


def test_questions_on_the_task_page_without_javascript(room: dict[str, Any]) -> None:
    task = room["task"]
    asker = ProviderProfileFactory().user
    asked = signed_in(asker).post(f"/tasks/{task.pk}/questions/", {"body": "样件何时寄出？"})
    assert asked.status_code == 302
    question = TaskQuestion.objects.get()
    assert (
        "样件何时寄出？" not in signed_in(room["rival"]).get(f"/tasks/{task.pk}/").content.decode()
    )

    empty = signed_in(asker).post(f"/tasks/{task.pk}/questions/", {"body": ""})
    assert empty.status_code == 400
    refused = signed_in(room["rival"]).post(
        f"/questions/{question.pk}/answer/", {"answer": "冒充的回答"}
    )
    assert refused.status_code == 404
    answered = signed_in(room["poster"]).post(
        f"/questions/{question.pk}/answer/", {"answer": "下周一寄出。"}
    )
    assert answered.status_code == 302
    html = signed_in(room["rival"]).get(f"/tasks/{task.pk}/").content.decode()
    assert "样件何时寄出？" in html
    assert "下周一寄出。" in html
    assert asker.display_name not in html
    assert TaskQuestion.objects.count() == 1
