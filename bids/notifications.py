"""Who hears about bids: the poster of a new or revised bid, bidders of the outcome, the other
side of a negotiation, and bidders of the answers and clarifications on their task."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message, send
from accounts.selectors import provider_profile_members
from bids.models import Bid, NegotiationMessage, Offer, Side
from marketplace.notifications import link, notification, notification_kind, raw, t
from tasks.models import TaskQuestion
from tasks.notifications import poster_recipients

notification_kind(
    "bid_new",
    gettext_lazy("New bids on my tasks"),
    group=(
        gettext_noop("%(count)d new bid on %(title)s"),
        gettext_noop("%(count)d new bids on %(title)s"),
    ),
)
notification_kind(
    "bid_revised",
    gettext_lazy("Bids revised on my tasks"),
    group=(
        gettext_noop("%(count)d bid revised on %(title)s"),
        gettext_noop("%(count)d bids revised on %(title)s"),
    ),
)
notification_kind("bid_awarded", gettext_lazy("Tasks I won"))
notification_kind("bid_rejected", gettext_lazy("Bids of mine declined or not selected"))
notification_kind("task_cancelled", gettext_lazy("Tasks I bid on that were cancelled"))
notification_kind("task_answer", gettext_lazy("Answers to questions on tasks I bid on"))
notification_kind("task_clarification", gettext_lazy("Clarifications on tasks I bid on"))
notification_kind(
    "negotiation_offer",
    gettext_lazy("Offers in my negotiations"),
    group=(
        gettext_noop("%(count)d new offer about %(title)s"),
        gettext_noop("%(count)d new offers about %(title)s"),
    ),
)
notification_kind(
    "negotiation_message",
    gettext_lazy("Messages in my negotiations"),
    emailable=False,
    group=(
        gettext_noop("%(count)d new message about %(title)s"),
        gettext_noop("%(count)d new messages about %(title)s"),
    ),
)
notification_kind("negotiation_accepted", gettext_lazy("Offers accepted in my negotiations"))


@notification(
    "bid_placed",
    "bid_revised",
    "bid_awarded",
    "bid_not_selected",
    "bid_rejected",
    "bid_task_cancelled",
)
def _bid_event(event: str, bid_id: int, tag: str) -> None:
    bid = Bid.objects.select_related(
        "task__organization", "task__created_by", "provider__user", "provider__organization"
    ).get(pk=bid_id)
    task = bid.task
    bidder = bid.provider.display_name
    if event in ("bid_placed", "bid_revised"):
        # The amount is sealed from everyone but the poster's side, who receive this.
        amount = bid.amount_money
        send(
            poster_recipients(task),
            Message(
                "bid_new" if event == "bid_placed" else "bid_revised",
                t(
                    gettext_noop("New bid from %(bidder)s on %(title)s")
                    if event == "bid_placed"
                    else gettext_noop("%(bidder)s revised their bid on %(title)s"),
                    {"bidder": bidder, "title": task.title},
                ),
                t(
                    gettext_noop("%(amount)s, %(days)d days."),
                    {"amount": amount, "days": bid.duration_days},
                ),
                link("frontend:task_bids", task.pk),
                email=event == "bid_placed",
            ),
            f"{event}:{bid.pk}:{tag}",
        )
        return
    recipients = provider_profile_members(profile=bid.provider)
    url = link("frontend:task_detail", task.pk)
    if event == "bid_awarded":
        contract_url = link("frontend:my_contracts")
        message = Message(
            "bid_awarded",
            t(gettext_noop("You won %(title)s"), {"title": task.title}),
            t(
                gettext_noop(
                    "%(org)s awarded you the task. Work starts once the escrow is funded."
                ),
                {"org": task.organization.name},
            ),
            contract_url or url,
        )
    elif event == "bid_not_selected":
        message = Message(
            "bid_rejected",
            t(gettext_noop("%(title)s was awarded to another provider"), {"title": task.title}),
            t(
                gettext_noop(
                    "Thank you for bidding. Keep an eye on new tasks that match your skills."
                )
            ),
            url,
        )
    elif event == "bid_rejected":
        note = bid.decision_note
        message = Message(
            "bid_rejected",
            t(gettext_noop("Your bid on %(title)s was declined"), {"title": task.title}),
            raw(note),
            url,
        )
    elif event == "bid_task_cancelled":
        note = bid.decision_note
        message = Message(
            "task_cancelled",
            t(gettext_noop("%(title)s was cancelled by the poster"), {"title": task.title}),
            raw(note),
            url,
        )
    else:
        raise ValueError(f"unknown bid event {event}")
    send(recipients, message, f"{event}:{bid.pk}")


def _live_bidders(task_id: int) -> list[Any]:
    people: list[Any] = []
    for bid in Bid.objects.filter(task_id=task_id, status__in=Bid.LIVE).select_related(
        "provider__user", "provider__organization"
    ):
        people += provider_profile_members(profile=bid.provider)
    return people


@notification("task_question_answered", "task_clarified")
def _question_event(event: str, question_id: int, tag: str) -> None:
    """Answers and clarifications reach the task's live bidders (bids knows who they are;
    tasks cannot import bids) and the asker. The asker is never named."""
    question = TaskQuestion.objects.select_related("task", "asked_by").get(pk=question_id)
    task = question.task
    url = link("frontend:task_detail", task.pk)
    recipients = _live_bidders(task.pk)
    if event == "task_question_answered":
        recipients.insert(0, question.asked_by)
        answer = question.answer
        message = Message(
            "task_answer",
            t(gettext_noop("The poster answered a question on %(title)s"), {"title": task.title}),
            raw(answer[:240]),
            f"{url}#questions" if url else "",
        )
    else:
        body = question.body
        message = Message(
            "task_clarification",
            t(gettext_noop("The poster clarified %(title)s"), {"title": task.title}),
            raw(body[:240]),
            f"{url}#questions" if url else "",
        )
    send(recipients, message, f"{event}:{question.pk}")


def _side_recipients(bid: Bid, side: str) -> list[Any]:
    if side == Side.POSTER:
        return poster_recipients(bid.task)
    return provider_profile_members(profile=bid.provider)


def _other(side: str) -> str:
    return Side.PROVIDER if side == Side.POSTER else Side.POSTER


@notification("negotiation_message")
def _negotiation_message(event: str, message_id: int, tag: str) -> None:
    """The other side hears of a new message or offer (emailed for offers only: a chat would
    flood the inbox); an acceptance is told by negotiation_offer_accepted."""
    message = NegotiationMessage.objects.select_related(
        "sender",
        "offer",
        "thread__bid__task__organization",
        "thread__bid__task__created_by",
        "thread__bid__provider__user",
        "thread__bid__provider__organization",
    ).get(pk=message_id)
    if message.kind == NegotiationMessage.Kind.ACCEPTED:
        return
    bid = message.thread.bid
    task = bid.task
    sender = message.sender.display_name
    recipients = [
        u for u in _side_recipients(bid, _other(message.side)) if u.pk != message.sender_id
    ]
    body = message.body
    offer = message.offer
    if message.kind == NegotiationMessage.Kind.OFFER and offer is not None:
        amount = offer.amount_money
        days = offer.duration_days
        text = Message(
            "negotiation_offer",
            t(
                gettext_noop("%(sender)s made an offer on %(title)s"),
                {"sender": sender, "title": task.title},
            ),
            t(gettext_noop("%(amount)s, %(days)d days."), {"amount": amount, "days": days}),
            link("frontend:negotiation", bid.pk),
            email=True,
        )
    elif message.kind == NegotiationMessage.Kind.DECLINED:
        text = Message(
            "negotiation_offer",
            t(
                gettext_noop("%(sender)s declined your offer on %(title)s"),
                {"sender": sender, "title": task.title},
            ),
            raw(body[:240]),
            link("frontend:negotiation", bid.pk),
            email=False,
        )
    else:
        text = Message(
            "negotiation_message",
            t(
                gettext_noop("%(sender)s wrote about %(title)s"),
                {"sender": sender, "title": task.title},
            ),
            raw((body or message.file_name)[:240]),
            link("frontend:negotiation", bid.pk),
            email=False,
        )
    send(recipients, text, f"{event}:{message.pk}")


@notification("negotiation_offer_accepted")
def _offer_accepted(event: str, offer_id: int, tag: str) -> None:
    offer = Offer.objects.select_related(
        "responded_by",
        "thread__bid__task__organization",
        "thread__bid__task__created_by",
        "thread__bid__provider__user",
        "thread__bid__provider__organization",
    ).get(pk=offer_id)
    bid = offer.thread.bid
    task = bid.task
    amount = offer.amount_money
    days = offer.duration_days
    who = offer.responded_by.display_name if offer.responded_by else ""
    send(
        _side_recipients(bid, offer.side),
        Message(
            "negotiation_accepted",
            t(
                gettext_noop("%(who)s accepted your offer on %(title)s"),
                {"who": who, "title": task.title},
            ),
            t(
                gettext_noop("Agreed: %(amount)s, %(days)d days. The award will use these terms."),
                {"amount": amount, "days": days},
            ),
            link("frontend:negotiation", bid.pk),
        ),
        f"{event}:{offer.pk}",
    )
