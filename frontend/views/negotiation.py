"""The negotiation room of a bid, and the inbox of every room a user speaks in.

The page works without JavaScript (forms post here and redirect back); negotiation.js adds
the live socket: messages and offers appear as they are stored, a dropped connection comes
back with backoff and fills the gap from the last sequence number it saw.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import organization_ids_for_user
from bids.models import Bid, NegotiationThread, Offer
from bids.negotiation import selectors, services
from bids.selectors import BidCapabilities, bid_capabilities, bid_get_for_user
from frontend.forms_bids import BidMilestoneFormSet, bid_milestones_initial
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_talk import DeclineForm, MessageForm, OfferForm
from frontend.views._helpers import get_or_404, paginate, signed_in_user
from marketplace.errors import DomainError
from marketplace.files import file_download
from marketplace.money import Money

OFFER_PREFIX = "om"
# The page shows this many latest messages; the socket and the API read further back.
PAGE_MESSAGES = 200


@dataclass(frozen=True)
class OfferCard:
    """An offer beside the bid's current terms: how much and how long it changes them."""

    offer: Offer
    amount_delta: Money
    days_delta: int
    latest: bool
    can_answer: bool


def _room_url(bid_id: int, anchor: str = "") -> str:
    url = reverse("frontend:negotiation", args=[bid_id])
    return f"{url}#{anchor}" if anchor else url


def _thread_or_404(
    request: HttpRequest, thread_id: int
) -> tuple[NegotiationThread, BidCapabilities]:
    return get_or_404(selectors.thread_get_for_user, user=request.user, thread_id=thread_id)


def _offer_cards(
    thread: NegotiationThread, capabilities: BidCapabilities, bid: Bid
) -> dict[int, OfferCard]:
    offers = selectors.offers_of_thread(thread=thread)
    latest = offers[-1].pk if offers else None
    return {
        offer.pk: OfferCard(
            offer=offer,
            amount_delta=Money(offer.amount - bid.amount, bid.currency),
            days_delta=offer.duration_days - bid.duration_days,
            latest=offer.pk == latest,
            can_answer=(
                capabilities.negotiate
                and offer.pk == latest
                and offer.status == Offer.Status.OPEN
                and offer.side != capabilities.side
            ),
        )
        for offer in offers
    }


def _room_context(
    request: HttpRequest,
    bid: Bid,
    *,
    message_form: MessageForm | None = None,
    offer_form: OfferForm | None = None,
    offer_rows: Any = None,
    offer_errors: list[str] | None = None,
) -> dict[str, Any]:
    user = signed_in_user(request)
    capabilities = bid_capabilities(user=user, bid=bid)
    thread = selectors.thread_of_bid(bid=bid)
    context: dict[str, Any] = {
        "bid": bid,
        "task": bid.task,
        "capabilities": capabilities,
        "thread": thread,
        "milestones": list(bid.milestones.order_by("position")),
    }
    if thread is None:
        return context
    entries = selectors.messages_after(
        thread=thread, after=max(thread.last_seq - PAGE_MESSAGES, 0), limit=PAGE_MESSAGES
    )
    cards = _offer_cards(thread, capabilities, bid)
    latest = next((card for card in cards.values() if card.latest), None)
    context.update(
        entries=[(m, cards.get(m.offer_id) if m.offer_id else None) for m in entries],
        latest_card=latest,
        message_form=message_form or MessageForm(initial={"client_id": uuid.uuid4().hex}),
        offer_form=offer_form
        or OfferForm(
            initial={"amount": bid.amount_money.major_str(), "duration_days": bid.duration_days}
        ),
        offer_rows=offer_rows
        or BidMilestoneFormSet(prefix=OFFER_PREFIX, initial=bid_milestones_initial(bid)),
        offer_errors=offer_errors or [],
        decline_form=DeclineForm(),
        ws_path=f"/ws/negotiations/{thread.pk}/",
    )
    return context


@login_required
def negotiation(request: HttpRequest, bid_id: int) -> HttpResponse:
    """The room: the bid's current terms, the offers compared with them, the messages."""
    bid = get_or_404(bid_get_for_user, user=request.user, bid_id=bid_id)
    context = _room_context(request, bid)
    thread = context["thread"]
    if thread is not None and thread.last_seq:
        services.thread_mark_read(actor=request.user, thread=thread, seq=thread.last_seq)
    return render(request, "frontend/bids/negotiation.html", context)


@login_required
@require_POST
def negotiation_open(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = get_or_404(bid_get_for_user, user=request.user, bid_id=bid_id)
    try:
        services.thread_open(actor=request.user, bid=bid)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(_room_url(bid.pk))


@login_required
@require_POST
def negotiation_message(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread, _capabilities = _thread_or_404(request, thread_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("file"):
                posted = services.message_file_post(
                    actor=request.user,
                    thread=thread,
                    upload=data["file"],
                    body=data["body"],
                    client_id=data["client_id"],
                )
            else:
                posted = services.message_post(
                    actor=request.user,
                    thread=thread,
                    body=data["body"],
                    client_id=data["client_id"],
                )
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            return redirect(_room_url(thread.bid_id, f"m-{posted.message.seq}"))
    context = _room_context(request, thread.bid, message_form=form)
    return render(request, "frontend/bids/negotiation.html", context, status=400)


@login_required
@require_POST
def negotiation_offer(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread, _capabilities = _thread_or_404(request, thread_id)
    bid = thread.bid
    form = OfferForm(request.POST)
    rows = BidMilestoneFormSet(request.POST, prefix=OFFER_PREFIX)
    errors: list[str] = []
    if form.is_valid() and rows.is_valid():
        terms = rows.milestones(price=form.cleaned_data["amount"], currency=bid.currency)
        if terms is None:
            errors.append(_("Enter an amount for every milestone."))
        else:
            try:
                posted = services.offer_make(
                    actor=request.user,
                    thread=thread,
                    amount=form.cleaned_data["amount"],
                    duration_days=form.cleaned_data["duration_days"],
                    milestones=terms,
                    note=form.cleaned_data["note"],
                    client_id=request.POST.get("client_id", "")[:64],
                )
            except DomainError as exc:
                fields = dict(exc.fields)
                errors += [str(m) for m in fields.pop("milestones", [])]
                if fields or not errors:
                    form_apply_domain_error(
                        form, type(exc)(exc.message, code=exc.code, fields=fields)
                    )
            else:
                messages.success(request, _("Your offer is sent. The other side can accept it."))
                return redirect(_room_url(bid.pk, f"m-{posted.message.seq}"))
    errors += [str(e) for e in rows.non_form_errors()]
    context = _room_context(request, bid, offer_form=form, offer_rows=rows, offer_errors=errors)
    context["offer_open"] = True
    return render(request, "frontend/bids/negotiation.html", context, status=400)


@login_required
@require_POST
def offer_answer(request: HttpRequest, offer_id: int, answer: str) -> HttpResponse:
    offer = get_or_404(selectors.offer_get_for_user, user=request.user, offer_id=offer_id)
    try:
        if answer == "accept":
            services.offer_accept(actor=request.user, offer=offer)
            messages.success(
                request, _("Offer accepted. These terms are now the bid's; the award uses them.")
            )
        else:
            form = DeclineForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            services.offer_decline(actor=request.user, offer=offer, note=note)
            messages.success(request, _("Offer declined."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(_room_url(offer.thread.bid_id, "offer-panel"))


@login_required
def negotiation_file(request: HttpRequest, message_id: int) -> Any:
    message = get_or_404(
        selectors.negotiation_file_get_for_user, user=request.user, message_id=message_id
    )
    return file_download(
        stored=message.file, name=message.file_name, content_type=message.file_content_type
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Every negotiation the user speaks in, the most recent talk first, with unread counts."""
    user = signed_in_user(request)
    page = paginate(request, selectors.threads_for_user(user=user))
    return render(
        request,
        "frontend/me/inbox.html",
        {
            "page_obj": page,
            "current": "inbox",
            "poster_org_ids": set(organization_ids_for_user(user=user)),
        },
    )
