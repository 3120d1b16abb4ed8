"""The one door to the ledger: post a balanced entry once per reference, read balances.

On PostgreSQL the database itself refuses an unbalanced entry (a deferred constraint trigger)
and any UPDATE or DELETE of a posting (migration 0002); on SQLite this module's check is the
only guard, which is why every posting goes through ledger_post.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from marketplace.errors import ValidationFailed
from marketplace.money import Money
from payments.models import JournalEntry, LedgerAccount, Posting

Line = tuple[LedgerAccount, Money]
PLATFORM = "platform"


def ledger_account(*, kind: str, owner: str, currency: str) -> LedgerAccount:
    """The account of this kind, owner and currency, created on first use."""
    account, _created = LedgerAccount.objects.get_or_create(
        kind=kind, owner=owner, currency=currency
    )
    return account


def ledger_post(*, reference: str, reason: str, lines: Sequence[Line]) -> JournalEntry:
    """Write one entry whose lines sum to zero per currency. Idempotent per reference: a second
    call with a reference already posted returns the first entry and writes nothing."""
    if not reference:
        raise ValidationFailed(_("A ledger entry needs a reference."))
    existing = JournalEntry.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    if len(lines) < 2:
        raise ValidationFailed(_("A ledger entry needs at least two postings."))
    totals: dict[str, int] = defaultdict(int)
    for account, money in lines:
        if not isinstance(money, Money) or money.amount == 0:
            raise ValidationFailed(_("Every posting needs a non-zero amount."))
        if money.currency != account.currency:
            raise ValidationFailed(_("A posting's currency must be its account's currency."))
        totals[money.currency] += money.amount
    if any(totals.values()):
        raise ValidationFailed(_("A ledger entry must sum to zero in every currency."))
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(reference=reference, reason=reason)
            Posting.objects.bulk_create(
                Posting(entry=entry, account=account, amount=m.amount, currency=m.currency)
                for account, m in lines
            )
    except IntegrityError:
        # Someone posted the same reference a moment ago: theirs is the entry.
        return JournalEntry.objects.get(reference=reference)
    return entry


def account_balance(account: LedgerAccount) -> Money:
    total = Posting.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return Money(int(total or 0), account.currency)


def balance_of(*, kind: str, owner: str, currency: str) -> Money:
    total = Posting.objects.filter(
        account__kind=kind, account__owner=owner, account__currency=currency
    ).aggregate(total=Sum("amount"))["total"]
    return Money(int(total or 0), currency)


def unbalanced_entries() -> list[int]:
    """Ids of entries whose postings do not sum to zero in some currency (should be none)."""
    rows = (
        Posting.objects.values("entry_id", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .values_list("entry_id", flat=True)
    )
    return sorted(set(rows))
