"""The objections queue's card on the back-office dashboard (marketplace/backoffice.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contests.selectors import objections_queue, user_decides_objections
from marketplace.backoffice import Card, dashboard_panel, queue_card


@dashboard_panel(order=410)
def objection_cards(request: HttpRequest) -> Iterator[Card]:
    if not (
        request.user.has_perm("contests.view_objection") or user_decides_objections(request.user)
    ):
        return
    yield queue_card(
        _("Contest objections open"),
        objections_queue(),
        since="created_at",
        url=reverse("admin:contests_objection_changelist") + "?status__exact=open",
    )
