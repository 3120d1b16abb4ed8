"""A whole contest in a real browser: the poster posts it (the mode step, the prize ladder,
the criteria, the phases) and funds the prize in the sandbox; three solvers register and
submit; two reviewers fill in their scorecards; the poster confirms the winners; a solver
objects and a mediator dismisses the objection in the back office; the prizes are paid at
the announcement. The winners' earnings and the IP record show it. The phase changes are the
beat job's services called with the time they run at.

Pages are shot at 1280 px and 390 px in both languages into
test-artifacts/screenshots/e2e-contest-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Membership
from contests.models import Contest, Objection
from contests.services import contest_close_submissions, contests_advance_due
from contracts.models import Milestone
from payments.selectors import task_pool_state
from payments.services.connect import payout_account_sandbox_activate
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    make_org_member,
)
from tests.disputes.setup import mediator
from tests.e2e.test_fund_deliver_release import DESKTOP, MOBILE, no_sideways_scroll, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def snap(shoot: Any, page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, f"e2e-contest-{name}")


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_a_whole_contest_posted_funded_scored_objected_and_paid(
    celery_eager: None, live_server: Any, browser: Any, shoot: Any, tmp_path: Path, settings: Any
) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"  # the test servers' environment sets a Stripe key
    base = live_server.url
    SkillFactory(slug="machine-vision", name="机器视觉")
    owner = UserFactory(name="Chen Wei", language="en")
    organization = OrganizationFactory(owner=owner, name="渝新汽车研究院")
    reviewer_member = UserFactory(name="赵敏", language="zh-hans")
    make_org_member(reviewer_member, organization, Membership.Role.MEMBER)
    expert = UserFactory(name="Sun Li", language="en")
    solvers = []
    for name in ("王芳", "李明", "何军"):
        profile = ProviderProfileFactory(user=UserFactory(name=name, language="zh-hans"))
        payout_account_sandbox_activate(actor=profile.user, provider=profile, holder_name=name)
        solvers.append(profile.user)
    report = tmp_path / "方案.pdf"
    report.write_bytes(b"%PDF-1.7\n% solution\n")

    # The poster posts the contest in English: the mode step, then the contest's steps.
    poster = sign_in(browser, base, owner, DESKTOP)
    poster.goto(f"{base}/tasks/new/")
    poster.locator('[data-mode="contest"]').click()
    poster.wait_for_url("**/contests/new/")
    now = timezone.now()
    form = poster.locator("form.contest-form")
    form.locator('input[name="kind"][value="rd_solution"]').check()
    form.locator('input[name="title"]').fill("Contest: stamped-part defect detection")
    form.locator('textarea[name="summary"]').fill("Detect scratches and dents within 6 s.")
    form.locator('textarea[name="description"]').fill(
        "## Problem\nDetect scratches, dents and oil stains on stamped parts within 6 seconds."
    )
    form.locator("details.skill-group").first.locator("summary").click()
    form.locator("select[name^='skill_']").first.select_option("5")
    form.locator('input[name="prize_total"]').fill("100000")
    form.locator('input[name="prizes"]').fill("60000, 30000")  # does not add up
    form.locator('textarea[name="criteria"]').fill("Accuracy: 60\nDeployability: 40")
    for name, when in (
        ("registration_opens", now),
        ("submission_closes", now + dt.timedelta(hours=3)),
        ("review_closes", now + dt.timedelta(days=2)),
        ("objection_closes", now + dt.timedelta(days=4)),
        ("announce_at", now + dt.timedelta(days=4, hours=1)),
    ):
        form.locator(f'input[name="{name}"]').fill(_local(when))
    form.locator('[type="submit"]').click()
    poster.wait_for_load_state()
    assert "not the" in poster.content()  # the ladder does not add up: nothing written
    assert not Contest.objects.exists()
    poster.locator('input[name="prizes"]').fill("60000, 30000, 10000")
    poster.locator("form.contest-form [type='submit']").click()
    poster.wait_for_url("**/contest/")
    contest = Contest.objects.get()
    snap(shoot, poster, "01-poster-draft-en")
    poster.locator('form[action$="/do/submit/"] button').click()
    poster.wait_for_load_state()
    poster.locator("[data-fund]").click()
    poster.wait_for_load_state()
    contest.refresh_from_db()
    assert contest.status == Contest.Status.OPEN
    assert task_pool_state(task_id=contest.task_id).held.amount == 100_000_00
    # Reviewers: a member and an invited expert, who accepts.
    for email in (reviewer_member.email, expert.email):
        poster.locator('input[name="email"]').fill(email)
        poster.locator('form[action$="/do/reviewer/"] button').click()
        poster.wait_for_load_state()
    expert_page = sign_in(browser, base, expert, DESKTOP)
    expert_page.goto(f"{base}/tasks/{contest.task_id}/contest/")
    expert_page.locator("[data-accept-review]").click()
    expert_page.wait_for_load_state()

    # Three solvers register and submit, in Chinese; one on a phone.
    for index, user in enumerate(solvers, start=1):
        page = sign_in(browser, base, user, MOBILE if index == 1 else DESKTOP)
        page.goto(f"{base}/tasks/{contest.task_id}/contest/")
        if index == 1:
            no_sideways_scroll(page)
            snap(shoot, page, "02-solver-contest-zh-390")
        page.locator("[data-register]").click()
        page.wait_for_load_state()
        page.goto(f"{base}/tasks/{contest.task_id}/contest/submit/")
        sub_form = page.locator("#submission-form")
        sub_form.locator('input[name="title"]').fill(f"方案 {index}")
        sub_form.locator('textarea[name="note"]').fill("检测算法、验证数据与部署说明。")
        sub_form.locator('input[name="attachments"]').set_input_files(str(report))
        sub_form.locator('[type="submit"]').click()
        page.wait_for_load_state()
        assert page.locator("[data-my-submission]").count() == 1
        if index == 1:
            no_sideways_scroll(page)
            snap(shoot, page, "03-solver-submitted-zh-390")
    page.goto(f"{base}/tasks/{contest.task_id}/contest/")
    assert "3" in page.locator(".page-header .muted").inner_text()

    # Submissions close (the beat job); both reviewers score every submission.
    contest_close_submissions(contest_id=contest.pk, now=contest.submission_closes)
    marks = {"方案 1": (90, 85), "方案 2": (80, 70), "方案 3": (60, 50)}
    for user, viewport in ((reviewer_member, MOBILE), (expert, DESKTOP)):
        page = sign_in(browser, base, user, viewport)
        page.goto(f"{base}/tasks/{contest.task_id}/contest/review/")
        if viewport is MOBILE:
            no_sideways_scroll(page)
            snap(shoot, page, "04-reviewer-scorecard-zh-390")
        for _round in range(3):
            card = page.locator("[data-submission]", has=page.locator("[data-scorecard-form]"))
            section = card.first
            title = section.locator("h2").inner_text().strip()
            inputs = section.locator("input[type='number']")
            for position, value in enumerate(marks[title]):
                inputs.nth(position).fill(str(value))
            section.locator("[data-scorecard-form] [type='submit']").click()
            page.wait_for_load_state()
        if viewport is DESKTOP:
            snap(shoot, page, "05-reviewer-scorecards-en")

    # The poster confirms the computed winners; they are public for objections.
    poster.goto(f"{base}/tasks/{contest.task_id}/contest/review/")
    assert poster.locator("[data-ranking]").count() == 1
    snap(shoot, poster, "06-poster-ranking-en")
    poster.locator("#winners-form [type='submit']").click()
    poster.wait_for_url("**/contest/winners/")
    snap(shoot, poster, "07-publicity-en")
    contest.refresh_from_db()
    assert contest.status == Contest.Status.PUBLICITY

    # The third solver objects; a mediator dismisses it in the back office.
    objector = sign_in(browser, base, solvers[2], MOBILE)
    objector.goto(f"{base}/tasks/{contest.task_id}/contest/winners/")
    no_sideways_scroll(objector)
    objector.locator('#objection-form textarea[name="reason"]').fill(
        "第一名方案的部署评分偏高，请复核。"
    )
    objector.locator("#objection-form [type='submit']").click()
    objector.wait_for_load_state()
    snap(shoot, objector, "08-objection-zh-390")
    objection = Objection.objects.get()
    assert task_pool_state(task_id=contest.task_id).frozen
    decider = sign_in(browser, base, mediator(language="en", name="Wu Min"), DESKTOP)
    decider.goto(f"{base}/admin/contests/objection/{objection.pk}/change/")
    snap(shoot, decider, "09-mediator-objection-en")
    decider.goto(f"{base}/admin/contests/objection/{objection.pk}/dismiss/")
    decider.locator('textarea[name="reason"]').fill("The scores follow the published criteria.")
    decider.locator('form [type="submit"]').last.click()
    decider.wait_for_load_state()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    assert not task_pool_state(task_id=contest.task_id).frozen

    # The announcement: the beat job pays the winners; the IP is recorded at that moment.
    assert contests_advance_due(now=contest.announce_at) == 1
    contest.refresh_from_db()
    assert contest.status == Contest.Status.PAID
    winners = list(contest.winners.order_by("rank"))
    assert [w.submission.title for w in winners] == ["方案 1", "方案 2", "方案 3"]
    for winner in winners:
        assert winner.contract.milestones.get().status == Milestone.Status.RELEASED
    public = sign_in(browser, base, solvers[0], DESKTOP)
    public.goto(f"{base}/tasks/{contest.task_id}/contest/winners/")
    assert public.locator("[data-ip-record]").count() == 3
    snap(shoot, public, "10-winners-paid-zh")
    public.goto(f"{base}/me/earnings/")
    paid = public.locator("#earnings-paid-out").inner_text()
    assert re.sub(r"\s", "", paid) == "¥57,000.00"  # 60,000 less the 5 % platform fee
    snap(shoot, public, "11-winner-earnings-zh")
    poster.goto(f"{base}/contracts/{winners[0].contract_id}/")
    assert poster.locator("[data-ip-record]").count() == 1
    snap(shoot, poster, "12-prize-contract-ip-en")
