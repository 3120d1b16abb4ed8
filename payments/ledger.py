"""The one door to the ledger: post a balanced entry once per reference, read balances.

On PostgreSQL the database itself refuses an unbalanced entry (a deferred constraint trigger)
and any UPDATE or DELETE of a posting (migration 0002); on SQLite this module's check is the
only guard, which is why every posting goes through ledger_post.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Sum
from django.utils import timezone
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
    call with a reference already posted returns the first entry and writes nothing.

    On PostgreSQL the entry and its postings are one statement, one round trip (see
    _post_postgresql); elsewhere the ORM writes them in a transaction of their own."""
    if not reference:
        raise ValidationFailed(_("A ledger entry needs a reference."))
    try:
        _validate(lines)
    except ValidationFailed:
        # A repeat of an entry already posted returns it, as before the lines were checked.
        existing = JournalEntry.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
        raise
    connection = connections[router.db_for_write(JournalEntry)]
    if connection.vendor == "postgresql":
        entry = _post_postgresql(connection, reference=reference, reason=reason, lines=lines)
        if entry is not None:
            return entry
        # Posted before (or a moment ago by someone else, whose commit the insert waited for).
        return JournalEntry.objects.get(reference=reference)
    return _post_orm(reference=reference, reason=reason, lines=lines)


def _post_orm(*, reference: str, reason: str, lines: Sequence[Line]) -> JournalEntry:
    """The portable path (SQLite), and on PostgreSQL what ledger_post did before its one
    statement: look for the reference, then the entry and its postings in a transaction of
    their own (bench/ledger.py measures both side by side)."""
    existing = JournalEntry.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
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


def _validate(lines: Sequence[Line]) -> None:
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


# The entry and all its postings in one statement: the entry's insert does nothing when the
# reference exists (the unique constraint decides, so a concurrent post of the same reference
# waits for the other transaction and then finds it), and the postings are inserted only
# beside an entry this statement created. Without a transaction around it the statement is
# its own, and the deferred zero-sum trigger runs at its commit as it would at any other.
_POST_SQL = """
WITH entry AS (
    INSERT INTO payments_journalentry (reference, reason, created_at)
    VALUES (%s, %s, %s)
    ON CONFLICT (reference) DO NOTHING
    RETURNING id
), postings AS (
    INSERT INTO payments_posting (entry_id, account_id, amount, currency)
    SELECT entry.id, line.account_id, line.amount, line.currency
    FROM entry,
         unnest(%s::bigint[], %s::bigint[], %s::varchar[]) AS line(account_id, amount, currency)
)
SELECT id FROM entry
"""


def _post_postgresql(
    connection: BaseDatabaseWrapper, *, reference: str, reason: str, lines: Sequence[Line]
) -> JournalEntry | None:
    """The new entry, or None when the reference was already posted."""
    created_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _POST_SQL,
            [
                reference,
                reason,
                created_at,
                [account.pk for account, _m in lines],
                [m.amount for _a, m in lines],
                [m.currency for _a, m in lines],
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    entry = JournalEntry(id=row[0], reference=reference, reason=reason, created_at=created_at)
    entry._state.adding = False
    entry._state.db = connection.alias
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
