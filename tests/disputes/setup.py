"""Disputes built through the real services.

contract = funded_contract()              # 50,000 yuan in two milestones, escrow funded
d = open_dispute(contract)                # the provider disputes milestone 1 (20,000 yuan)
m = mediator()                            # a staff member in the "mediator" group
small_amounts(settings)                   # decisions execute at once (no appeal window)
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from contracts.models import Contract
from disputes.apps import MEDIATOR_GROUP
from disputes.models import Dispute
from disputes.services import dispute_open
from payments.services import escrow_fund
from tests.factories import UserFactory
from tests.frontend.contracts_setup import awarded_contract, milestone, poster_owner, provider_user

STATEMENT = "交付的方案已按合同完成，需求方拒绝验收且不说明理由，请求全额支付。"
RESPONSE = "交付内容缺少合同约定的验证报告，我方多次要求补充未果，请求退款。"
REASONS = "双方证据显示方案已交付，但验证报告缺失，按六四比例分配托管资金。"


def funded_contract() -> Contract:
    """Funded, and the provider's sandbox payout account active (released money is paid out)."""
    from tests.payments.helpers import payouts_active

    contract = awarded_contract()
    payouts_active(contract)
    escrow_fund(actor=poster_owner(contract), contract=contract)
    contract.refresh_from_db()
    return contract


def open_dispute(contract: Contract, position: int = 1, *, by: str = "provider") -> Dispute:
    actor = provider_user(contract) if by == "provider" else poster_owner(contract)
    return dispute_open(
        actor=actor,
        milestone=milestone(contract, position),
        reason=Dispute.Reason.NOT_REVIEWED if by == "provider" else Dispute.Reason.QUALITY,
        statement=STATEMENT,
    )


def mediator(**fields: Any) -> Any:
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=MEDIATOR_GROUP))
    return user


def small_amounts(settings: Any) -> None:
    """Every amount is under the appeal threshold: a decision executes at once."""
    settings.MARKETPLACE = {**settings.MARKETPLACE, "DISPUTE_APPEAL_THRESHOLD": 10**12}
