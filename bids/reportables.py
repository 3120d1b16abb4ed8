"""Negotiation messages can be reported to the moderators (tasks.reports' registry).

A moderator may hide one from its two sides (bids.moderation): the row keeps its text and file,
so mediators and the dispute timeline still read it as evidence. Or they suspend its sender.
"""

from __future__ import annotations

from django.urls import reverse

from bids.models import NegotiationMessage
from bids.moderation import negotiation_message_hide, negotiation_message_show
from bids.negotiation.selectors import negotiation_message_get_for_user
from tasks.reports import Reportable, reportable_register


def register() -> None:
    reportable_register(
        Reportable(
            kind="message",
            get_for_user=lambda user, pk: negotiation_message_get_for_user(
                user=user, message_id=pk
            ),
            get_for_moderator=lambda pk: (
                NegotiationMessage.objects.select_related("sender", "thread").filter(pk=pk).first()
            ),
            owner=lambda message: message.sender,
            url=lambda message: reverse("frontend:negotiation", args=[message.thread.bid_id]),
            describe=lambda message: (
                message.body or message.file_name or message.get_kind_display()
            ),
            hide=lambda *, moderator, obj, reason: negotiation_message_hide(
                moderator=moderator, message=obj, reason=reason
            ),
            show=lambda *, moderator, obj: negotiation_message_show(
                moderator=moderator, message=obj
            ),
        )
    )
