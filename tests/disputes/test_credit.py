"""Dispute outcomes feed both parties' credit: a deduction factor they can see."""

from __future__ import annotations

from typing import Any

import pytest

from disputes.services import dispute_decide, dispute_respond
from reputation.selectors import poster_stats, provider_stats
from tests.disputes.setup import (
    REASONS,
    RESPONSE,
    funded_contract,
    mediator,
    open_dispute,
    small_amounts,
)
from tests.frontend.contracts_setup import poster_owner

pytestmark = pytest.mark.django_db


def _factor(credit: Any) -> Any:
    return next(f for f in credit.factors if f.key == "disputes")


def test_a_lost_dispute_lowers_the_losers_credit_and_not_the_winners(settings: Any) -> None:
    small_amounts(settings)
    contract = funded_contract()
    provider_before = provider_stats(profile=contract.provider).credit
    poster_before = poster_stats(organization=contract.organization).credit
    assert _factor(provider_before).points == 0
    assert _factor(poster_before).points == 0
    d = open_dispute(contract)
    dispute_respond(actor=poster_owner(contract), dispute=d, response=RESPONSE)
    dispute_decide(actor=mediator(), dispute=d, refund=20_000_00, release=0, reasons=REASONS)

    provider_after = provider_stats(profile=contract.provider)
    poster_after = poster_stats(organization=contract.organization)
    assert (provider_after.disputes.lost, poster_after.disputes.won) == (1, 1)
    assert _factor(provider_after.credit).points == -6
    assert _factor(poster_after.credit).points == 0
    for credit in (provider_after.credit, poster_after.credit):
        assert sum(f.points for f in credit.factors) == credit.score
        # The base factors make 100; the red/black list and disputes add or take off on top.
        base = [f for f in credit.factors if f.key not in ("credit_list", "disputes")]
        assert sum(f.max_points for f in base) == 100
