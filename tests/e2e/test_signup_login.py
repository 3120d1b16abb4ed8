"""Sign up, confirm the email, sign out and in again, in a real browser against a live server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Qz7!mountain-river"
CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s/]+/")


def submit(page: Any, action: str) -> None:
    """Press the submit button of the page's form posting to `action` (the last such form,
    so the header's sign-out form never gets in the way)."""
    page.locator(f'form[action="{action}"] [type="submit"]').last.click()
    page.wait_for_load_state()


def test_sign_up_confirm_sign_out_and_sign_in(live_server: Any, browser: Any, shoot: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    base = live_server.url

    page.goto(base + "/")
    assert "众包" in page.title()
    shoot(page, "e2e-01-home-zh")

    page.click('a[href^="/accounts/signup/"] >> nth=0')
    page.wait_for_url("**/accounts/signup/**")
    page.fill('input[name="name"]', "陈晓")
    page.fill('input[name="email"]', "chen.xiao@example.com")
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="password2"]', PASSWORD)
    page.check('input[name="role"][value="provider"]')
    shoot(page, "e2e-02-signup-zh")
    submit(page, "/accounts/signup/")

    page.wait_for_url("**/accounts/confirm-email/")
    assert "验证" in page.content()
    shoot(page, "e2e-03-verify-email-sent-zh")
    user = User.objects.get(email="chen.xiao@example.com")
    assert user.name == "陈晓"
    assert user.language == "zh-hans"

    assert len(mail.outbox) == 1
    link = CONFIRM_LINK.search(mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    page.goto(base + path)
    shoot(page, "e2e-04-confirm-email-zh")
    # The form's key is signed afresh on each render (HMAC with a timestamp), so match its prefix.
    page.locator('form[action^="/accounts/confirm-email/"] [type="submit"]').last.click()
    page.wait_for_load_state()

    page.goto(base + "/dashboard/")
    assert page.url.endswith("/dashboard/")
    assert "陈晓" in page.content()
    shoot(page, "e2e-05-dashboard-zh")

    page.goto(base + "/accounts/logout/")
    submit(page, "/accounts/logout/")
    page.goto(base + "/dashboard/")
    assert "/accounts/login/" in page.url

    page.fill('input[name="login"]', "chen.xiao@example.com")
    page.fill('input[name="password"]', "not-the-password")
    submit(page, "/accounts/login/")
    assert "/accounts/login/" in page.url
    assert "您提供的电子邮件地址和/或密码不正确。" in page.content()
    shoot(page, "e2e-06-wrong-password-zh")

    page.fill('input[name="login"]', "chen.xiao@example.com")
    page.fill('input[name="password"]', PASSWORD)
    submit(page, "/accounts/login/")
    page.wait_for_url("**/dashboard/")
    assert "陈晓" in page.content()

    # The same pages in English, through the language switch in the header.
    page.locator('form.lang-switch button[value="en"]').first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard/")
    assert "Getting started as a provider" in page.content()
    shoot(page, "e2e-07-dashboard-en")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "e2e-08-dashboard-en-mobile")
    context.close()


def test_signup_and_login_pages_in_english_on_mobile(
    live_server: Any, browser: Any, shoot: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/accounts/signup/")
    assert "Sign Up" in page.content()
    shoot(page, "e2e-09-signup-en-mobile")
    page.goto(live_server.url + "/accounts/login/")
    page.fill('input[name="login"]', "nobody@example.com")
    page.fill('input[name="password"]', "wrong-password-1")
    submit(page, "/accounts/login/")
    assert "The email address and/or password you specified are not correct." in page.content()
    shoot(page, "e2e-10-wrong-password-en-mobile")
    context.close()
