"""Finance's cards on the back-office dashboard (marketplace/backoffice.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.backoffice import Card, dashboard_panel, queue_card
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
