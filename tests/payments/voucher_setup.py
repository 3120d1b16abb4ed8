"""Voucher programmes and vouchers for the tests, built through the real services.

finance = finance_user()                             # staff in the "finance" group
programme = make_programme()                         # a district's programme, 50% share
voucher = issue(programme, contract.organization)    # one voucher for the poster
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Organization
from marketplace.money import Money
from payments.models import Voucher, VoucherProgramme
from payments.services.vouchers import voucher_issue, voucher_programme_create
from tasks.models import Task
from tests.accounts.factories import OrganizationFactory, UserFactory


def finance_user() -> Any:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="finance"))
    return user


def government(owner: Any = None) -> Organization:
    return OrganizationFactory(
        kind=Organization.Kind.GOVERNMENT, **({"owner": owner} if owner else {})
    )


def make_programme(
    *,
    budget: int = 200_000_00,
    face_value: int = 30_000_00,
    share_bps: int = 5_000,
    kinds: list[str] | None = None,
    starts: int = -30,
    ends: int = 180,
    issuer: Organization | None = None,
    actor: Any = None,
) -> VoucherProgramme:
    today = timezone.localdate()
    return voucher_programme_create(
        actor=actor or finance_user(),
        issuer=issuer or government(),
        name="渝北区科技创新券 2026",
        budget=Money(budget),
        face_value=Money(face_value),
        valid_from=today + dt.timedelta(days=starts),
        valid_until=today + dt.timedelta(days=ends),
        eligible_kinds=kinds or [Task.Kind.RD_SOLUTION, Task.Kind.ENGINEERING],
        max_share_bps=share_bps,
    )


def issue(programme: VoucherProgramme, organization: Organization, count: int = 1) -> Voucher:
    vouchers = voucher_issue(
        actor=finance_user(), programme=programme, organization=organization, count=count
    )
    return vouchers[0]
