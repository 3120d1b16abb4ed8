"""The poster's side of bidding: compare the sealed bids, shortlist, reject, award.

Only the poster organization's members reach these pages (everyone else gets a 404, as for a
wrong id); rejecting and awarding are for its owners and admins, and the services check again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import provider_profile_ids_operated_by
from bids import services as bid_services
from bids.models import Bid
from bids.negotiation.selectors import unread_by_bid
from bids.selectors import bid_capabilities, bid_get_for_user, bids_for_poster
from contracts.selectors import contracts_of_task
from contracts.services import contract_award
from frontend.forms_bids import RejectForm
from frontend.views._helpers import get_or_404, signed_in_user
from frontend.views.tasks import task_or_404
from marketplace.errors import Conflict, DomainError, NotFound
from reputation.selectors import ProviderStats, provider_stats_many
from tasks.selectors import task_capabilities


@dataclass(frozen=True)
class BidRow:
    bid: Bid
    stats: ProviderStats | None
    can_shortlist: bool
    can_reject: bool
    can_award: bool
    unread: int = 0


def _compare_url(task_id: int, bid_id: int | None = None) -> str:
    url = reverse("frontend:task_bids", args=[task_id])
    return f"{url}#bid-{bid_id}" if bid_id else url


@login_required
def task_bids(request: HttpRequest, task_id: int) -> HttpResponse:
    """The live and decided bids of a task side by side, cheapest first, with each provider's
    track record (one reputation query set for the whole page)."""
    task = task_or_404(request, task_id)
    try:
        bids = list(bids_for_poster(user=request.user, task=task))
    except NotFound:
        raise Http404 from None
    stats = provider_stats_many(profiles=[bid.provider for bid in bids])
    task_caps = task_capabilities(user=request.user, task=task)
    operated = frozenset(provider_profile_ids_operated_by(user=request.user))
    unread = unread_by_bid(user=request.user, bid_ids=[bid.pk for bid in bids])
    rows = []
    for bid in bids:
        capabilities = bid_capabilities(
            user=request.user, bid=bid, task_caps=task_caps, operated_ids=operated
        )
        rows.append(
            BidRow(
                bid=bid,
                stats=stats.get(bid.provider_id),
                can_shortlist=capabilities.shortlist,
                can_reject=capabilities.decline,
                can_award=capabilities.award,
                unread=unread.get(bid.pk, 0),
            )
        )
    live = [row for row in rows if row.bid.is_live]
    # The award's winners are not "handled" like a declined bid: they get their own section.
    won = [row for row in rows if row.bid.status == Bid.Status.AWARDED]
    decided = [row for row in rows if not row.bid.is_live and row not in won]
    return render(
        request,
        "frontend/bids/compare.html",
        {
            "task": task,
            "live_rows": live,
            "won_rows": won,
            "decided_rows": decided,
            "bid_total": len(rows),
            "can_manage": task_caps.manage,
            "awardable": task_caps.award,
            "contract": next(iter(contracts_of_task(task=task)), None),
            "reject_form": RejectForm(),
        },
    )


def _poster_bid(request: HttpRequest, bid_id: int) -> Bid:
    """A bid for the poster's members; the bidder and everyone else get a 404 here."""
    bid = get_or_404(bid_get_for_user, user=request.user, bid_id=bid_id)
    if not task_capabilities(user=request.user, task=bid.task).member:
        raise Http404
    return bid


def _managed_bid(request: HttpRequest, bid_id: int) -> Bid:
    """A bid whose task the user may decide on (owners and admins), else 404 / 403."""
    bid = _poster_bid(request, bid_id)
    if not task_capabilities(user=request.user, task=bid.task).manage:
        raise PermissionDenied
    return bid


@login_required
@require_POST
def bid_shortlist(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = _poster_bid(request, bid_id)
    try:
        bid_services.bid_shortlist(actor=request.user, bid=bid)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(name)s's bid is shortlisted.") % {"name": bid.provider.display_name},
        )
    return redirect(_compare_url(bid.task_id, bid.pk))


@login_required
@require_POST
def bid_reject(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = _managed_bid(request, bid_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep the note to 2,000 characters."))
        return redirect(_compare_url(bid.task_id, bid.pk))
    try:
        bid_services.bid_reject(actor=request.user, bid=bid, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(name)s's bid is declined; they are told.") % {"name": bid.provider.display_name},
        )
    return redirect(_compare_url(bid.task_id))


@login_required
def bid_award(request: HttpRequest, bid_id: int) -> HttpResponse:
    """A confirmation page with the contract's terms; POST awards the task to this bid."""
    bid = _managed_bid(request, bid_id)
    user = signed_in_user(request)
    error = ""
    if request.method == "POST":
        try:
            contract = contract_award(actor=user, bid=bid)
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect(_compare_url(bid.task_id))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(
                request,
                _("The task is awarded to %(name)s. Fund the escrow to start the work.")
                % {"name": bid.provider.display_name},
            )
            return redirect("frontend:contract_detail", contract_id=contract.pk)
    if not bid_capabilities(user=user, bid=bid).award:
        error = error or _("This bid can no longer be awarded.")
    others = (
        Bid.objects.none()
        if not bid.is_live
        else bids_for_poster(user=user, task=bid.task)
        .filter(status__in=Bid.LIVE)
        .exclude(pk=bid.pk)
    )
    context: dict[str, Any] = {
        "bid": bid,
        "task": bid.task,
        "milestones": list(bid.milestones.all()),
        "others": others.count(),
        "error": error,
    }
    status = 400 if request.method == "POST" and error else 200
    return render(request, "frontend/bids/award.html", context, status=status)
