"""Money end to end in a real browser: the poster funds the escrow in the sandbox from the
contract page, the provider uploads the first milestone's delivery, the poster accepts it, and
the provider's earnings page shows the release less the platform fee; the receipts of the
funding (the poster organization's) and of the payout and fee (the provider's) are on their
pages, in both languages and on a phone.

The poster works in English, the provider in Chinese (the default). Screenshots go to
test-artifacts/screenshots/e2e-money-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from contracts.models import Contract, Milestone
from contracts.services import contract_award
from payments.models import GatewayObject, Receipt
from payments.services.connect import payout_account_sandbox_activate
from tests.accounts.factories import DEFAULT_PASSWORD, ProviderProfileFactory, UserFactory
from tests.bids.factories import BidFactory
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def sign_in(browser: Any, base: str, user: User, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill('input[name="login"]', user.email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form[action="/accounts/login/"] [type="submit"]').last.click()
    page.wait_for_url("**/dashboard/")
    return page


def snap(shoot: Any, page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, f"e2e-money-{name}")


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.fixture
def contract(db: None) -> Contract:
    """A verified enterprise's task awarded to a verified designer: 82,000 yuan in two
    milestones, awaiting funding."""
    designer = UserFactory(name="王芳", email="wang.fang@example.com", real_name_verified=True)
    designer.verified_real_name = "王芳"
    designer.save(update_fields=["verified_real_name"])
    profile = ProviderProfileFactory(user=designer, headline="工业设计师 · 小家电外观与结构")
    task = TaskFactory(
        title="智能空气净化器外观与结构设计",
        organization__name="重庆山城智能家电有限公司",
        organization__verified=True,
    )
    User.objects.filter(pk=task_owner(task).pk).update(name="Liu Yang", language="en")
    bid = BidFactory(
        task=task,
        provider=profile,
        amount=82_000_00,
        duration_days=60,
        milestones=[("概念设计与草图", 32_000_00, 20), ("结构设计与手板", 50_000_00, 60)],
    )
    return contract_award(actor=task_owner(task), bid=bid)


def test_fund_in_the_sandbox_deliver_accept_and_see_the_earnings_and_receipts(
    contract: Contract,
    celery_eager: None,
    live_server: Any,
    browser: Any,
    shoot: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"  # the test servers' environment sets a Stripe key
    base = live_server.url
    concept = tmp_path / "概念设计方案.pdf"
    concept.write_bytes(b"%PDF-1.7\n% concept sketches\n")
    poster_user = task_owner(contract.task)
    provider_user = contract.provider.user
    # The provider has set up payouts (the sandbox form at /me/payouts/; tested on its own).
    payout_account_sandbox_activate(
        actor=provider_user, provider=contract.provider, holder_name=provider_user.name or "设计师"
    )

    # The poster (in English) funds every milestone in the sandbox.
    poster = sign_in(browser, base, poster_user, DESKTOP)
    poster.goto(f"{base}/contracts/{contract.pk}/")
    form = poster.locator("#fund-escrow")
    assert "Sandbox, no real money" in form.inner_text()
    snap(shoot, poster, "01-poster-fund-form-en")
    form.locator('input[name="scope"][value="all"]').check()
    form.locator('[type="submit"]').click()
    poster.wait_for_load_state()
    assert "The escrow is funded; work can start." in poster.content()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    payment = GatewayObject.objects.get(kind=GatewayObject.Kind.PAYMENT_INTENT)
    assert (payment.gateway, payment.amount) == ("sandbox", 82_000_00)
    assert poster.locator("#fund-escrow").count() == 0
    snap(shoot, poster, "02-poster-funded-en")

    # The provider (in Chinese) uploads the first milestone's delivery.
    provider = sign_in(browser, base, provider_user, DESKTOP)
    provider.goto(f"{base}/contracts/{contract.pk}/")
    delivery = provider.locator('#milestone-1 form[action$="/deliver/"]')
    delivery.locator('textarea[name="note"]').fill("概念设计三套方向，含草图与渲染，请验收。")
    delivery.locator('input[name="attachments"]').set_input_files(str(concept))
    delivery.locator('[type="submit"]').click()
    provider.wait_for_load_state()
    assert Milestone.objects.get(contract=contract, position=1).status == "submitted"
    snap(shoot, provider, "03-provider-delivered-zh")

    # The poster accepts it (after confirming); the release runs after the acceptance commits.
    poster.reload()
    first = poster.locator("#milestone-1")
    first.locator("details.decide-option summary").nth(0).click()
    first.locator('form[action$="/accept/"] [type="submit"]').click()
    poster.wait_for_load_state()
    assert Milestone.objects.get(contract=contract, position=1).status == "released"
    snap(shoot, poster, "04-poster-accepted-en")

    # The provider's earnings: 32,000 less the 5 % fee paid out, the second milestone pending.
    provider.goto(f"{base}/me/earnings/")
    assert provider.locator("#earnings-paid-out").inner_text().strip() == "¥30,400.00"
    assert provider.locator("#earnings-pending").inner_text().strip() == "¥50,000.00"
    assert "沙盒环境，不涉及真实资金" in provider.content()
    assert "智能空气净化器外观与结构设计" in provider.locator("#history-title + table").inner_text()
    snap(shoot, provider, "05-provider-earnings-zh")

    # The provider's receipts: the payout and the platform's service fee, masked name, 6 %.
    provider.click('.page-header a[href="/me/receipts/"]')
    provider.wait_for_url("**/me/receipts/")
    payout = provider.locator('[data-receipt-kind="payout"]')
    fee = provider.locator('[data-receipt-kind="platform_fee"]')
    assert payout.locator("[data-receipt-amount]").inner_text().strip() == "¥30,400.00"
    assert fee.locator("[data-receipt-amount]").inner_text().strip() == "¥1,600.00"
    assert "王*" in payout.inner_text()
    assert "未开具" in payout.inner_text()
    snap(shoot, provider, "06-provider-receipts-zh")
    with provider.expect_download() as download_info:
        provider.click("#receipts-csv")
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "30400.00" in csv_text
    assert "1600.00" in csv_text

    # The poster organization's receipts: the funding, with its credit code.
    poster.goto(f"{base}/orgs/{contract.organization.slug}/")
    poster.click(f'.profile-head a[href="/orgs/{contract.organization.slug}/receipts/"]')
    poster.wait_for_load_state()
    funding = poster.locator('[data-receipt-kind="funding"]')
    assert funding.locator("[data-receipt-amount]").inner_text().strip() == "CN¥82,000.00"
    assert contract.organization.credit_code in funding.inner_text()
    assert poster.locator('[data-receipt-kind="payout"]').count() == 0
    snap(shoot, poster, "07-poster-receipts-en")

    # On a phone nothing scrolls sideways.
    provider.set_viewport_size(MOBILE)
    provider.reload()
    no_sideways_scroll(provider)
    snap(shoot, provider, "08-provider-receipts-mobile-zh")
    provider.goto(f"{base}/me/earnings/")
    no_sideways_scroll(provider)
    snap(shoot, provider, "09-provider-earnings-mobile-zh")
    poster.set_viewport_size(MOBILE)
    poster.reload()
    no_sideways_scroll(poster)
    snap(shoot, poster, "10-poster-receipts-mobile-en")

    assert set(Receipt.objects.values_list("kind", flat=True)) == {
        "funding",
        "payout",
        "platform_fee",
    }
    for page in (provider, poster):
        page.context.close()
