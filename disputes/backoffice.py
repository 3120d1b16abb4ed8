"""The mediators' cards on the back-office dashboard (marketplace/backoffice.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from disputes.selectors import disputes_open_summary
from marketplace.backoffice import Card, dashboard_panel


@dashboard_panel(order=400)
def dispute_cards(request: HttpRequest) -> Iterator[Card]:
    if not request.user.has_perm("disputes.view_dispute"):
        return
    summary = disputes_open_summary()
    url = reverse("admin:disputes_dispute_changelist")
    yield Card(
        title=_("Disputes open"),
        value=summary["open"],
        url=url,
        oldest=summary["oldest"],
        tone="attention" if summary["open"] else "info",
    )
    yield Card(
        title=_("Appeals waiting"),
        value=summary["appeals"],
        url=f"{url}?status__exact=appealed",
        oldest=summary["oldest_appeal"],
        tone="attention" if summary["appeals"] else "info",
    )
