"""A piece-work task in a real browser: the poster posts it (the mode step, the unit, its
price, the units and the cap) and funds units × price in the sandbox; a provider claims two
units on a phone and delivers them; the poster accepts one and rejects the other with a
reason; the provider's earnings and unit deliveries show it.

Pages are shot at 1280 px and 390 px in both languages into
test-artifacts/screenshots/e2e-piecework-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Membership
from contracts.models import Milestone
from payments.selectors import task_pool_state
from payments.services.connect import payout_account_sandbox_activate
from piecework.models import Claim, Terms, UnitDelivery
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    make_org_member,
)
from tests.e2e.test_fund_deliver_release import DESKTOP, MOBILE, no_sideways_scroll, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def snap(shoot: Any, page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, f"e2e-piecework-{name}")


def test_piecework_posted_funded_claimed_delivered_accepted_and_rejected(
    celery_eager: None, live_server: Any, browser: Any, shoot: Any, tmp_path: Path, settings: Any
) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"  # the test servers' environment sets a Stripe key
    base = live_server.url
    SkillFactory(slug="machine-vision", name="机器视觉")
    owner = UserFactory(name="Chen Wei", language="en")
    organization = OrganizationFactory(owner=owner, name="渝新汽车研究院")
    admin = UserFactory(name="赵敏", language="zh-hans")
    make_org_member(admin, organization, Membership.Role.ADMIN)
    workers = []
    for name, language in (("王芳", "zh-hans"), ("Emma Clarke", "en")):
        profile = ProviderProfileFactory(user=UserFactory(name=name, language=language))
        payout_account_sandbox_activate(actor=profile.user, provider=profile, holder_name=name)
        workers.append(profile.user)
    labels = tmp_path / "labels.pdf"
    labels.write_bytes(b"%PDF-1.7\n% labels\n")

    # The poster posts the piece-work in English: the mode step, then its steps.
    poster = sign_in(browser, base, owner, DESKTOP)
    poster.goto(f"{base}/tasks/new/")
    poster.locator('[data-mode="piecework"]').click()
    poster.wait_for_url("**/piecework/new/")
    form = poster.locator("form.piecework-form")
    form.locator('input[name="kind"][value="engineering"]').check()
    form.locator('input[name="title"]').fill("Piece-work: bearing defect image labelling")
    form.locator('textarea[name="summary"]').fill("Label bearing surface defects, 50 images a set.")
    form.locator('textarea[name="description"]').fill(
        "## Work\nDraw boxes around scratches, dents and rust on bearing images, COCO format."
    )
    form.locator("details.skill-group").first.locator("summary").click()
    form.locator("select[name^='skill_']").first.select_option("5")
    form.locator('input[name="unit_name"]').fill("One labelled image set (50 images)")
    form.locator('textarea[name="unit_description"]').fill("50 images with defect boxes, COCO.")
    form.locator('input[name="unit_price"]').fill("300")
    form.locator('input[name="units_total"]').fill("6")
    form.locator('input[name="per_provider_cap"]').fill("8")  # above the total: refused
    closes = timezone.localtime(timezone.now() + dt.timedelta(days=5))
    form.locator('input[name="closes_at"]').fill(closes.strftime("%Y-%m-%dT%H:%M"))
    form.locator('[type="submit"]').click()
    poster.wait_for_load_state()
    assert "cap per provider" in poster.content()
    assert not Terms.objects.exists()
    poster.locator('input[name="per_provider_cap"]').fill("3")
    poster.locator("form.piecework-form [type='submit']").click()
    poster.wait_for_url("**/piecework/")
    terms = Terms.objects.get()
    poster.locator("[data-submit-piecework]").click()
    poster.wait_for_load_state()
    poster.locator("[data-fund]").click()
    poster.wait_for_load_state()
    terms.refresh_from_db()
    assert terms.status == Terms.Status.OPEN
    assert task_pool_state(task_id=terms.task_id).held.amount == 6 * 300_00
    snap(shoot, poster, "01-poster-open-en-1280")

    # A provider claims on a phone, in Chinese: more than the cap first (refused), then two.
    phone = sign_in(browser, base, workers[0], MOBILE)
    phone.goto(f"{base}/tasks/{terms.task_id}/piecework/")
    no_sideways_scroll(phone)
    assert "6 / 6" in phone.locator("[data-units-left]").inner_text()
    snap(shoot, phone, "02-provider-task-zh-390")
    phone.locator('#claim-form input[name="units"]').fill("4")
    phone.locator("[data-claim]").click()
    phone.wait_for_load_state()
    assert not Claim.objects.exists()
    assert "最多 3" in phone.locator("#claim-form").inner_text()
    phone.locator('#claim-form input[name="units"]').fill("2")
    phone.locator("[data-claim]").click()
    phone.wait_for_load_state()
    assert "4 / 6" in phone.locator("[data-units-left]").inner_text()
    for number in (1, 2):
        delivery_form = phone.locator("#delivery-form")
        delivery_form.locator('textarea[name="note"]').fill(f"第 {number} 套标注完成。")
        delivery_form.locator('input[name="attachments"]').set_input_files(str(labels))
        delivery_form.locator("[data-deliver]").click()
        phone.wait_for_load_state()
    assert UnitDelivery.objects.filter(status="pending").count() == 2
    no_sideways_scroll(phone)
    snap(shoot, phone, "03-provider-delivered-zh-390")

    # A second provider, in English, claims one unit.
    other = sign_in(browser, base, workers[1], DESKTOP)
    other.goto(f"{base}/tasks/{terms.task_id}/piecework/")
    other.locator('#claim-form input[name="units"]').fill("1")
    other.locator("[data-claim]").click()
    other.wait_for_load_state()
    snap(shoot, other, "04-provider-claimed-en-1280")

    # The poster accepts the first unit and rejects the second with a reason.
    poster.goto(f"{base}/tasks/{terms.task_id}/piecework/review/")
    first, second = UnitDelivery.objects.order_by("received_at", "id")
    snap(shoot, poster, "05-review-queue-en-1280")
    poster.locator(f'[data-delivery="{first.pk}"] [data-accept]').click()
    poster.wait_for_load_state()
    card = poster.locator(f'[data-delivery="{second.pk}"]')
    card.locator("[data-reject]").click()  # no reason: refused
    poster.wait_for_load_state()
    second.refresh_from_db()
    assert second.status == UnitDelivery.Status.PENDING
    poster.locator(f'[data-delivery="{second.pk}"] textarea').fill("Set 2 misses the dents.")
    poster.locator(f'[data-delivery="{second.pk}"] [data-reject]').click()
    poster.wait_for_load_state()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == UnitDelivery.Status.ACCEPTED
    assert first.contract.milestones.get().status == Milestone.Status.RELEASED
    assert second.status == UnitDelivery.Status.REJECTED
    state = task_pool_state(task_id=terms.task_id)
    assert state.allocated.amount == 300_00
    assert state.held.amount == 5 * 300_00
    snap(shoot, poster, "06-review-decided-en-1280")
    admin_phone = sign_in(browser, base, admin, MOBILE)
    admin_phone.goto(f"{base}/tasks/{terms.task_id}/piecework/review/")
    no_sideways_scroll(admin_phone)
    snap(shoot, admin_phone, "07-review-queue-zh-390")

    # The provider's deliveries and earnings show the paid unit and the rejection's reason.
    phone.goto(f"{base}/piecework/deliveries/")
    no_sideways_scroll(phone)
    assert "Set 2 misses the dents." in phone.content()
    assert re.sub(r"\s", "", phone.locator("[data-earned]").inner_text()) == "¥300.00"
    snap(shoot, phone, "08-provider-units-zh-390")
    phone.goto(f"{base}/me/earnings/")
    paid = phone.locator("#earnings-paid-out").inner_text()
    assert re.sub(r"\s", "", paid) == "¥285.00"  # 300 less the 5 % platform fee
    no_sideways_scroll(phone)
    snap(shoot, phone, "09-provider-earnings-zh-390")
    desk = sign_in(browser, base, workers[0], DESKTOP)
    desk.goto(f"{base}/piecework/deliveries/")
    snap(shoot, desk, "10-provider-units-zh-1280")
    other.goto(f"{base}/piecework/deliveries/")
    snap(shoot, other, "11-provider-units-en-1280")
    poster_phone = sign_in(browser, base, owner, MOBILE)
    poster_phone.goto(f"{base}/tasks/{terms.task_id}/piecework/")
    no_sideways_scroll(poster_phone)
    snap(shoot, poster_phone, "12-poster-task-en-390")
