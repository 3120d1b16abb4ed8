"""Finding a provider, in a real browser: a poster searches the provider directory for 机器视觉,
opens the recommended providers of their task, reads why the best one matched, invites them;
the provider finds the invitation among their notifications.

Screenshots: test-artifacts/screenshots/e2e-search-*.png (directory, matches, notification).
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import ProviderProfile
from search import indexing, text
from search.documents import PROVIDERS, TASKS
from tasks.models import Task, TaskInvitation
from tests.accounts.factories import DEFAULT_PASSWORD, ProviderProfileFactory, UserFactory
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.goto(base + "/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form[action="/accounts/login/"] [type="submit"]').last.click()
    page.wait_for_url("**/dashboard/")
    return page


def test_poster_finds_reads_why_and_invites_and_the_provider_is_told(
    browser: Any, live_server: Any, settings: Any, celery_eager: None, shoot: Any
) -> None:
    settings.SEARCH_BACKEND = "database"
    settings.ELASTICSEARCH_URL = ""
    text.lexicon_reset()
    task = TaskFactory(
        title="冲压件机器视觉检测", skills={"machine-vision": 5, "embedded-development": 3}
    )
    expert = ProviderProfileFactory(
        user=UserFactory(name="王工", real_name_verified=True, language="zh-hans"),
        headline="机器视觉算法工程师",
        skills={"machine-vision": 4, "embedded-development": 2},
    )
    ProviderProfileFactory(
        user=UserFactory(name="赵工"), headline="专利代理人", skills={"patent-drafting": 4}
    )
    indexing.index_objects(TASKS, Task.objects.values_list("pk", flat=True))
    indexing.index_objects(PROVIDERS, ProviderProfile.objects.values_list("pk", flat=True))

    page = sign_in(browser, live_server.url, task_owner(task).email)
    page.goto(f"{live_server.url}/providers/?q=机器视觉")
    cards = page.locator("[data-provider]")
    assert cards.count() == 1
    assert "王工" in cards.first.inner_text()
    shoot(page, "e2e-search-directory")

    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.locator("[data-recommended]").click()
    page.wait_for_url(f"**/tasks/{task.pk}/matches/")
    match = page.locator(f'[data-match="{expert.pk}"]')
    why = match.locator("[data-explanation]").inner_text()
    assert "机器视觉：权重 5 × 水平 4" in why
    assert "已实名认证" in why
    shoot(page, "e2e-search-matches")
    match.locator(f'[data-invite="{expert.pk}"]').click()
    page.wait_for_url(f"**/tasks/{task.pk}/#invite")
    assert "王工" in page.locator(".messages").inner_text()
    assert TaskInvitation.objects.filter(task=task, provider=expert).exists()

    provider_page = sign_in(browser, live_server.url, expert.user.email)
    provider_page.goto(f"{live_server.url}/notifications/")
    assert "冲压件机器视觉检测" in provider_page.locator("main").inner_text()
    shoot(provider_page, "e2e-search-notification")
