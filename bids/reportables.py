"""Negotiation messages can be reported to the moderators (tasks.reports' registry).

A message is evidence between the two sides, so it is never hidden: a moderator suspends its
sender instead (or dismisses the report).
"""

from __future__ import annotations

from django.urls import reverse

from bids.models import NegotiationMessage
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
            describe=lambda message: message.body[:200] or message.get_kind_display(),
        )
    )
