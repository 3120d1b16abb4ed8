"""The poster's money and cancel actions on the contest page.

With Stripe, paying the prize shows Stripe's Payment Element (its client secret for the poster's
managers only), then "processing" until the webhook confirms it, or the failure and a fresh "pay"
button. A draft or funding contest is cancelled from the page with a reason; what the pool holds
returns. A non-guaranteed contest states its return fee as a percent.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from contests.models import Contest
from contests.services import contest_fund_start, contest_submit
from payments.models import GatewayObject
from tests.accounts.factories import UserFactory
from tests.contests.setup import draft_contest, open_contest, owner_of, solver
from tests.frontend.contracts_setup import english
from tests.page_helpers import html
from tests.payments.test_stripe_api import stripe_mock  # noqa: F401  (fixture)
from tests.payments.test_webhooks import event, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"


def page_of(contest: Contest, user: Any, query: str = "") -> str:
    return html(
        english(user).get(reverse("frontend:contest_detail", args=[contest.task_id]) + query)
    )


@pytest.mark.usefixtures("stripe_mock", "keys")
def test_paying_the_prize_with_stripe_shows_the_payment_element_to_the_poster_only() -> None:
    contest = draft_contest()
    owner = owner_of(contest)
    contest_submit(actor=owner, contest=contest)
    payment = contest_fund_start(actor=owner, contest=contest)
    assert (payment.gateway, payment.status) == ("stripe", GatewayObject.Status.PENDING)
    page = page_of(contest, owner)
    assert 'id="stripe-payment"' in page
    assert f'data-client-secret="{payment.client_secret}"' in page
    url = f"http://testserver/tasks/{contest.task_id}/contest/"
    assert f'data-return-url="{url}"' in page
    assert "data-fund" not in page  # no second payment while this one waits
    for other in (solver(), UserFactory()):
        assert payment.client_secret not in page_of(contest, other)

    back = page_of(contest, owner, f"?payment_intent={payment.external_id}")
    assert 'id="pool-funding-processing"' in back
    assert 'id="stripe-payment"' not in back

    failure = {
        "id": payment.external_id,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
    }
    assert post(event("evt_pool_f", "payment_intent.payment_failed", failure)).status_code == 200
    page = page_of(contest, owner)
    assert 'id="pool-funding-failed"' in page
    assert "Your card was declined." in page
    assert "data-fund" in page  # pay again


def test_the_poster_cancels_a_contest_waiting_for_its_prize_with_a_reason() -> None:
    contest = draft_contest()
    owner = owner_of(contest)
    contest_submit(actor=owner, contest=contest)
    assert "data-cancel" in page_of(contest, owner)
    url = reverse("frontend:contest_action", args=[contest.task_id, "cancel"])
    english(owner).post(url, {"reason": ""})
    assert Contest.objects.get(pk=contest.pk).status == Contest.Status.FUNDING
    stranger = UserFactory()
    assert english(stranger).post(url, {"reason": "不需要了"}).status_code == 404
    assert Contest.objects.get(pk=contest.pk).status == Contest.Status.FUNDING
    response = english(owner).post(url, {"reason": "需求已由内部团队解决"}, follow=True)
    assert "The contest is cancelled." in html(response)
    assert Contest.objects.get(pk=contest.pk).status == Contest.Status.CANCELLED


def test_an_open_contest_has_no_cancel_button() -> None:
    contest = open_contest()
    assert "data-cancel" not in page_of(contest, owner_of(contest))


def test_a_non_guaranteed_contest_states_its_return_fee_as_a_percent() -> None:
    contest = open_contest(guaranteed=False, pass_mark=60, return_fee_bps=500)
    page = page_of(contest, UserFactory())
    assert "less a fee of 5%." in page
    assert "basis points" not in page
