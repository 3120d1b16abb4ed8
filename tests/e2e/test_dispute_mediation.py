"""A dispute end to end in a real browser: the provider opens one on a delivered milestone from
the contract page, the poster responds, a mediator reads the evidence timeline in the back
office and decides a 60/40 split; the ledger, the provider's earnings and both parties'
dispute pages show the result. Mediator pages are shot at 1280 px in both languages, the
provider's dispute page on a phone too.

The provider works in Chinese, the poster and one mediator in English, a second mediator in
Chinese. Screenshots go to test-artifacts/screenshots/e2e-dispute-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from contracts.models import Milestone
from disputes.models import Dispute
from marketplace.money import Money
from payments.models import LedgerAccount
from tests.disputes.setup import STATEMENT, funded_contract, mediator
from tests.e2e.test_fund_deliver_release import DESKTOP, MOBILE, no_sideways_scroll, sign_in
from tests.frontend.contracts_setup import deliver, poster_owner, provider_user
from tests.payments.helpers import assert_ledger_sound, escrow, fee_revenue, provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESPONSE_EN = "The report lacks the field test data the contract requires; we ask for a refund."
REASONS_EN = (
    "The report was delivered on time and follows the agreed method, but the field test data "
    "the contract names is missing: 60% to the provider, 40% back to the poster."
)


def snap(shoot: Any, page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, f"e2e-dispute-{name}")


def test_a_provider_disputes_a_mediator_splits_60_40_and_every_page_shows_it(
    celery_eager: None,
    live_server: Any,
    browser: Any,
    shoot: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"  # the test servers' environment sets a Stripe key
    # The disputed ¥20,000 is under the appeal threshold: the decision is executed at once.
    settings.MARKETPLACE = {**settings.MARKETPLACE, "DISPUTE_APPEAL_THRESHOLD": 50_000_00}
    base = live_server.url
    contract = funded_contract()
    deliver(contract, 1)
    poster_user, provider_account = poster_owner(contract), provider_user(contract)
    User.objects.filter(pk=poster_user.pk).update(language="en", name="Liu Yang")
    User.objects.filter(pk=provider_account.pk).update(language="zh-hans", name="王芳")
    mediator_en = mediator(language="en", name="Sun Li")
    mediator_zh = mediator(language="zh-hans", name="钱慧")
    evidence = tmp_path / "验收往来邮件.pdf"
    evidence.write_bytes(b"%PDF-1.7\n% acceptance emails\n")

    # The provider (in Chinese) opens a dispute from the milestone on the contract page.
    provider_page = sign_in(browser, base, provider_account, DESKTOP)
    provider_page.goto(f"{base}/contracts/{contract.pk}/")
    provider_page.locator('#milestone-1 [data-action="dispute"]').click()
    provider_page.wait_for_url("**/dispute/")
    provider_page.locator('input[name="reason"][value="not_reviewed"]').check()
    provider_page.locator('textarea[name="statement"]').fill(STATEMENT)
    snap(shoot, provider_page, "01-provider-open-zh")
    provider_page.locator('#dispute-open-form [type="submit"]').click()
    provider_page.wait_for_url("**/disputes/*/")
    dispute = Dispute.objects.get()
    assert Milestone.objects.get(pk=dispute.milestone_id).status == Milestone.Status.DISPUTED
    assert "证据时间线" in provider_page.content()
    provider_page.locator('#evidence input[name="file"]').set_input_files(str(evidence))
    provider_page.locator('#evidence input[name="note"]').fill("需求方验收往来邮件")
    provider_page.locator('#evidence [type="submit"]').click()
    provider_page.wait_for_load_state()
    assert dispute.evidence.count() == 1
    snap(shoot, provider_page, "02-provider-dispute-zh")

    # The poster (in English) responds on the dispute page.
    poster_page = sign_in(browser, base, poster_user, DESKTOP)
    poster_page.goto(f"{base}/disputes/{dispute.pk}/")
    poster_page.locator('#respond textarea[name="response"]').fill(RESPONSE_EN)
    poster_page.locator('#respond [type="submit"]').click()
    poster_page.wait_for_load_state()
    assert "Your response is in the dispute's record." in poster_page.content()
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.EVIDENCE

    # A mediator in Chinese looks at the queue and the dispute's page.
    zh = sign_in(browser, base, mediator_zh, DESKTOP)
    zh.goto(f"{base}/admin/")
    assert "未结争议" in zh.content()
    snap(shoot, zh, "03-mediator-dashboard-zh")
    zh.goto(f"{base}/admin/disputes/dispute/")
    assert "待处理（尚未执行）" in zh.content()
    snap(shoot, zh, "04-mediator-queue-zh")
    zh.goto(f"{base}/admin/disputes/dispute/{dispute.pk}/change/")
    timeline = zh.locator("[data-timeline]").inner_text()
    assert STATEMENT in timeline
    assert RESPONSE_EN in timeline
    assert dispute.evidence.get().sha256 in timeline
    snap(shoot, zh, "05-mediator-dispute-zh")

    # A mediator in English decides: amounts that do not add up are refused, then 60/40.
    en = sign_in(browser, base, mediator_en, DESKTOP)
    en.goto(f"{base}/admin/disputes/dispute/")
    snap(shoot, en, "06-mediator-queue-en")
    en.goto(f"{base}/admin/disputes/dispute/{dispute.pk}/change/")
    form = en.locator("#decision-form")
    form.locator('input[name="refund"]').fill("8000")
    form.locator('input[name="release"]').fill("12001")
    form.locator('textarea[name="reasons"]').fill(REASONS_EN)
    form.locator('[type="submit"]').click()
    en.wait_for_load_state()
    assert "must add up to the CN¥20,000.00 held" in en.content()
    assert escrow(contract) == Money(50_000_00)
    snap(shoot, en, "07-mediator-decision-error-en")
    form = en.locator("#decision-form")
    form.locator('input[name="release"]').fill("12000")
    form.locator('[type="submit"]').click()
    en.wait_for_load_state()
    assert "Decided and executed" in en.content()
    snap(shoot, en, "08-mediator-decided-en")

    # The ledger: 8,000 back to the poster, 12,000 less the 5 % fee paid out to the provider.
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == (Dispute.Status.EXECUTED, Dispute.Outcome.SPLIT)
    assert Milestone.objects.get(pk=dispute.milestone_id).status == Milestone.Status.SPLIT
    assert escrow(contract) == Money(30_000_00)
    assert provider(contract) == Money(11_400_00)
    assert fee_revenue() == Money(600_00)
    from payments.ledger import balance_of

    poster_funding = balance_of(
        kind=LedgerAccount.Kind.POSTER_FUNDING,
        owner=f"organization:{contract.organization_id}",
        currency="CNY",
    )
    assert poster_funding == Money(-42_000_00)  # paid 50,000, got 8,000 back
    assert_ledger_sound()

    # Both parties' pages show it.
    zh.goto(f"{base}/admin/disputes/dispute/{dispute.pk}/change/")
    snap(shoot, zh, "09-mediator-executed-zh")
    poster_page.goto(f"{base}/disputes/{dispute.pk}/")
    assert poster_page.locator("[data-refund]").inner_text().strip() == "CN¥8,000.00"
    assert poster_page.locator("[data-release]").inner_text().strip() == "CN¥12,000.00"
    assert poster_page.locator("[data-executed]").count() == 1
    snap(shoot, poster_page, "10-poster-executed-en")
    provider_page.goto(f"{base}/disputes/{dispute.pk}/")
    assert provider_page.locator("[data-refund]").inner_text().strip() == "¥8,000.00"
    assert provider_page.locator("[data-release]").inner_text().strip() == "¥12,000.00"
    assert "已执行" in provider_page.content()
    snap(shoot, provider_page, "11-provider-executed-zh")
    provider_page.goto(f"{base}/me/earnings/")
    assert provider_page.locator("#earnings-paid-out").inner_text().strip() == "¥11,400.00"
    provider_page.goto(f"{base}/contracts/{contract.pk}/")
    assert "已按裁决分配" in provider_page.locator("#milestone-1").inner_text()

    # On a phone nothing scrolls sideways.
    provider_page.set_viewport_size(MOBILE)
    provider_page.goto(f"{base}/disputes/{dispute.pk}/")
    no_sideways_scroll(provider_page)
    snap(shoot, provider_page, "12-provider-executed-mobile-zh")
    poster_page.set_viewport_size(MOBILE)
    poster_page.reload()
    no_sideways_scroll(poster_page)
    snap(shoot, poster_page, "13-poster-executed-mobile-en")
    for page in (provider_page, poster_page, zh, en):
        page.context.close()
