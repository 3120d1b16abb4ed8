"""Every change to a negotiation thread: open it, post a message or a file, make an offer,
accept or decline the other side's latest offer, mark what one has read.

Each write runs in one transaction that locks the task FOR SHARE (so an award, which locks it
FOR UPDATE, waits for it or is waited for: nothing is written after the award), then the
thread FOR UPDATE, takes the thread's next sequence number and stores the message; the
broadcast to the thread's sockets and the notifications go out after commit. A message sent
again with the same client id by the same sender is stored once and returned again.
Lock order: task, bid, thread, offer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from bids.models import Bid, NegotiationMessage, NegotiationThread, Offer, ThreadReadMarker
from bids.negotiation.selectors import message_payload, thread_group
from bids.selectors import BidCapabilities, bid_capabilities
from bids.services import bid_apply_agreed_terms, bid_terms_check
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.db import lock_shared
from marketplace.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from marketplace.files import check_upload
from marketplace.permissions import require_active_user
from marketplace.realtime import group_send_on_commit
from marketplace.terms import MilestoneTerms
from tasks.models import Task

BODY_MAX = 4000
NOTE_MAX = 2000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Posted:
    """What a write stored: the message, and False when it was a resend already stored."""

    message: NegotiationMessage
    created: bool


def _not_found() -> NotFound:
    return NotFound(_("This negotiation does not exist or is not visible to you."))


def _read_only() -> InvalidTransition:
    return InvalidTransition(
        _("This negotiation is closed: the bid is no longer open. It stays here as a record."),
        code="thread_closed",
    )


def thread_open(*, actor: Any, bid: Bid) -> tuple[NegotiationThread, bool]:
    """Open the bid's one thread (either side, once the bid exists); an existing thread is
    returned as it is. Returns the thread and whether it was created now."""
    require_active_user(actor)
    capabilities = bid_capabilities(user=actor, bid=bid)
    if not capabilities.read_thread:
        raise NotFound(_("This bid does not exist or is not visible to you."))
    existing = NegotiationThread.objects.filter(bid=bid).first()
    if existing is not None:
        return existing, False
    if not capabilities.negotiate:
        raise _read_only()
    try:
        with transaction.atomic():
            thread = NegotiationThread.objects.create(bid=bid, opened_by=actor)
            audit_record(
                actor=actor, action="negotiation.open", target=thread, data={"bid": bid.pk}
            )
    except IntegrityError:  # the other side opened it at the same moment
        return NegotiationThread.objects.get(bid=bid), False
    return thread, True


def _thread_ids(thread: NegotiationThread | int) -> tuple[int, int] | None:
    """The bid's and the task's ids of a thread (they never change), read from the instance
    when the caller loaded its bid (a page's, the API's or a socket's thread), else from the
    database; None when there is no such thread."""
    if isinstance(thread, NegotiationThread):
        bid = thread._state.fields_cache.get("bid")
        if bid is not None and bid.pk == thread.bid_id and bid.task_id:
            return bid.pk, bid.task_id
        thread = thread.pk
    row = NegotiationThread.objects.filter(pk=thread).values_list("bid_id", "bid__task_id").first()
    return None if row is None else (row[0], row[1])


def _lock(
    actor: Any, thread: NegotiationThread | int, *, lock_bid: bool = False
) -> tuple[NegotiationThread, BidCapabilities]:
    """Lock the task (share), the bid (update, when its terms change) and the thread, in that
    order, and ask the capability selector what the actor may do now (on every action: the
    rows are read again under the locks, only the ids come from the caller's thread)."""
    ids = _thread_ids(thread)
    if ids is None:
        raise _not_found()
    bid_id, task_id = ids
    thread_id = thread.pk if isinstance(thread, NegotiationThread) else thread
    task = lock_shared(Task, task_id, select_related=("organization",))
    bids = Bid.objects.select_related("provider")
    bid = (bids.select_for_update(of=("self",)) if lock_bid else bids).get(pk=bid_id)
    bid.task = task
    locked = NegotiationThread.objects.select_for_update().filter(pk=thread_id).first()
    if locked is None or locked.bid_id != bid_id:
        raise _not_found()
    locked.bid = bid
    capabilities = bid_capabilities(user=actor, bid=bid)
    if not capabilities.read_thread:
        raise _not_found()
    return locked, capabilities


def _check_client_id(client_id: str) -> None:
    if client_id and not CLIENT_ID.match(client_id):
        raise ValidationFailed(
            _("The client message id must be 1 to 64 letters, digits, - or _."),
            fields={"client_id": [_("Use 1 to 64 letters, digits, - or _.")]},
        )


def _sent_by(actor: Any, client_id: str) -> tuple[int | None, int]:
    """One indexed read of the sender's messages: the id of the one stored under `client_id`
    (a resend), if any, and how many they stored in the last minute (their rate)."""
    since = timezone.now() - dt.timedelta(minutes=1)
    recent = Q(created_at__gte=since)
    if not client_id:
        return None, NegotiationMessage.objects.filter(recent, sender=actor).count()
    same = Q(client_id=client_id)
    row = NegotiationMessage.objects.filter(recent | same, sender=actor).aggregate(
        earlier=Max("id", filter=same), recent=Count("id", filter=recent)
    )
    return row["earlier"], row["recent"]


def _resent(actor: Any, thread: NegotiationThread, earlier_id: int) -> NegotiationMessage:
    """The message this sender already stored under the client id (looked up under the
    thread's lock, so two copies of one message sent at once are stored once)."""
    earlier = NegotiationMessage.objects.select_related("sender", "offer", "offer__made_by").get(
        pk=earlier_id
    )
    if earlier.thread_id != thread.pk:
        raise Conflict(
            _("This client message id was already used for another message."),
            code="client_id_reused",
        )
    return earlier


def _require_under_rate(recent: int) -> None:
    """At most NEGOTIATION_MESSAGES_PER_MINUTE stored messages per person per minute, across
    their threads (rows are counted, so the limit holds for every process, with Redis or
    without); `recent` is the sender's count of the last minute."""
    limit = settings.MARKETPLACE["NEGOTIATION_MESSAGES_PER_MINUTE"]
    if recent >= limit:
        raise RateLimited(
            _("You are sending messages too fast (at most %(n)d a minute). Wait a moment.")
            % {"n": limit}
        )


def _append(
    thread: NegotiationThread,
    *,
    actor: Any,
    side: str,
    kind: str,
    body: str = "",
    client_id: str = "",
    offer: Offer | None = None,
    upload: UploadedFile | None = None,
    checked: Any = None,
) -> NegotiationMessage:
    """Store the next numbered message of a locked thread; broadcast and notify after commit."""
    now = timezone.now()
    thread.last_seq += 1
    thread.last_message_at = now
    thread.save(update_fields=["last_seq", "last_message_at"])
    message = NegotiationMessage(
        thread=thread,
        seq=thread.last_seq,
        sender=actor,
        side=side,
        kind=kind,
        body=body,
        client_id=client_id,
        offer=offer,
    )
    if upload is not None and checked is not None:
        message.file_name = checked.name
        message.file_content_type = checked.content_type
        message.file_size = checked.size
        message.file_sha256 = checked.sha256
        message.file.save(checked.sha256, upload, save=False)
    try:
        # No savepoint: the refusal below rolls the caller's whole transaction back anyway.
        message.save()
    except IntegrityError:
        raise Conflict(
            _("This client message id was already used for another message."),
            code="client_id_reused",
        ) from None
    # The sender has read everything up to what they just wrote (one upsert; under the thread's
    # lock no later number can have been written).
    ThreadReadMarker.objects.bulk_create(
        [ThreadReadMarker(thread=thread, user=actor, last_read_seq=thread.last_seq)],
        update_conflicts=True,
        unique_fields=["thread", "user"],
        update_fields=["last_read_seq"],
    )
    message.sender = actor
    group_send_on_commit(
        thread_group(thread.pk),
        {
            "type": "negotiation.event",
            "event": {"type": "message", "message": message_payload(message)},
        },
    )
    notifications.schedule("negotiation_message", message.pk)
    return message


def _begin_post(
    actor: Any, thread: NegotiationThread | int, client_id: str
) -> tuple[NegotiationThread, BidCapabilities, NegotiationMessage | None]:
    """The start of every post, inside its transaction: lock the thread and look for an earlier
    copy under this client id (a resend is answered with it, whatever changed since); a new
    post must be allowed now and within the sender's rate."""
    thread, capabilities = _lock(actor, thread)
    _check_client_id(client_id)
    earlier_id, recent = _sent_by(actor, client_id)
    if earlier_id is not None:
        return thread, capabilities, _resent(actor, thread, earlier_id)
    _require_writable(capabilities)
    _require_under_rate(recent)
    return thread, capabilities, None


def _require_writable(capabilities: BidCapabilities) -> None:
    if not capabilities.negotiate:
        raise _read_only()


def _body(text: str, *, required: bool = True, maximum: int = BODY_MAX, field: str = "body") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(
            _("Write a message first."), fields={field: [_("Write a message first.")]}
        )
    if len(text) > maximum:
        message = _("Keep a message to %(n)d characters.") % {"n": maximum}
        raise ValidationFailed(message, fields={field: [message]})
    return text


def message_post(
    *, actor: Any, thread: NegotiationThread, body: str, client_id: str = ""
) -> Posted:
    """Post a text message to a thread the actor speaks in, numbered, once per client id."""
    require_active_user(actor)
    text = _body(body)
    with transaction.atomic():
        thread, capabilities, earlier = _begin_post(actor, thread, client_id)
        if earlier is not None:
            return Posted(earlier, False)
        message = _append(
            thread,
            actor=actor,
            side=capabilities.side,
            kind=NegotiationMessage.Kind.TEXT,
            body=text,
            client_id=client_id,
        )
    return Posted(message, True)


def message_file_post(
    *,
    actor: Any,
    thread: NegotiationThread,
    upload: UploadedFile,
    body: str = "",
    client_id: str = "",
) -> Posted:
    """Post a file (checked by content, like every upload) with an optional note."""
    require_active_user(actor)
    text = _body(body, required=False)
    checked = check_upload(upload, max_bytes=settings.MARKETPLACE["NEGOTIATION_FILE_MAX_BYTES"])
    with transaction.atomic():
        thread, capabilities, earlier = _begin_post(actor, thread, client_id)
        if earlier is not None:
            return Posted(earlier, False)
        message = _append(
            thread,
            actor=actor,
            side=capabilities.side,
            kind=NegotiationMessage.Kind.FILE,
            body=text,
            client_id=client_id,
            upload=upload,
            checked=checked,
        )
        audit_record(
            actor=actor,
            action="negotiation.file",
            target=thread,
            data={"seq": message.seq, "sha256": checked.sha256, "size": checked.size},
        )
    return Posted(message, True)


def offer_make(
    *,
    actor: Any,
    thread: NegotiationThread,
    amount: int,
    duration_days: int,
    milestones: Sequence[MilestoneTerms],
    note: str = "",
    client_id: str = "",
) -> Posted:
    """Propose terms (an offer, or a counter-offer to the other side's): it becomes the
    thread's one open offer, and any earlier open offer is superseded."""
    require_active_user(actor)
    text = _body(note, required=False, maximum=NOTE_MAX, field="note")
    with transaction.atomic():
        thread, capabilities, earlier = _begin_post(actor, thread, client_id)
        if earlier is not None:
            return Posted(earlier, False)
        task = thread.bid.task
        bid_terms_check(
            task=task, amount=amount, duration_days=duration_days, milestones=milestones
        )
        superseded = list(
            thread.offers.select_for_update()
            .filter(status=Offer.Status.OPEN)
            .values_list("id", flat=True)
        )
        Offer.objects.filter(pk__in=superseded).update(status=Offer.Status.SUPERSEDED)
        offer = Offer.objects.create(
            thread=thread,
            made_by=actor,
            side=capabilities.side,
            amount=amount,
            currency=task.currency,
            duration_days=duration_days,
            milestones=[
                {
                    "title": m.title.strip(),
                    "amount": m.amount,
                    "due_days": m.due_days,
                    "description": m.description.strip(),
                }
                for m in milestones
            ],
            note=text,
        )
        message = _append(
            thread,
            actor=actor,
            side=capabilities.side,
            kind=NegotiationMessage.Kind.OFFER,
            body=text,
            client_id=client_id,
            offer=offer,
        )
        audit_record(
            actor=actor,
            action="negotiation.offer",
            target=offer,
            data={"amount": amount, "days": duration_days, "superseded": superseded},
        )
    return Posted(message, True)


def _locked_offer(actor: Any, offer: Offer) -> tuple[NegotiationThread, BidCapabilities, Offer]:
    thread, capabilities = _lock(actor, offer.thread_id, lock_bid=True)
    locked = Offer.objects.select_for_update().select_related("made_by").get(pk=offer.pk)
    return thread, capabilities, locked


def _require_answerable(
    capabilities: BidCapabilities, thread: NegotiationThread, offer: Offer
) -> None:
    """Only the other side's latest, still open offer can be answered."""
    if offer.side == capabilities.side:
        raise NotAllowed(_("This is your side's own offer: the other side answers it."))
    latest = thread.offers.order_by("-id").values_list("id", flat=True).first()
    if offer.status != Offer.Status.OPEN or latest != offer.pk:
        raise Conflict(
            _(
                "This offer is no longer the latest one (it is %(state)s). Answer the "
                "latest offer instead."
            )
            % {"state": offer.get_status_display().lower()},
            code="stale_offer",
        )


def offer_accept(*, actor: Any, offer: Offer) -> Posted:
    """Accept the other side's latest offer: its terms become the bid's terms (a new revision)
    and the award will turn them into the contract, which records this offer."""
    require_active_user(actor)
    with transaction.atomic():
        thread, capabilities, offer = _locked_offer(actor, offer)
        _require_writable(capabilities)
        if not capabilities.accept_offer:
            raise NotAllowed(
                _("Only the bidder or the poster organization's owners and admins accept offers.")
            )
        _require_answerable(capabilities, thread, offer)
        bid = thread.bid
        terms = [
            MilestoneTerms(
                title=m["title"],
                amount=m["amount"],
                due_days=m["due_days"],
                description=m.get("description", ""),
            )
            for m in offer.milestones
        ]
        bid_terms_check(
            task=bid.task, amount=offer.amount, duration_days=offer.duration_days, milestones=terms
        )
        offer.status = Offer.Status.ACCEPTED
        offer.responded_by = actor
        offer.responded_at = timezone.now()
        offer.save(update_fields=["status", "responded_by", "responded_at"])
        bid_apply_agreed_terms(
            actor=actor,
            bid=bid,
            offer=offer,
            amount=offer.amount,
            duration_days=offer.duration_days,
            milestones=terms,
        )
        message = _append(
            thread,
            actor=actor,
            side=capabilities.side,
            kind=NegotiationMessage.Kind.ACCEPTED,
            offer=offer,
        )
        audit_record(actor=actor, action="negotiation.accept", target=offer)
        notifications.schedule("negotiation_offer_accepted", offer.pk)
    return Posted(message, True)


def offer_decline(*, actor: Any, offer: Offer, note: str = "") -> Posted:
    """Decline the other side's latest offer; the bid's terms stay as they are."""
    require_active_user(actor)
    text = _body(note, required=False, maximum=NOTE_MAX, field="note")
    with transaction.atomic():
        thread, capabilities, offer = _locked_offer(actor, offer)
        _require_writable(capabilities)
        _require_answerable(capabilities, thread, offer)
        offer.status = Offer.Status.DECLINED
        offer.responded_by = actor
        offer.responded_at = timezone.now()
        offer.save(update_fields=["status", "responded_by", "responded_at"])
        message = _append(
            thread,
            actor=actor,
            side=capabilities.side,
            kind=NegotiationMessage.Kind.DECLINED,
            body=text,
            offer=offer,
        )
        audit_record(actor=actor, action="negotiation.decline", target=offer)
    return Posted(message, True)


def thread_mark_read(*, actor: Any, thread: NegotiationThread, seq: int) -> int:
    """Move the actor's read marker forward to `seq` (never back, never past the last
    message); returns where it stands. Allowed after the award too."""
    if not getattr(actor, "is_authenticated", False):
        raise _not_found()
    if not bid_capabilities(user=actor, bid=thread.bid).read_thread:
        raise _not_found()
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise ValidationFailed(_("Give the number of the last message read."))
    last = NegotiationThread.objects.filter(pk=thread.pk).values_list("last_seq", flat=True).get()
    target = min(seq, last)
    marker, created = ThreadReadMarker.objects.get_or_create(
        thread_id=thread.pk, user=actor, defaults={"last_read_seq": target}
    )
    if not created and marker.last_read_seq < target:
        ThreadReadMarker.objects.filter(pk=marker.pk).update(
            last_read_seq=Greatest(F("last_read_seq"), target)
        )
        return target
    return max(marker.last_read_seq, target)
