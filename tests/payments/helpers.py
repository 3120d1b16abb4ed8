"""Reading the ledger in tests: balances of a contract's accounts and the global invariants."""

from __future__ import annotations

from django.db.models import Sum

from contracts.models import Contract
from marketplace.money import Money
from payments.ledger import balance_of, unbalanced_entries
from payments.models import LedgerAccount, Posting

K = LedgerAccount.Kind


def escrow(contract: Contract) -> Money:
    return balance_of(
        kind=K.CONTRACT_ESCROW, owner=f"contract:{contract.pk}", currency=contract.currency
    )


def provider(contract: Contract, kind: str = K.PROVIDER_PAID_OUT) -> Money:
    return balance_of(kind=kind, owner=f"provider:{contract.provider_id}", currency="CNY")


def fee_revenue() -> Money:
    return balance_of(kind=K.PLATFORM_FEE_REVENUE, owner="platform", currency="CNY")


def assert_ledger_sound() -> None:
    assert unbalanced_entries() == []
    negative = (
        Posting.objects.filter(account__kind=K.CONTRACT_ESCROW)
        .values("account")
        .annotate(total=Sum("amount"))
        .filter(total__lt=0)
    )
    assert not negative.exists()


def payouts_active(contract: Contract) -> None:
    """The provider activates their sandbox payout account (the sandbox payouts form)."""
    from payments.services.connect import payout_account_sandbox_activate
    from tests.frontend.contracts_setup import provider_user

    payout_account_sandbox_activate(
        actor=provider_user(contract), provider=contract.provider, holder_name="王芳"
    )
