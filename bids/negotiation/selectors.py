"""Reading negotiation threads: who may open one, the messages after a sequence number, the
inbox with unread counts per user, and the one shape a message takes on the socket and in the
API."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import organization_ids_for_user, provider_profile_ids_operated_by
from bids.models import Bid, NegotiationMessage, NegotiationThread, Offer, ThreadReadMarker
from bids.selectors import BidCapabilities, bid_capabilities
from marketplace.errors import NotFound
from marketplace.money import Money

# How many messages one read returns at most (a reconnect with a longer gap asks again).
PAGE_MAX = 200


def thread_group(thread_id: int) -> str:
    """The channel-layer group of one thread's open sockets."""
    return f"negotiation.{thread_id}"


def _not_found() -> NotFound:
    return NotFound(_("This negotiation does not exist or is not visible to you."))


def _threads() -> QuerySet[NegotiationThread]:
    return NegotiationThread.objects.select_related(
        "bid",
        "bid__task",
        "bid__task__organization",
        "bid__provider",
        "bid__provider__user",
        "bid__provider__organization",
    )


def thread_get_for_user(*, user: Any, thread_id: int) -> tuple[NegotiationThread, BidCapabilities]:
    """A thread and what the user may do in it, for its two sides only; NotFound for anyone
    else (the same answer as for a wrong id)."""
    if not getattr(user, "is_authenticated", False):
        raise _not_found()
    thread = _threads().filter(pk=thread_id).first()
    if thread is None:
        raise _not_found()
    capabilities = bid_capabilities(user=user, bid=thread.bid)
    if not capabilities.read_thread:
        raise _not_found()
    return thread, capabilities


def thread_of_bid(*, bid: Bid) -> NegotiationThread | None:
    return _threads().filter(bid=bid).first()


def messages_after(
    *, thread: NegotiationThread, after: int = 0, limit: int = PAGE_MAX
) -> list[NegotiationMessage]:
    """The thread's messages numbered above `after`, in order (what a reconnecting client
    missed); at most `limit` (PAGE_MAX), ask again from the last one for more."""
    limit = max(1, min(int(limit), PAGE_MAX))
    return list(
        thread.messages.filter(seq__gt=max(int(after), 0))
        .select_related("sender", "offer", "offer__made_by")
        .order_by("seq")[:limit]
    )


def offer_latest(*, thread: NegotiationThread) -> Offer | None:
    return thread.offers.order_by("-id").first()


def offers_of_thread(*, thread: NegotiationThread) -> list[Offer]:
    return list(thread.offers.select_related("made_by").order_by("id"))


def negotiation_message_get_for_user(*, user: Any, message_id: int) -> NegotiationMessage:
    """A message of a thread the user may read; NotFound otherwise."""
    message = NegotiationMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise _not_found()
    thread, _capabilities = thread_get_for_user(user=user, thread_id=message.thread_id)
    message.thread = thread
    return message


def negotiation_file_get_for_user(*, user: Any, message_id: int) -> NegotiationMessage:
    """A message's file for the two sides; NotFound when it has none or a moderator hid it."""
    message = negotiation_message_get_for_user(user=user, message_id=message_id)
    if not message.file or message.hidden_at is not None:
        raise NotFound(_("This file does not exist or is not visible to you."))
    return message


def offer_get_for_user(*, user: Any, offer_id: int) -> Offer:
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("This offer does not exist or is not visible to you."))
    try:
        thread, _capabilities = thread_get_for_user(user=user, thread_id=offer.thread_id)
    except NotFound:
        raise NotFound(_("This offer does not exist or is not visible to you.")) from None
    offer.thread = thread
    return offer


def _participant_filter(user: Any) -> Q:
    return Q(bid__provider_id__in=provider_profile_ids_operated_by(user=user)) | Q(
        bid__task__organization_id__in=organization_ids_for_user(user=user)
    )


def threads_for_user(*, user: Any) -> QuerySet[NegotiationThread]:
    """The inbox: every thread the user speaks in, most recent talk first, each annotated with
    `unread` (messages from others after the user's read marker) and `read_to`."""
    if not getattr(user, "is_authenticated", False):
        return NegotiationThread.objects.none()
    read_to = ThreadReadMarker.objects.filter(thread=OuterRef("pk"), user=user).values(
        "last_read_seq"
    )[:1]
    unread = (
        NegotiationMessage.objects.filter(thread=OuterRef("pk"), seq__gt=OuterRef("read_to"))
        .exclude(sender=user)
        .order_by()
        .values("thread")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        _threads()
        .filter(_participant_filter(user))
        .annotate(read_to=Coalesce(Subquery(read_to), Value(0), output_field=IntegerField()))
        .annotate(unread=Coalesce(Subquery(unread), Value(0), output_field=IntegerField()))
        .order_by("-last_message_at", "-id")
    )


def unread_total(*, user: Any) -> int:
    """Unread negotiation messages across the user's threads (the inbox badge)."""
    return sum(getattr(thread, "unread", 0) for thread in threads_for_user(user=user).only("id"))


def unread_by_bid(*, user: Any, bid_ids: list[int]) -> dict[int, int]:
    """Unread counts of the threads of these bids, for the poster's bid list."""
    threads = threads_for_user(user=user).filter(bid_id__in=bid_ids)
    return {thread.bid_id: getattr(thread, "unread", 0) for thread in threads}


def thread_ids_of_bids(*, bid_ids: list[int]) -> dict[int, int]:
    return dict(NegotiationThread.objects.filter(bid_id__in=bid_ids).values_list("bid_id", "id"))


# --- the one shape of a message, an offer and the current terms ---------------------------------


def offer_payload(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "side": offer.side,
        "made_by": offer.made_by.display_name,
        "amount": offer.amount,
        "currency": offer.currency,
        "amount_display": Money(offer.amount, offer.currency).format(),
        "duration_days": offer.duration_days,
        "milestones": [
            {
                "title": m.get("title", ""),
                "amount": m.get("amount", 0),
                "amount_display": Money(int(m.get("amount", 0)), offer.currency).format(),
                "due_days": m.get("due_days", 0),
                "description": m.get("description", ""),
            }
            for m in offer.milestones
        ],
        "note": offer.note,
        "status": offer.status,
        "status_display": offer.get_status_display(),
        "created_at": offer.created_at.isoformat(),
        "responded_at": offer.responded_at.isoformat() if offer.responded_at else None,
    }


def message_payload(message: NegotiationMessage) -> dict[str, Any]:
    """The shape the two sides get (socket, API): a message a moderator hid comes without its
    text, file and offer note, with the moderator's reason (mediators read the rows)."""
    hidden = message.hidden_at is not None
    file = None
    if message.kind == NegotiationMessage.Kind.FILE and not hidden:
        file = {
            "name": message.file_name,
            "size": message.file_size or 0,
            "content_type": message.file_content_type,
            "url": reverse("bids-api:negotiation-file", args=[message.pk]),
        }
    return {
        "id": message.pk,
        "thread": message.thread_id,
        "seq": message.seq,
        "kind": message.kind,
        "side": message.side,
        "sender_id": message.sender_id,
        "sender": message.sender.display_name,
        "client_id": message.client_id,
        "body": "" if hidden else message.body,
        "offer": _offer_shown(message) if message.offer is not None else None,
        "file": file,
        "hidden": hidden,
        "hidden_reason": message.hidden_reason if hidden else "",
        "created_at": message.created_at.isoformat(),
    }


def _offer_shown(message: NegotiationMessage) -> dict[str, Any]:
    assert message.offer is not None
    payload = offer_payload(message.offer)
    if message.hidden_at is not None and message.kind == NegotiationMessage.Kind.OFFER:
        payload["note"] = ""  # the terms stay (they bind), the words go
    return payload


def bid_terms_payload(bid: Bid) -> dict[str, Any]:
    """The bid's current terms (what an award would turn into a contract)."""
    return {
        "amount": bid.amount,
        "currency": bid.currency,
        "amount_display": bid.amount_money.format(),
        "duration_days": bid.duration_days,
        "revision": bid.revision,
        "agreed_offer": bid.agreed_offer_id,
        "milestones": [
            {
                "title": m.title,
                "amount": m.amount,
                "amount_display": Money(m.amount, bid.currency).format(),
                "due_days": m.due_days,
                "description": m.description,
            }
            for m in bid.milestones.order_by("position")
        ],
    }
