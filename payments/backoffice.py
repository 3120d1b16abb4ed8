"""Finance's cards on the back-office dashboard (marketplace/backoffice.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Min
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.backoffice import Card, dashboard_panel
from payments.models import CardDispute, ReconciliationMismatch
from payments.selectors import escrow_held_total, released_between


def _month_start() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dashboard_panel(order=300)
def finance_cards(request: HttpRequest) -> Iterator[Card]:
    user = request.user
    if user.has_perm("payments.handle_finance"):
        yield Card(
            title=_("Escrow held"),
            value=escrow_held_total().format(),
            url=reverse("admin:contracts_contract_changelist"),
        )
        start = _month_start()
        yield Card(
            title=_("Released this month"),
            value=released_between(start=start, end=timezone.now()).format(),
            url=reverse("admin:contracts_milestone_changelist") + "?status__exact=released",
        )
    if user.has_perm("payments.view_reconciliationmismatch"):
        mismatches = ReconciliationMismatch.objects.filter(
            status=ReconciliationMismatch.Status.OPEN
        ).aggregate(n=Count("pk"), oldest=Min("found_at"))
        yield Card(
            title=_("Reconciliation mismatches open"),
            value=mismatches["n"],
            url=reverse("admin:payments_reconciliationmismatch_changelist"),
            oldest=mismatches["oldest"],
            tone="attention" if mismatches["n"] else "info",
        )
    if user.has_perm("payments.view_carddispute"):
        disputes = CardDispute.objects.filter(status=CardDispute.Status.OPEN).aggregate(
            n=Count("pk"), oldest=Min("opened_at")
        )
        yield Card(
            title=_("Card disputes open"),
            value=disputes["n"],
            url=reverse("admin:payments_carddispute_changelist"),
            oldest=disputes["oldest"],
            tone="attention" if disputes["n"] else "info",
        )
