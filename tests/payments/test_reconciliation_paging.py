"""Reconciliation reads whole Stripe lists, page after page, not only the first hundred.

stripe-mock answers every list with one canned page, so the fault proxy in front of it turns
that page into the first of two (has_more, a next_page token for searches) and the request
for the next page into the second: the client must follow has_more with starting_after (and
page for searches), each request validated by stripe-mock against Stripe's spec."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from payments import stripe_api
from payments.gateway import StripeGateway
from payments.models import GatewayObject
from payments.reconciliation import contract_reconcile
from payments.services import escrow_fund
from tests.frontend.contracts_setup import awarded_contract, poster_owner
from tests.payments.fault_proxy import FaultProxy

pytestmark = pytest.mark.django_db
Kind = GatewayObject.Kind


@pytest.fixture
def proxy(settings: Any) -> Iterator[FaultProxy]:
    upstream = os.environ.get("STRIPE_API_BASE")
    assert upstream, 'STRIPE_API_BASE is unset: eval "$(scripts/test-servers env)"'
    with FaultProxy(upstream) as running:
        settings.STRIPE_API_BASE = running.url
        settings.STRIPE_SECRET_KEY = "sk_test_123"
        settings.PAYMENTS_GATEWAY = "stripe"
        yield running


def queries(proxy: FaultProxy, path: str) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(r.path).query)
        for r in proxy.requests_to(path, method="GET")
        if urlsplit(r.path).path == path
    ]


def test_every_page_of_every_list_is_read(proxy: FaultProxy) -> None:
    contract = awarded_contract()
    proxy.paginate("/v1/payment_intents/search")
    proxy.paginate("/v1/refunds")
    proxy.paginate("/v1/transfers")

    found = StripeGateway().objects_list(contract=contract)

    by_kind: dict[str, set[str]] = {}
    for obj in found:
        by_kind.setdefault(obj.kind, set()).add(obj.external_id)
    for kind in (Kind.PAYMENT_INTENT, Kind.TRANSFER, Kind.REFUND):
        suffixes = {external_id.rsplit("_", 1)[1] for external_id in by_kind[kind]}
        assert suffixes == {"p1", "p2"}, kind  # the second page was read too

    # The requests, as stripe-mock accepted them: 100 a page, then the cursor of the last
    # object of the first page (lists) or the search's next_page token.
    transfers = queries(proxy, "/v1/transfers")
    assert len(transfers) == 2
    assert transfers[0]["limit"] == ["100"]
    assert transfers[0]["transfer_group"] == [f"contract-{contract.pk}"]
    assert "starting_after" not in transfers[0]
    assert transfers[1]["limit"] == ["100"]
    assert transfers[1]["transfer_group"] == [f"contract-{contract.pk}"]
    first_page_transfer = next(t for t in by_kind[Kind.TRANSFER] if t.endswith("_p1"))
    assert transfers[1]["starting_after"] == [first_page_transfer]

    searches = queries(proxy, "/v1/payment_intents/search")
    assert len(searches) == 2
    assert searches[0]["query"] == [f"metadata['contract']:'{contract.pk}'"]
    assert searches[0]["limit"] == ["100"]
    assert "page" not in searches[0]
    assert searches[1]["page"] == ["page_two"]
    assert searches[1]["query"] == searches[0]["query"]

    refunds = queries(proxy, "/v1/refunds")
    # Each payment intent's refunds, two pages each.
    assert len(refunds) == 2 * len(by_kind[Kind.PAYMENT_INTENT])
    assert all(q["limit"] == ["100"] for q in refunds)
    assert sum("starting_after" in q for q in refunds) == len(by_kind[Kind.PAYMENT_INTENT])


def test_reconciliation_compares_objects_of_the_second_page(proxy: FaultProxy) -> None:
    contract = awarded_contract()
    escrow_fund(actor=poster_owner(contract), contract=contract)
    proxy.paginate("/v1/transfers")
    subjects = {m.subject for m in contract_reconcile(contract_id=contract.pk)}
    # Neither page's transfers are ours: both are listed for finance.
    assert any(s.startswith("tr_") and s.endswith("_p1") for s in subjects)
    assert any(s.startswith("tr_") and s.endswith("_p2") for s in subjects)


def test_a_list_longer_than_the_limit_fails_loudly(
    proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy.paginate("/v1/transfers")
    monkeypatch.setattr(stripe_api, "LIST_MAX_OBJECTS", 1)
    with pytest.raises(stripe_api.ListTooLong):
        stripe_api.transfers_of_group(transfer_group="contract-1")
    # Under the limit the same list is read whole.
    monkeypatch.setattr(stripe_api, "LIST_MAX_OBJECTS", 10)
    assert len(stripe_api.transfers_of_group(transfer_group="contract-1")) == 2
