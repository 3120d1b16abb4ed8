"""The ledger: balanced entries once per reference, and the database guards on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from marketplace.errors import ValidationFailed
from marketplace.money import Money
from payments.ledger import account_balance, ledger_account, ledger_post, unbalanced_entries
from payments.models import JournalEntry, LedgerAccount, Posting

pytestmark = pytest.mark.django_db

K = LedgerAccount.Kind


def accounts() -> tuple[LedgerAccount, LedgerAccount]:
    return (
        ledger_account(kind=K.POSTER_FUNDING, owner="organization:1", currency="CNY"),
        ledger_account(kind=K.CONTRACT_ESCROW, owner="contract:1", currency="CNY"),
    )


def immediate_constraints() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_a_balanced_entry_moves_money_between_balances() -> None:
    poster, escrow = accounts()
    ledger_post(reference="t:1", reason="fund", lines=[(poster, Money(-500)), (escrow, Money(500))])
    assert account_balance(escrow) == Money(500)
    assert account_balance(poster) == Money(-500)
    assert unbalanced_entries() == []


def test_posting_the_same_reference_twice_writes_once() -> None:
    poster, escrow = accounts()
    lines = [(poster, Money(-500)), (escrow, Money(500))]
    first = ledger_post(reference="t:1", reason="fund", lines=lines)
    second = ledger_post(reference="t:1", reason="fund", lines=lines)
    assert first.pk == second.pk
    assert Posting.objects.count() == 2
    assert account_balance(escrow) == Money(500)


@pytest.mark.parametrize(
    "amounts",
    [[-500, 400], [0, 0], [500], []],
    ids=["unbalanced", "zero", "one-line", "empty"],
)
def test_bad_entries_are_refused_and_write_nothing(amounts: list[int]) -> None:
    poster, escrow = accounts()
    lines = list(zip([poster, escrow], [Money(a) for a in amounts], strict=False))
    with pytest.raises(ValidationFailed):
        ledger_post(reference="t:bad", reason="bad", lines=lines)
    assert not JournalEntry.objects.exists()
    assert not Posting.objects.exists()


def test_a_posting_in_another_currency_than_its_account_is_refused() -> None:
    poster, escrow = accounts()
    with pytest.raises(ValidationFailed):
        ledger_post(
            reference="t:usd",
            reason="bad",
            lines=[(poster, Money(-500, "USD")), (escrow, Money(500, "USD"))],
        )
    assert not Posting.objects.exists()


def test_postgresql_refuses_an_unbalanced_entry_at_commit() -> None:
    assert connection.vendor == "postgresql"
    poster, escrow = accounts()
    entry = JournalEntry.objects.create(reference="raw", reason="raw")

    def unbalanced() -> None:
        Posting.objects.create(entry=entry, account=poster, amount=-500, currency="CNY")
        Posting.objects.create(entry=entry, account=escrow, amount=400, currency="CNY")
        # The deferred trigger runs at commit; inside the test's transaction, ask for it now.
        immediate_constraints()

    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        unbalanced()
    assert not Posting.objects.exists()


def test_postgresql_accepts_a_balanced_entry_inserted_line_by_line() -> None:
    poster, escrow = accounts()
    entry = JournalEntry.objects.create(reference="raw", reason="raw")
    Posting.objects.create(entry=entry, account=poster, amount=-500, currency="CNY")
    Posting.objects.create(entry=entry, account=escrow, amount=500, currency="CNY")
    immediate_constraints()
    assert account_balance(escrow) == Money(500)


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_postgresql_refuses_to_change_or_delete_a_posting(statement: str) -> None:
    poster, escrow = accounts()
    ledger_post(reference="t:1", reason="fund", lines=[(poster, Money(-5)), (escrow, Money(5))])
    postings = Posting.objects.filter(account=escrow)
    change = (lambda: postings.update(amount=50)) if statement == "update" else postings.delete
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        change()
    assert account_balance(escrow) == Money(5)


def test_postgresql_refuses_to_delete_a_journal_entry() -> None:
    poster, escrow = accounts()
    ledger_post(reference="t:1", reason="fund", lines=[(poster, Money(-5)), (escrow, Money(5))])
    with (
        pytest.raises((InternalError, ProgrammingError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM payments_journalentry")
    assert JournalEntry.objects.count() == 1
