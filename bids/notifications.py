"""Who hears about bids: the poster of a new or revised bid, bidders of the outcome."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.notifying import Message, send
from accounts.selectors import provider_profile_members
from bids.models import Bid
from marketplace.notifications import link, notification
from tasks.notifications import poster_recipients


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
                lambda: (
                    (
                        _("New bid from %(bidder)s on %(title)s")
                        if event == "bid_placed"
                        else _("%(bidder)s revised their bid on %(title)s")
                    )
                    % {"bidder": bidder, "title": task.title}
                ),
                lambda: (
                    _("%(amount)s, %(days)d days.")
                    % {"amount": amount.format(), "days": bid.duration_days}
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
            lambda: _("You won %(title)s") % {"title": task.title},
            lambda: (
                _("%(org)s awarded you the task. Work starts once the escrow is funded.")
                % {"org": task.organization.name}
            ),
            contract_url or url,
        )
    elif event == "bid_not_selected":
        message = Message(
            "bid_rejected",
            lambda: _("%(title)s was awarded to another provider") % {"title": task.title},
            lambda: _("Thank you for bidding. Keep an eye on new tasks that match your skills."),
            url,
        )
    elif event == "bid_rejected":
        note = bid.decision_note
        message = Message(
            "bid_rejected",
            lambda: _("Your bid on %(title)s was declined") % {"title": task.title},
            lambda: note,
            url,
        )
    elif event == "bid_task_cancelled":
        note = bid.decision_note
        message = Message(
            "task_cancelled",
            lambda: _("%(title)s was cancelled by the poster") % {"title": task.title},
            lambda: note,
            url,
        )
    else:
        raise ValueError(f"unknown bid event {event}")
    send(recipients, message, f"{event}:{bid.pk}")
