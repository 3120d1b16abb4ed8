"""In a real browser: a provider adds a case (案例) to their portfolio with an image, and sees it
with its thumbnail on their public page; a poster opens that profile, stars the provider and
invites them to an open task; the provider finds the invitation in their notifications.

Screenshots go to test-artifacts/screenshots/e2e-profile-*.png, at desktop width in Chinese and
on a phone in English.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from accounts.models import Notification, PortfolioEntry, ProviderFavourite
from tasks.models import TaskInvitation
from tests.accounts.factories import DEFAULT_PASSWORD, ProviderProfileFactory, UserFactory
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def sign_in(browser: Any, base: str, email: str, viewport: dict[str, int], locale: str) -> Any:
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form[action="/accounts/login/"] [type="submit"]').last.click()
    page.wait_for_url("**/dashboard/")
    return page


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_add_a_case_then_a_poster_invites_from_the_profile(
    celery_eager: None, live_server: Any, browser: Any, shoot: Any, tmp_path: Path
) -> None:
    base = live_server.url
    provider_user = UserFactory(name="李明", email="li.ming@example.com", language="zh-hans")
    profile = ProviderProfileFactory(
        user=provider_user, headline="工业视觉检测与机器人集成", skills={"machine-vision": 4}
    )
    task = TaskFactory(title="冲压件表面缺陷机器视觉检测方案")
    poster_user = task_owner(task)
    poster_user.language = "en"
    poster_user.save(update_fields=["language"])
    photo = tmp_path / "焊缝检测现场.jpg"
    image = Image.new("RGB", (1200, 800), (60, 70, 90))
    for x in range(0, 1200, 8):
        image.putpixel((x, 400), (230, 200, 120))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"MZ\x90\x00not an image at all")

    # --- the provider adds a case from their profile -------------------------------------
    provider = sign_in(browser, base, provider_user.email, DESKTOP, "zh-CN")
    provider.goto(f"{base}/providers/{profile.pk}/")
    provider.locator(f'a[href="/providers/{profile.pk}/portfolio/"]').first.click()
    provider.wait_for_url(f"**/providers/{profile.pk}/portfolio/")
    provider.fill('input[name="title"]', "车身焊缝在线视觉检测系统")
    provider.fill('textarea[name="description"]', "6 台工业相机，节拍 4 秒，返修工时下降 40%。")
    provider.fill('input[name="year"]', "2024")
    provider.fill('input[name="client"]', "某合资汽车厂")
    provider.locator('input[name="skills"]').first.check()
    provider.locator('form[action$="/portfolio/"] button[type="submit"]').click()
    provider.wait_for_url("**/portfolio/*/")
    entry = PortfolioEntry.objects.get(profile=profile)

    # A file that only pretends to be an image is refused beside the field.
    provider.set_input_files('input[name="file"]', str(fake))
    provider.locator('form.upload-form button[type="submit"]').click()
    assert provider.locator(".field.has-error").is_visible()
    assert not entry.files.exists()

    provider.set_input_files('input[name="file"]', str(photo))
    provider.locator('form.upload-form button[type="submit"]').click()
    provider.wait_for_url("**/portfolio/*/#files")
    assert provider.locator("#files img.mini").count() == 1
    shoot(provider, "e2e-profile-01-case-files-zh")

    provider.goto(f"{base}/providers/{profile.pk}/#portfolio")
    thumb = provider.locator("#portfolio .thumbs img").first
    thumb.scroll_into_view_if_needed()
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    assert provider.get_by_text("车身焊缝在线视觉检测系统").is_visible()
    shoot(provider, "e2e-profile-02-public-case-zh")

    # --- a poster, on a phone in English, stars the provider and invites them -------------
    poster = sign_in(browser, base, poster_user.email, MOBILE, "en-US")
    poster.goto(f"{base}/providers/{profile.pk}/")
    no_sideways_scroll(poster)
    poster.locator('form[action$="/favourite/"] button').click()
    poster.wait_for_url(f"**/providers/{profile.pk}/")
    assert poster.locator('form[action$="/favourite/"] button[aria-pressed="true"]').is_visible()
    assert ProviderFavourite.objects.filter(user=poster_user, profile=profile).exists()

    invite = poster.locator("#invite")
    invite.scroll_into_view_if_needed()
    assert invite.locator("select[name=task] option").count() == 1
    invite.locator("select[name=task]").select_option(str(task.pk))
    invite.locator("button[type=submit]").click()
    poster.wait_for_url("**/#invite")
    assert poster.locator(".alert-success, [role=status]").first.is_visible()
    assert TaskInvitation.objects.filter(task=task, provider=profile).exists()
    shoot(poster, "e2e-profile-03-invited-en-390")

    # Inviting again gives a clear error, not a second invitation.
    poster.locator("#invite button[type=submit]").click()
    poster.wait_for_url("**/#invite")
    assert poster.get_by_text("already invited").first.is_visible()
    assert TaskInvitation.objects.count() == 1

    # The favourites page lists the provider.
    poster.goto(f"{base}/me/favourites/")
    assert poster.get_by_text("工业视觉检测与机器人集成").is_visible()
    no_sideways_scroll(poster)

    # --- the provider is notified -------------------------------------------------------
    assert Notification.objects.filter(recipient=provider_user, kind="task_invitation").exists()
    provider.goto(f"{base}/notifications/")
    assert provider.get_by_text(task.title).first.is_visible()
    shoot(provider, "e2e-profile-04-notified-zh")
