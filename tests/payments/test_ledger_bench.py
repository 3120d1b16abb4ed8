"""bench/ledger.py runs end to end at tiny sizes (the real figures come from running it by hand:
`python bench/ledger.py`, see its docstring); the fill it writes is a sound ledger."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from django.db import connection

from payments.ledger import balance_of
from payments.models import JournalEntry, LedgerAccount, Posting
from tests.payments.helpers import assert_ledger_sound

pytestmark = pytest.mark.django_db(transaction=True)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ledger.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_ledger", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_ledger"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_ledger_bench_runs_at_tiny_sizes_and_leaves_a_balanced_ledger() -> None:
    assert connection.vendor == "postgresql"
    bench = load_bench()

    figures = bench.run_bench(
        postings=700, entries=6, repeats=2, queries=5, writers=(1, 2), quiet=True
    )

    assert figures.postings_in_table == 700
    assert figures.ledger_postings_per_s > 0
    assert figures.floor_rows_per_s > 0
    assert figures.balance_p95_ms > 0
    assert figures.pk_p95_ms > 0
    # The fill went through the real tables and triggers: every entry balances, each
    # contract's escrow is back to zero after its release, the fee account holds 5 %.
    assert_ledger_sound()
    assert JournalEntry.objects.filter(reference__contains=":contract:").count() == 300
    assert balance_of(kind="contract_escrow", owner="contract:7", currency="CNY").amount == 0
    fees = balance_of(kind="platform_fee_revenue", owner="platform", currency="CNY")
    assert fees.amount == sum((1_000_00 + (c % 997) * 100) // 20 for c in range(100))
    # The floor's scratch table is gone.
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_ledger_floor')")
        assert cursor.fetchone()[0] is None
    assert Posting.objects.filter(account__kind=LedgerAccount.Kind.CONTRACT_ESCROW).exists()
