"""Finance's cards on the back-office dashboard (marketplace/backoffice.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.backoffice import Card, dashboard_panel, queue_card
from payments.models import CardDispute, ReconciliationMismatch


@dashboard_panel(order=300)
def finance_cards(request: HttpRequest) -> Iterator[Card]:
    user = request.user
    if user.has_perm("payments.view_reconciliationmismatch"):
        yield queue_card(
            _("Reconciliation mismatches open"),
            ReconciliationMismatch.objects.filter(status=ReconciliationMismatch.Status.OPEN),
            since="found_at",
            url=reverse("admin:payments_reconciliationmismatch_changelist"),
        )
    if user.has_perm("payments.view_carddispute"):
        yield queue_card(
            _("Card disputes open"),
            CardDispute.objects.filter(status=CardDispute.Status.OPEN),
            since="opened_at",
            url=reverse("admin:payments_carddispute_changelist"),
        )
