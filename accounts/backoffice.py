"""Real-name verification's card on the back-office dashboard (marketplace/backoffice.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Min
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import verification_requests_waiting
from marketplace.backoffice import Card, dashboard_panel


@dashboard_panel(order=200)
def verification_cards(request: HttpRequest) -> Iterator[Card]:
    if request.user.has_perm("accounts.view_verificationrequest"):
        waiting = verification_requests_waiting().aggregate(
            n=Count("pk"), oldest=Min("submitted_at")
        )
        yield Card(
            title=_("Verifications waiting"),
            value=waiting["n"],
            url=reverse("admin:accounts_verificationrequest_changelist"),
            oldest=waiting["oldest"],
            tone="attention" if waiting["n"] else "info",
        )
