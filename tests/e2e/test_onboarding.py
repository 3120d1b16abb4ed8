"""A new poster's and a new provider's first hour, in a real browser, in both languages and at
both widths: sign-up with a role, the role's checklist, the first task posted with a step's
error caught before submitting, the first bid; the 390 px walk over the main pages; a
notification read in English after the language switch.

Screenshots go to test-artifacts/screenshots/onboarding-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Skill, User
from accounts.notifying import Message, send
from bids.models import Bid
from marketplace.money import Money
from marketplace.notifications import t
from tasks.models import Task
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
)
from tests.bids.factories import BidFactory
from tests.tasks.factories import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Each role runs once in Chinese on a desktop and once in English on a phone: together both
# languages and both widths for each.
RUNS = [
    pytest.param("zh-hans", DESKTOP, id="zh-1280"),
    pytest.param("en", PHONE, id="en-390"),
]


def open_page(browser: Any, language: str, viewport: dict[str, int], base: str) -> Any:
    context = browser.new_context(
        viewport=viewport, locale="zh-CN" if language == "zh-hans" else "en-US"
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context.new_page()


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide at {viewport} px"


def sign_up(page: Any, base: str, *, name: str, email: str, role: str) -> None:
    page.goto(base + "/accounts/signup/")
    page.fill('input[name="name"]', name)
    page.fill('input[name="email"]', email)
    page.fill('input[name="password1"]', DEFAULT_PASSWORD)
    page.fill('input[name="password2"]', DEFAULT_PASSWORD)
    page.check(f'input[name="role"][value="{role}"]')
    page.locator('form[action="/accounts/signup/"] [type="submit"]').last.click()
    page.wait_for_url("**/dashboard/")


def steps_done(page: Any, role: str) -> dict[str, bool]:
    items = page.locator(f'[data-checklist="{role}"] [data-step]')
    return {
        items.nth(i).get_attribute("data-step"): items.nth(i).get_attribute("data-done") == "true"
        for i in range(items.count())
    }


def visible_step(page: Any) -> str:
    return page.locator("[data-step]:visible").get_attribute("data-step")


@pytest.mark.parametrize(("language", "viewport"), RUNS)
def test_a_posters_first_hour(
    live_server: Any, browser: Any, shoot: Any, settings: Any, language: str, viewport: Any
) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    base = live_server.url
    tag = f"{language}-{viewport['width']}"
    page = open_page(browser, language, viewport, base)
    sign_up(page, base, name="陈伟", email=f"chen.{tag}@example.com", role="poster")
    user = User.objects.get(email=f"chen.{tag}@example.com")
    assert user.role == User.Role.POSTER
    assert list(steps_done(page, "poster")) == ["organization", "org_verification", "first_task"]
    assert page.locator('[data-checklist="provider"]').count() == 0
    assert page.locator("#provider-status").count() == 0
    no_sideways_scroll(page)
    shoot(page, f"onboarding-poster-dashboard-new-{tag}")

    page.locator('[data-checklist="poster"] [data-step="organization"] a').click()
    page.wait_for_url("**/orgs/new/")
    page.fill('input[name="name"]', f"重庆渝新汽车零部件有限公司 {tag}")
    page.check('input[name="kind"][value="enterprise"]')
    page.locator('form [type="submit"]').last.click()
    page.wait_for_url("**/settings/")

    page.goto(base + "/dashboard/")
    assert steps_done(page, "poster")["organization"] is True
    page.locator('[data-checklist="poster"] [data-step="first_task"] a').click()
    page.wait_for_url("**/tasks/new/")

    # Next on an empty first step: the server's check keeps it here, with its messages.
    page.click("[data-step-next]")
    page.locator('[data-field="title"].has-error').wait_for()
    assert visible_step(page) == "1"
    assert page.locator("[data-step-problems]:visible").count() == 1
    no_sideways_scroll(page)
    shoot(page, f"onboarding-poster-step1-error-{tag}")
    page.check('input[name="kind"][value="rd_solution"]')
    page.fill('input[name="title"]', "冲压件表面缺陷机器视觉检测")
    page.fill('textarea[name="summary"]', "为冲压件表面划伤与凹坑检测设计视觉方案并验证。")
    page.fill('textarea[name="description"]', "## 需求\n检测划伤、凹坑与油污，节拍 6 秒。")
    page.click("[data-step-next]")
    page.locator('[data-step="2"]').wait_for(state="visible")

    vision = Skill.objects.get(slug="machine-vision")
    page.locator(f'details:has(select[name="skill_{vision.pk}"]) > summary').click()
    page.select_option(f'select[name="skill_{vision.pk}"]', "5")
    page.fill('input[name="budget_min"]', "50000")
    page.fill('input[name="budget_max"]', "80000")
    closes = timezone.localtime(timezone.now() + dt.timedelta(days=14)).replace(hour=17, minute=0)
    page.fill('input[name="bid_deadline"]', closes.strftime("%Y-%m-%dT%H:%M"))
    page.fill(
        'input[name="delivery_deadline"]',
        (timezone.localdate() + dt.timedelta(days=120)).isoformat(),
    )
    page.click("[data-step-next]")
    page.locator('[data-step="3"]').wait_for(state="visible")

    # Milestones adding up to 90%: caught on this step, before the save.
    page.fill('input[name="plan-0-title"]', "方案设计")
    page.fill('input[name="plan-0-share"]', "40")
    page.fill('input[name="plan-0-due_days"]', "30")
    page.click("[data-formset-add]")
    page.fill('input[name="plan-1-title"]', "试验线验证")
    page.fill('input[name="plan-1-share"]', "50")
    page.fill('input[name="plan-1-due_days"]', "90")
    page.click("[data-step-next]")
    page.locator("[data-formset].has-error").wait_for()
    assert visible_step(page) == "3"
    assert not Task.objects.exists()
    shoot(page, f"onboarding-poster-step3-error-{tag}")
    page.fill('input[name="plan-1-share"]', "60")
    page.click("[data-step-next]")
    page.locator('[data-step="4"]').wait_for(state="visible")
    assert page.locator("[data-review-problems]").is_hidden()
    page.click("[data-submit]")
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    task = Task.objects.get()
    page.click("[data-publish]")
    page.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN

    page.goto(base + "/dashboard/")
    assert steps_done(page, "poster") == {
        "organization": True,
        "org_verification": False,
        "first_task": True,
    }
    no_sideways_scroll(page)
    shoot(page, f"onboarding-poster-dashboard-{tag}")


@pytest.mark.parametrize(("language", "viewport"), RUNS)
def test_a_providers_first_hour(
    live_server: Any, browser: Any, shoot: Any, settings: Any, language: str, viewport: Any
) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    base = live_server.url
    tag = f"{language}-{viewport['width']}"
    task = TaskFactory(title="工业机器人视觉引导", budget_min=30_000_00, budget_max=50_000_00)
    page = open_page(browser, language, viewport, base)
    sign_up(page, base, name="王芳", email=f"wang.{tag}@example.com", role="provider")
    assert list(steps_done(page, "provider")) == ["profile", "skills", "verification", "first_bid"]
    assert page.locator('.main-nav a[href="/bids/"]').count() == 1
    assert page.locator('.main-nav a[href="/providers/"]').count() == 0
    assert page.locator("a.header-post").count() == 0
    no_sideways_scroll(page)
    shoot(page, f"onboarding-provider-dashboard-new-{tag}")

    page.locator('[data-checklist="provider"] [data-step="profile"] a').click()
    page.wait_for_url("**/provider/")
    page.fill('input[name="headline"]', "工业视觉与机器人集成工程师")
    vision = Skill.objects.get(slug="machine-vision")
    page.locator(f'details:has(select[name="skill_{vision.pk}"]) > summary').click()
    page.select_option(f'select[name="skill_{vision.pk}"]', index=3)
    page.locator("form.form.wide [type='submit']").last.click()
    page.wait_for_load_state()

    page.goto(base + "/dashboard/")
    done = steps_done(page, "provider")
    assert done["profile"] is True
    assert done["skills"] is True
    assert done["first_bid"] is False

    page.goto(base + f"/tasks/{task.pk}/bid/")
    assert page.locator("[data-budget-hint]").is_visible()
    page.fill('input[name="amount"]', "60000")  # above the budget: allowed, and said
    page.fill('input[name="duration_days"]', "180")
    page.fill(
        'textarea[name="proposal"]', "十年工业视觉经验，可复用标定工装，需额外相机故高于预算。"
    )
    page.locator("form[data-bid-form] [type='submit']").click()
    page.wait_for_load_state()
    errors = page.locator(".errors, .alert-error")
    assert errors.count() == 0, errors.all_inner_texts()
    page.wait_for_url(f"**/tasks/{task.pk}/")
    assert Bid.objects.filter(task=task, amount=60_000_00).exists()
    assert page.locator(".alert-warning").count() == 1
    page.goto(base + "/dashboard/")
    if page.locator('[data-checklist="provider"]').count():
        assert steps_done(page, "provider")["first_bid"] is True
    no_sideways_scroll(page)
    shoot(page, f"onboarding-provider-dashboard-{tag}")


MAIN_PAGES = [
    "/",
    "/tasks/",
    "/providers/",
    "/search/?q=视觉",
    "/accounts/login/",
    "/accounts/signup/",
    "/dashboard/",
    "/notifications/",
    "/notifications/preferences/",
    "/me/",
    "/orgs/",
    "/orgs/new/",
    "/provider/",
    "/bids/",
    "/tasks/mine/",
    "/tasks/new/",
    "/contracts/",
    "/messages/",
    "/verify/",
    "/tasks/99999/",
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_main_page_scrolls_sideways_at_390px(
    live_server: Any, browser: Any, shoot: Any, language: str
) -> None:
    base = live_server.url
    poster = UserFactory(name="Chen Wei", role=User.Role.POSTER)
    org = OrganizationFactory(name="Chongqing Yuxin Automotive Parts Co., Ltd.", owner=poster)
    task = TaskFactory(organization=org, created_by=poster, title="Machine-vision inspection")
    provider = UserFactory(name="Emma Clarke", role=User.Role.PROVIDER)
    profile = ProviderProfileFactory(user=provider, headline="Industrial vision engineer")
    BidFactory(task=task, provider=profile)
    both = UserFactory(name="Both Roles", role=User.Role.BOTH)
    pages = [*MAIN_PAGES, f"/tasks/{task.pk}/", f"/orgs/{org.slug}/", f"/providers/{profile.pk}/"]
    wide: list[str] = []
    for who in (None, poster, provider, both):
        page = open_page(browser, language, PHONE, base)
        if who is not None:
            page.goto(base + "/accounts/login/")
            page.fill('input[name="login"]', who.email)
            page.fill('input[name="password"]', DEFAULT_PASSWORD)
            page.locator('form[action="/accounts/login/"] [type="submit"]').last.click()
            page.wait_for_url("**/dashboard/")
        for path in [*pages, f"/tasks/{task.pk}/bids/"] if who is poster else pages:
            page.goto(base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide.append(f"{who.email if who else 'visitor'} {path}: {width} px")
        page.context.close()
    assert wide == [], "\n".join(wide)


def test_a_notification_reads_in_english_after_the_language_switch(
    live_server: Any, browser: Any, shoot: Any, celery_eager: Any
) -> None:
    base = live_server.url
    user = UserFactory(name="刘洋", language="zh-hans")
    send(
        [user],
        Message(
            "bid_new",
            t(
                gettext_noop("New bid from %(bidder)s on %(title)s"),
                {"bidder": "李明", "title": "机器视觉方案"},
            ),
            t(gettext_noop("%(amount)s, %(days)d days."), {"amount": Money(68_000_00), "days": 90}),
            "/dashboard/",
        ),
        "e2e-language-switch",
    )
    page = open_page(browser, "zh-hans", DESKTOP, base)
    page.goto(base + "/accounts/login/")
    page.fill('input[name="login"]', user.email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form[action="/accounts/login/"] [type="submit"]').last.click()
    page.wait_for_url("**/dashboard/")
    page.goto(base + "/notifications/")
    assert "李明 对“机器视觉方案”提交了新投标" in page.locator("[data-notifications]").inner_text()

    page.locator('.lang-switch button[value="en"]').first.click()
    page.wait_for_load_state()
    page.goto(base + "/notifications/")
    text = page.locator("[data-notifications]").inner_text()
    assert "New bid from 李明 on 机器视觉方案" in text
    assert "CN¥68,000.00, 90 days." in text
    shoot(page, "onboarding-notification-english")

    page.locator("[data-notifications] a").first.click()
    page.wait_for_url("**/dashboard/")
    assert not user.notifications.filter(read_at__isnull=True).exists()
