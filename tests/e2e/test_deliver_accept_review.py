"""A funded contract, end to end in a real browser: the provider delivers, the poster asks for
changes, the provider delivers again, the poster accepts both milestones, both sides review,
and the provider's public page shows the review and the credit grade.

The provider works in Chinese (the default); the poster has chosen English. Screenshots go to
test-artifacts/screenshots/e2e-contract-*.png (desktop, one mobile, both languages).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from contracts.models import Contract, Delivery, Milestone, Review
from contracts.services import contract_award, contract_funding_received
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
    """A full-page screenshot from the top (after a redirect to #milestone-1 the page is
    scrolled, and the sticky header would be drawn halfway down the image)."""
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, name)


def submit(page: Any, form: Any) -> None:
    form.locator('[type="submit"]').click()
    page.wait_for_load_state()


def deliver(page: Any, position: int, note: str, files: list[Path]) -> None:
    form = page.locator(f'#milestone-{position} form[action$="/deliver/"]')
    form.locator('textarea[name="note"]').fill(note)
    form.locator('input[name="attachments"]').set_input_files([str(f) for f in files])
    submit(page, form)


def review(page: Any, stars: dict[str, int], comment: str) -> None:
    form = page.locator('form[action$="/review/"]')
    for name, value in stars.items():
        # Click the star (the label): the radio itself is visually hidden.
        form.locator(f'input[name="{name}"][value="{value}"] + label').click()
    form.locator('textarea[name="comment"]').fill(comment)
    submit(page, form)


@pytest.fixture
def contract(db: None) -> Contract:
    """A public task of 重庆山城智能家电 awarded to a verified industrial designer, funded."""
    designer = UserFactory(name="王芳", email="wang.fang@example.com", real_name_verified=True)
    profile = ProviderProfileFactory(
        user=designer, headline="工业设计师 · 小家电外观与结构", years_experience=8
    )
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
    contract = contract_award(actor=task_owner(task), bid=bid)
    return contract_funding_received(contract=contract, reference="e2e")


def test_deliver_ask_for_changes_accept_and_review(
    contract: Contract,
    celery_eager: None,
    live_server: Any,
    browser: Any,
    shoot: Any,
    tmp_path: Path,
) -> None:
    # The contract is arranged before the browser starts: Playwright's event loop would refuse
    # the notifications' async_to_sync in this thread.
    base = live_server.url
    concept = tmp_path / "概念设计方案.pdf"
    concept.write_bytes(b"%PDF-1.7\n% concept sketches v1\n")
    revised = tmp_path / "概念设计方案-v2.pdf"
    revised.write_bytes(b"%PDF-1.7\n% concept sketches v2, with the filter door\n")
    structure = tmp_path / "结构设计.zip"
    with zipfile.ZipFile(structure, "w") as archive:
        archive.writestr("README.txt", "结构设计：爆炸图、BOM 与手板照片。")
    provider_user = contract.provider.user
    poster_user = task_owner(contract.task)

    # The provider (in Chinese) finds the contract from the dashboard and delivers milestone 1.
    provider = sign_in(browser, base, provider_user, DESKTOP)
    provider.click('section[aria-labelledby="dash-contracts"] a[href="/contracts/"]')
    provider.wait_for_url("**/contracts/")
    assert "智能空气净化器外观与结构设计" in provider.content()
    snap(shoot, provider, "e2e-contract-01-provider-list-zh")
    provider.click(f'a[href="/contracts/{contract.pk}/"]')
    provider.wait_for_load_state()
    assert "里程碑" in provider.content() or "Milestones" in provider.content()
    snap(shoot, provider, "e2e-contract-02-provider-funded-zh")

    deliver(provider, 1, "概念设计三套方向，含草图与渲染，请验收。", [concept])
    assert Delivery.objects.filter(milestone__position=1).count() == 1
    snap(shoot, provider, "e2e-contract-03-provider-delivered-zh")

    # The poster (in English) asks for changes.
    poster = sign_in(browser, base, poster_user, DESKTOP)
    poster.goto(f"{base}/contracts/{contract.pk}/")
    assert "Review by" in poster.content()
    snap(shoot, poster, "e2e-contract-04-poster-in-review-en")
    first = poster.locator("#milestone-1")
    first.locator("details.decide-option summary").nth(1).click()
    changes = first.locator('form[action$="/changes/"]')
    changes.locator('textarea[name="feedback"]').fill(
        "Direction B is promising; please add the filter-door detail and a matte white variant."
    )
    snap(shoot, poster, "e2e-contract-05-poster-asks-for-changes-en")
    submit(poster, changes)
    assert Milestone.objects.get(contract=contract, position=1).status == "changes_requested"

    # The provider sees the feedback and delivers again.
    provider.reload()
    assert "filter-door detail" in provider.content()
    snap(shoot, provider, "e2e-contract-06-provider-changes-requested-zh")
    deliver(provider, 1, "已按意见补充滤网门细节，并增加哑光白配色。", [revised])
    assert Delivery.objects.filter(milestone__position=1).count() == 2

    # The poster accepts round 2 after confirming.
    poster.reload()
    first = poster.locator("#milestone-1")
    first.locator("details.decide-option summary").nth(0).click()
    snap(shoot, poster, "e2e-contract-07-poster-confirms-acceptance-en")
    submit(poster, first.locator('form[action$="/accept/"]'))
    assert Milestone.objects.get(contract=contract, position=1).status == "accepted"

    # Milestone 2: delivered and accepted; the contract completes.
    provider.reload()
    deliver(provider, 2, "结构设计、爆炸图与手板照片已打包上传。", [structure])
    poster.reload()
    second = poster.locator("#milestone-2")
    second.locator("details.decide-option summary").nth(0).click()
    submit(poster, second.locator('form[action$="/accept/"]'))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert poster.url.endswith(f"/contracts/{contract.pk}/#reviews")

    # Both sides review each other.
    snap(shoot, poster, "e2e-contract-08-poster-review-form-en")
    review(
        poster,
        {"rating": 5, "quality": 5, "communication": 4, "timeliness": 5},
        "Clear concepts, quick revisions, prototype arrived on time.",
    )
    assert Review.objects.filter(contract=contract, side="poster").exists()
    provider.reload()
    review(
        provider,
        {"rating": 5, "quality": 4, "communication": 5, "timeliness": 5},
        "需求清晰，验收及时，合作愉快。",
    )
    assert Review.objects.filter(contract=contract).count() == 2
    snap(shoot, provider, "e2e-contract-09-provider-completed-zh")
    poster.reload()
    snap(shoot, poster, "e2e-contract-10-poster-completed-en")

    # Anyone can read the review and see the grade on the provider's public page.
    visitor = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    visitor.goto(f"{base}/providers/{contract.provider.pk}/")
    html = visitor.content()
    assert "Clear concepts, quick revisions, prototype arrived on time." in html
    assert visitor.locator("[data-credit-grade]").count() >= 1
    assert visitor.locator("[data-factor]").count() == 0
    snap(shoot, visitor, "e2e-contract-11-provider-public-zh")

    # The same pages on a phone, and the provider's credit with its factors on the dashboard.
    provider.set_viewport_size(MOBILE)
    provider.goto(f"{base}/contracts/{contract.pk}/")
    snap(shoot, provider, "e2e-contract-12-provider-contract-mobile-zh")
    provider.set_viewport_size(DESKTOP)
    provider.goto(f"{base}/dashboard/")
    assert provider.locator("[data-factor]").count() >= 6
    snap(shoot, provider, "e2e-contract-13-provider-dashboard-credit-zh")
    poster.goto(f"{base}/orgs/{contract.organization.slug}/")
    assert "需求清晰，验收及时，合作愉快。" in poster.content()
    snap(shoot, poster, "e2e-contract-14-poster-org-page-en")

    for page in (provider, poster, visitor):
        page.context.close()
