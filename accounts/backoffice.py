"""The verifier's cards on the back-office dashboard (marketplace/backoffice.py): real-name
requests and red/black list appeals waiting for a decision."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import CreditListAppeal
from accounts.selectors import verification_requests_waiting
from marketplace.backoffice import Card, dashboard_panel, queue_card


@dashboard_panel(order=200)
def verification_cards(request: HttpRequest) -> Iterator[Card]:
    user = request.user
    if user.has_perm("accounts.view_verificationrequest"):
        yield queue_card(
            _("Verifications waiting"),
            verification_requests_waiting(),
            since="submitted_at",
            url=reverse("admin:accounts_verificationrequest_changelist"),
        )
    if user.has_perm("accounts.change_creditlistappeal"):
        yield queue_card(
            _("Red/black list appeals waiting"),
            CreditListAppeal.objects.filter(status=CreditListAppeal.Status.PENDING),
            since="filed_at",
            url=reverse("admin:accounts_creditlistappeal_changelist") + "?status__exact=pending",
        )
