"""Piece-work for the tests, built through the real services: a poster, a draft, an open
(funded on the sandbox) task, providers who claim and deliver units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import TestCase
from django.utils import timezone

from accounts.models import Membership
from payments.models import ConnectedAccount
from payments.selectors import task_pool_state
from piecework.models import Terms, UnitDelivery
from piecework.services import (
    piecework_claim,
    piecework_create,
    piecework_deliver,
    piecework_fund_start,
    piecework_submit,
)
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
)
from tests.frontend.contracts_setup import pdf

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def terms(**over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "engineering",
        "title": "计件：工业缺陷图像标注",
        "summary": "标注轴承表面缺陷图像，每套 50 张，按套计件付款。",
        "description": "## 要求\n按标注规范框出划痕与凹坑。\n\n## 验收\n抽检准确率 ≥ 98%。",
        "skills": {SkillFactory(slug="machine-vision").pk: 5},
        "unit_name": "一套标注图像（50 张）",
        "unit_description": "50 张轴承图像的缺陷框标注，COCO 格式。",
        "unit_price": 200_00,
        "units_total": 10,
        "per_provider_cap": 4,
        "review_days": 3,
        "closes_at": timezone.now() + 7 * DAY,
    }
    fields.update(over)
    return fields


def poster() -> tuple[Any, Any]:
    owner = UserFactory()
    return OrganizationFactory(owner=owner), owner


def draft_piecework(**over: Any) -> Terms:
    organization, owner = poster()
    return piecework_create(actor=owner, organization=organization, **terms(**over))


def owner_of(terms: Terms) -> Any:
    return (
        Membership.objects.filter(
            organization_id=terms.task.organization_id, role=Membership.Role.OWNER
        )
        .select_related("user")
        .first()
        .user
    )


def open_piecework(**over: Any) -> Terms:
    """Submitted, funded on the sandbox; the pool_funded signal (after commit) opens it."""
    terms = draft_piecework(**over)
    owner = owner_of(terms)
    piecework_submit(actor=owner, terms=terms)
    with TestCase.captureOnCommitCallbacks(execute=True):
        piecework_fund_start(actor=owner, terms=terms)
    terms.refresh_from_db()
    terms.task.refresh_from_db()
    return terms


def worker() -> Any:
    """A provider with an active payout account (sandbox), and the user who acts for it."""
    profile = ProviderProfileFactory()
    ConnectedAccount.objects.create(
        provider=profile,
        external_id=f"acct_{profile.pk}",
        payouts_enabled=True,
        transfers_active=True,
        details_submitted=True,
    )
    return profile.user


def claim_and_deliver(terms: Terms, user: Any, units: int = 1) -> list[UnitDelivery]:
    piecework_claim(actor=user, terms=terms, units=units)
    return [
        piecework_deliver(actor=user, terms=terms, note="标注完成，见附件。", files=[pdf()])
        for _n in range(units)
    ]


def assert_money_invariant(terms: Terms) -> None:
    """The pool (the task's escrow) holds what was funded less what was paid and returned."""
    state = task_pool_state(task_id=terms.task_id)
    assert state.held.amount >= 0
    assert state.held.amount == (
        state.funded.amount - state.allocated.amount - state.returned.amount - state.fee.amount
    )
