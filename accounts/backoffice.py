"""The verifier's cards on the back-office dashboard (marketplace/backoffice.py): real-name
requests and red/black list appeals waiting for a decision."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Min
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import CreditListAppeal, VerificationRequest
from marketplace.backoffice import Card, dashboard_panel


@dashboard_panel(order=200)
def verification_cards(request: HttpRequest) -> Iterator[Card]:
    user = request.user
    if user.has_perm("accounts.change_verificationrequest"):
        waiting = VerificationRequest.objects.filter(
            status=VerificationRequest.Status.PENDING
        ).aggregate(n=Count("pk"), oldest=Min("submitted_at"))
        yield Card(
            title=_("Verifications waiting"),
            value=waiting["n"],
            url=reverse("admin:accounts_verificationrequest_changelist") + "?status__exact=pending",
            oldest=waiting["oldest"],
            tone="attention" if waiting["n"] else "info",
        )
    if user.has_perm("accounts.change_creditlistappeal"):
        appeals = CreditListAppeal.objects.filter(status=CreditListAppeal.Status.PENDING).aggregate(
            n=Count("pk"), oldest=Min("filed_at")
        )
        yield Card(
            title=_("Red/black list appeals waiting"),
            value=appeals["n"],
            url=reverse("admin:accounts_creditlistappeal_changelist") + "?status__exact=pending",
            oldest=appeals["oldest"],
            tone="attention" if appeals["n"] else "info",
        )
