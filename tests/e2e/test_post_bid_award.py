"""The tender, end to end in a real browser: a poster posts a task through the stepped form
(the stepper reopens at the step with a server error), publishes it; a provider finds it by
keyword, opens it and bids with milestones; the poster compares the bids and awards with
confirmation, landing on the new contract's page.

Screenshots go to test-artifacts/screenshots/e2e-tender-*.png: every step at desktop width in
Chinese, the bid comparison and task page on a phone, and the browse and comparison pages in
English.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Skill, User
from bids.models import Bid
from contracts.models import Contract
from tasks.models import Task
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
)
from tests.bids.factories import BidFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
TITLE = "冲压件表面缺陷机器视觉检测方案"


def sign_in(browser: Any, base: str, user: User, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill('input[name="login"]', user.email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form[action="/accounts/login/"] [type="submit"]').last.click()
    page.wait_for_url("**/dashboard/")
    return page


def snap(shoot: Any, page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, f"e2e-tender-{name}")


def visible_step(page: Any) -> str:
    return page.locator("[data-step]:visible").get_attribute("data-step")


@pytest.fixture
def people(db: None) -> dict[str, User]:
    poster = UserFactory(name="刘洋", email="liu.yang@example.com")
    OrganizationFactory(name="重庆山城智能家电有限公司", owner=poster, verified=True)
    provider = UserFactory(name="李明", email="li.ming@example.com", real_name_verified=True)
    ProviderProfileFactory(
        user=provider, headline="工业视觉检测与机器人集成", skills={"machine-vision": 4}
    )
    return {"poster": poster, "provider": provider}


def test_post_publish_bid_compare_and_award(
    live_server: Any, browser: Any, shoot: Any, people: dict[str, User]
) -> None:
    base = live_server.url
    vision = Skill.objects.get(slug="machine-vision")
    bids_close = timezone.localtime(timezone.now() + dt.timedelta(days=14)).replace(
        hour=17, minute=0
    )
    delivery = timezone.localdate() + dt.timedelta(days=120)

    # --- the poster writes the task, one step at a time --------------------------------------
    poster = sign_in(browser, base, people["poster"], DESKTOP)
    poster.locator("a.header-post").click()
    poster.wait_for_url("**/tasks/new/")
    assert poster.locator("[data-stepper-nav]").is_visible()
    assert visible_step(poster) == "1"
    poster.check('input[name="kind"][value="rd_solution"]')
    poster.fill('input[name="title"]', TITLE)
    poster.fill('textarea[name="summary"]', "为冲压件表面划伤与凹坑检测设计视觉方案并验证。")
    poster.fill(
        'textarea[name="description"]',
        "## 需求\n- 检测划伤、凹坑与油污\n- 节拍 6 秒\n\n## 交付\n方案与验证报告（**含 MSA**）。",
    )
    snap(shoot, poster, "01-post-basics-zh")
    poster.click("[data-step-next]")
    # Next asks the server to check the step first, so the next step shows a moment later.
    poster.locator('[data-step="2"]').wait_for(state="visible")
    assert visible_step(poster) == "2"

    poster.locator(f'details:has(select[name="skill_{vision.pk}"]) > summary').click()
    poster.select_option(f'select[name="skill_{vision.pk}"]', "5")
    assert poster.locator("[data-skill-summary]").is_visible()
    poster.fill('input[name="budget_min"]', "50000")
    # budget_max left empty on purpose: the server's check keeps the stepper on this step.
    poster.fill('input[name="bid_deadline"]', bids_close.strftime("%Y-%m-%dT%H:%M"))
    poster.fill('input[name="delivery_deadline"]', delivery.isoformat())
    poster.select_option('select[name="region"]', "500112")
    snap(shoot, poster, "02-post-requirements-zh")
    poster.click("[data-step-next]")
    poster.locator('[data-field="budget_max"].has-error').wait_for()
    assert visible_step(poster) == "2"
    assert not Task.objects.exists()
    snap(shoot, poster, "05-post-error-caught-on-step-zh")
    poster.fill('input[name="budget_max"]', "80000")
    poster.click("[data-step-next]")
    poster.locator('[data-step="3"]').wait_for(state="visible")
    assert visible_step(poster) == "3"

    poster.fill('input[name="plan-0-title"]', "方案设计与评审")
    poster.fill('input[name="plan-0-share"]', "40")
    poster.fill('input[name="plan-0-due_days"]', "30")
    poster.click("[data-formset-add]")
    poster.fill('input[name="plan-1-title"]', "试验线实施与验证")
    poster.fill('input[name="plan-1-share"]', "60")
    poster.fill('input[name="plan-1-due_days"]', "90")
    assert "100%" in poster.locator("[data-share-total-out]").inner_text()
    snap(shoot, poster, "03-post-terms-milestones-zh")
    poster.click("[data-step-next]")
    poster.locator('[data-step="4"]').wait_for(state="visible")
    assert visible_step(poster) == "4"
    assert TITLE in poster.locator("[data-review]").inner_text()
    snap(shoot, poster, "04-post-review-zh")

    poster.click("[data-submit]")
    poster.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    task = Task.objects.get()
    assert task.status == Task.Status.DRAFT
    assert [m.share_bps for m in task.milestone_plan.all()] == [4000, 6000]
    snap(shoot, poster, "06-draft-page-zh")

    poster.click("[data-publish]")
    poster.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    snap(shoot, poster, "07-published-zh")

    # --- a provider finds it, reads it and bids ---------------------------------------------
    provider = sign_in(browser, base, people["provider"], DESKTOP)
    provider.goto(base + "/tasks/")
    provider.fill('input[name="q"]', "缺陷 视觉")
    provider.press('input[name="q"]', "Enter")
    provider.wait_for_load_state("networkidle")
    card = provider.locator(f'.task-card:has-text("{TITLE}")')
    assert card.count() == 1
    snap(shoot, provider, "08-browse-search-zh")
    card.locator("a.stretched-link").click()
    provider.wait_for_url(f"**/tasks/{task.pk}/")
    assert provider.locator(".markdown h2").first.inner_text() == "需求"
    snap(shoot, provider, "09-task-page-provider-zh")

    provider.click("[data-bid-button]")
    provider.wait_for_url(f"**/tasks/{task.pk}/bid/")
    provider.fill('input[name="amount"]', "68000")
    # tasks.js splits the price by the planned shares into the milestone rows.
    assert provider.input_value('input[name="ms-0-amount"]') == "27200"
    assert provider.input_value('input[name="ms-1-amount"]') == "40800"
    provider.fill('input[name="duration_days"]', "90")
    provider.fill(
        'textarea[name="proposal"]',
        "我们为三家主机厂交付过冲压件视觉检测，可复用缺陷样本库；方案采用 4 台线阵相机。",
    )
    snap(shoot, provider, "10-bid-form-zh")
    provider.locator('form[data-bid-form] [type="submit"]').click()
    provider.wait_for_url(f"**/tasks/{task.pk}/")
    bid = Bid.objects.get(task=task)
    assert bid.amount == 68_000_00
    assert [m.amount for m in bid.milestones.all()] == [27_200_00, 40_800_00]
    snap(shoot, provider, "11-bid-placed-zh")

    # A second, cheaper bid from another provider, so there is something to compare.
    rival = BidFactory(task=task, amount=72_500_00, proposal="十年工业视觉经验，三周内交付方案。")

    # --- the poster compares and awards -----------------------------------------------------
    poster.goto(base + f"/tasks/{task.pk}/")
    poster.click(f'a[href="/tasks/{task.pk}/bids/"]')
    poster.wait_for_url(f"**/tasks/{task.pk}/bids/")
    assert poster.locator(".bid-card").count() == 2
    snap(shoot, poster, "12-compare-bids-zh")
    poster.click(f'a[href="/bids/{bid.pk}/award/"]')
    poster.wait_for_url(f"**/bids/{bid.pk}/award/")
    assert "¥68,000.00" in poster.content()
    snap(shoot, poster, "13-award-confirm-zh")
    poster.click("[data-confirm-award]")
    poster.wait_for_url(re.compile(r".*/contracts/\d+/$"))
    contract = Contract.objects.get(task=task)
    assert poster.url.endswith(f"/contracts/{contract.pk}/")
    assert (contract.amount, contract.provider_id) == (68_000_00, bid.provider_id)
    rival.refresh_from_db()
    assert rival.status == Bid.Status.REJECTED
    snap(shoot, poster, "14-contract-zh")

    # --- a phone, and English ----------------------------------------------------------------
    phone = sign_in(browser, base, people["poster"], MOBILE)
    phone.goto(base + f"/tasks/{task.pk}/bids/")
    snap(shoot, phone, "15-compare-bids-mobile-zh")
    phone.goto(base + f"/tasks/{task.pk}/")
    snap(shoot, phone, "16-task-page-mobile-zh")

    provider.locator('form.lang-switch button[value="en"]').first.click()
    provider.wait_for_load_state()
    provider.goto(base + "/tasks/?closed=on")
    assert "Find tasks" in provider.content()
    snap(shoot, provider, "17-browse-en")
    provider.goto(base + "/bids/")
    snap(shoot, provider, "18-my-bids-en")
    poster.locator('form.lang-switch button[value="en"]').first.click()
    poster.wait_for_load_state()
    poster.goto(base + f"/tasks/{task.pk}/bids/")
    assert "Compare bids" in poster.content()
    snap(shoot, poster, "19-compare-bids-en")
