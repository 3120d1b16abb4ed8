"""Ledger benchmark: postings per second through ledger_post, and a contract's escrow balance
with a million postings in the table, each beside its floor measured in the same run.

    DATABASE_URL=postgres://... .venv/bin/python bench/ledger.py \
        --postings 1000000 --entries 1000 --repeats 5 --queries 2000

It creates a database of its own next to the one DATABASE_URL names (postings are append-only:
PostgreSQL refuses to delete them, so the bench never writes into a database it did not
create), migrates it, and drops it at the end (--keep leaves it).

1. Fill: `--postings` postings as a marketplace would have them (per contract: funding
   poster → escrow; release escrow → provider payable + platform fee; transfer payable → paid
   out), written with COPY through the real tables and their triggers, then VACUUM ANALYZE.
2. Postings/s: rounds of `--entries` balanced two-line entries through payments.ledger.
   ledger_post, one transaction each as the money flows commit them, against the floor: a bare
   single-row INSERT in its own transaction into a two-column table, and beside both the ORM
   path ledger_post took before its one statement (payments.ledger._post_orm: look up the
   reference, then the entry and its postings in a transaction; --no-orm leaves it out).
   Rounds alternate so that all sides see the same machine. Medians over rounds, p95 of the
   calls, and the ratio; once per `--writers` count (one writer, and several at once as web
   and Celery processes post: PostgreSQL then flushes several commits to the WAL together,
   for the floor as for us).
3. Balance: payments.selectors.contract_escrow_held for random contracts against the floor:
   a primary-key read of one posting through the same ORM. Median, p95 and the ratio. The
   plan PostgreSQL chose is printed with --explain.

Goals (issue 7): at least 2,000 postings/s; the balance under 5 ms at p95. On a shared 2-core
machine absolute numbers drift; the ratios to the floors are what to compare between runs.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

# Per contract: three entries, seven postings (see fill()).
POSTINGS_PER_CONTRACT = 7
ORGANIZATIONS = 2_000
PROVIDERS = 5_000


@dataclass
class Figures:
    ledger_postings_per_s: float
    floor_rows_per_s: float
    ledger_p50_ms: float
    ledger_p95_ms: float
    floor_p50_ms: float
    floor_p95_ms: float
    balance_p50_ms: float
    balance_p95_ms: float
    pk_p50_ms: float
    pk_p95_ms: float
    postings_in_table: int


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes: the machine's speed right now."""
    started = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - started


# --- the fill -------------------------------------------------------------------------------


def _next_id(cursor: object, table: str) -> int:
    query = f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"  # noqa: S608  (our table names)
    cursor.execute(query)  # type: ignore[attr-defined]
    return int(cursor.fetchone()[0])  # type: ignore[attr-defined]


def _copy(cursor: object, table: str, columns: str, rows: list[tuple[object, ...]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(v) for v in row) + "\n")
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        copy.write(buffer.getvalue())


def fill(*, postings: int, run: str, batch_contracts: int = 20_000) -> list[int]:
    """Write about `postings` postings through the real tables (and so through the zero-sum
    trigger at each batch's commit); returns the contract numbers whose escrow exists."""
    from django.db import connection, transaction

    contracts = max(1, postings // POSTINGS_PER_CONTRACT)
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3: COPY
    with transaction.atomic(), raw.cursor() as cursor:
        account_id = _next_id(cursor, "payments_ledgeraccount")
        accounts: list[tuple[object, ...]] = []

        def account(kind: str, owner: str) -> int:
            nonlocal account_id
            accounts.append((account_id, kind, owner, "CNY"))
            account_id += 1
            return account_id - 1

        posters = [account("poster_funding", f"organization:{n}") for n in range(ORGANIZATIONS)]
        payables = [account("provider_payable", f"provider:{n}") for n in range(PROVIDERS)]
        paid_out = [account("provider_paid_out", f"provider:{n}") for n in range(PROVIDERS)]
        fees = account("platform_fee_revenue", "platform")
        escrows = [account("contract_escrow", f"contract:{c}") for c in range(contracts)]
        _copy(cursor, "payments_ledgeraccount", "id, kind, owner, currency", accounts)
    for start in range(0, contracts, batch_contracts):
        with transaction.atomic(), raw.cursor() as cursor:
            entry_id = _next_id(cursor, "payments_journalentry")
            posting_id = _next_id(cursor, "payments_posting")
            entries: list[tuple[object, ...]] = []
            lines: list[tuple[object, ...]] = []
            for c in range(start, min(contracts, start + batch_contracts)):
                amount = 1_000_00 + (c % 997) * 100
                fee = amount // 20  # 5 %, exact: amounts are whole yuan
                net = amount - fee
                payable, paid = payables[c % PROVIDERS], paid_out[c % PROVIDERS]
                for step, entry_lines in (
                    ("received", [(posters[c % ORGANIZATIONS], -amount), (escrows[c], amount)]),
                    ("release", [(escrows[c], -amount), (payable, net), (fees, fee)]),
                    ("transfer", [(payable, -net), (paid, net)]),
                ):
                    entries.append((entry_id, f"{run}:contract:{c}:{step}", "bench fill", "now"))
                    for account_pk, value in entry_lines:
                        lines.append((posting_id, entry_id, account_pk, value, "CNY"))
                        posting_id += 1
                    entry_id += 1
            _copy(cursor, "payments_journalentry", "id, reference, reason, created_at", entries)
            _copy(cursor, "payments_posting", "id, entry_id, account_id, amount, currency", lines)
    with connection.cursor() as cursor:
        for table in ("payments_ledgeraccount", "payments_journalentry", "payments_posting"):
            query = (
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
            cursor.execute(query)
        for table in ("payments_ledgeraccount", "payments_journalentry", "payments_posting"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return list(range(contracts))


# --- postings per second --------------------------------------------------------------------


def _post_round(
    *, entries: int, run: str, round_no: int, accounts: tuple[object, object], orm: bool = False
) -> list[float]:
    from marketplace.money import Money
    from payments.ledger import _post_orm, ledger_post

    post = _post_orm if orm else ledger_post
    escrow, poster = accounts
    latencies = []
    for n in range(entries):
        amount = Money(1_000_00 + n)
        started = time.perf_counter()
        post(
            reference=f"{run}:{'orm' if orm else 'post'}:{round_no}:{n}",
            reason="bench",
            lines=[(escrow, amount), (poster, -amount)],  # type: ignore[list-item]
        )
        latencies.append(time.perf_counter() - started)
    return latencies


def _floor_round(*, rows: int) -> list[float]:
    from django.db import connection

    latencies = []
    with connection.cursor() as cursor:
        for n in range(rows):
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO bench_ledger_floor (amount, note) VALUES (%s, %s)", [n, "x"]
            )
            latencies.append(time.perf_counter() - started)
    return latencies


def _in_threads(writers: int, work: Callable[[int], list[float]]) -> tuple[float, list[float]]:
    """Run work(thread number) in `writers` threads started together, each on its own
    database connection; the elapsed wall time and every call's latency."""
    from django.db import connection

    barrier = threading.Barrier(writers + 1)
    results: list[list[float]] = [[] for _ in range(writers)]
    errors: list[BaseException] = []

    def runner(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:  # reported after the round
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, [latency for part in results for latency in part]


@dataclass
class PostingFigures:
    writers: int
    ledger_postings_per_s: float
    floor_rows_per_s: float
    ledger_latencies: list[float]
    floor_latencies: list[float]
    # The ORM path (payments.ledger._post_orm: what ledger_post did before its one statement).
    orm_postings_per_s: float = 0.0
    orm_latencies: list[float] = field(default_factory=list)


def measure_postings(
    *, entries: int, repeats: int, run: str, writers: int, orm: bool = False
) -> PostingFigures:
    """Alternating rounds of ledger_post (two postings per entry, one transaction each, as the
    money flows commit them) and of the floor (one single-row INSERT per transaction,
    autocommit), `entries` calls per round shared by `writers` threads; with `orm`, rounds of
    the ORM path too (what ledger_post did before its one statement)."""
    from django.db import connection

    from payments.ledger import ledger_account

    poster = ledger_account(kind="poster_funding", owner=f"organization:{run}", currency="CNY")
    escrows = [
        ledger_account(kind="contract_escrow", owner=f"contract:{run}:{n}", currency="CNY")
        for n in range(writers)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_ledger_floor "
            "(id bigserial PRIMARY KEY, amount bigint NOT NULL, note varchar(20) NOT NULL)"
        )
    share = max(1, entries // writers)
    ledger_rates, floor_rates, orm_rates = [], [], []
    ledger_latencies: list[float] = []
    floor_latencies: list[float] = []
    orm_latencies: list[float] = []
    try:
        for round_no in range(-1, repeats):  # round -1 warms both paths and is not counted
            elapsed, floor = _in_threads(writers, lambda n: _floor_round(rows=share))
            if round_no >= 0:
                floor_rates.append(share * writers / elapsed)
                floor_latencies += floor
            elapsed, ledger = _in_threads(
                writers,
                lambda n, r=round_no: _post_round(
                    entries=share, run=f"{run}:{writers}:{n}", round_no=r,
                    accounts=(escrows[n], poster),
                ),
            )  # fmt: skip
            if round_no >= 0:
                ledger_rates.append(2 * share * writers / elapsed)
                ledger_latencies += ledger
            if not orm:
                continue
            elapsed, before = _in_threads(
                writers,
                lambda n, r=round_no: _post_round(
                    entries=share, run=f"{run}:{writers}:{n}", round_no=r,
                    accounts=(escrows[n], poster), orm=True,
                ),
            )  # fmt: skip
            if round_no >= 0:
                orm_rates.append(2 * share * writers / elapsed)
                orm_latencies += before
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_ledger_floor")
    return PostingFigures(
        writers,
        statistics.median(ledger_rates),
        statistics.median(floor_rates),
        ledger_latencies,
        floor_latencies,
        statistics.median(orm_rates) if orm_rates else 0.0,
        orm_latencies,
    )


# --- the balance query ----------------------------------------------------------------------


def measure_balance(
    *, contracts: list[int], queries: int, explain: bool
) -> tuple[list[float], list[float]]:
    """A contract's escrow balance (the selector the pages use) against a primary-key read of
    one posting, alternating, for random contracts and postings."""
    from django.db import connection

    from payments.models import Posting
    from payments.selectors import contract_escrow_held

    rng = random.Random(7)
    last = Posting.objects.order_by("-id").values_list("id", flat=True).first() or 1
    first = Posting.objects.order_by("id").values_list("id", flat=True).first() or 1
    if explain:
        owner = f"contract:{rng.choice(contracts)}"
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT SUM(p.amount) FROM payments_posting p "
                "JOIN payments_ledgeraccount a ON a.id = p.account_id "
                "WHERE a.kind = 'contract_escrow' AND a.owner = %s AND a.currency = 'CNY'",
                [owner],
            )
            print("plan of the balance query:")
            for (line,) in cursor.fetchall():
                print("   ", line)
    balance, floor = [], []
    for _ in range(min(100, queries)):  # warm the caches and the connection
        contract_escrow_held(contract_id=rng.choice(contracts), currency="CNY")
        Posting.objects.filter(pk=rng.randint(first, last)).values_list("amount").first()
    for _ in range(queries):
        contract_id = rng.choice(contracts)
        started = time.perf_counter()
        contract_escrow_held(contract_id=contract_id, currency="CNY")
        balance.append(time.perf_counter() - started)
        pk = rng.randint(first, last)
        started = time.perf_counter()
        Posting.objects.filter(pk=pk).values_list("amount").first()
        floor.append(time.perf_counter() - started)
    return balance, floor


def run_bench(
    *,
    postings: int,
    entries: int,
    repeats: int,
    queries: int,
    writers: tuple[int, ...] = (1, 4),
    explain: bool = False,
    quiet: bool = False,
    orm: bool = True,
) -> Figures:
    """Everything but the database's creation: usable from a smoke test on a test database."""
    from payments.models import Posting

    out = (lambda *a: None) if quiet else print
    run = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    contracts = fill(postings=postings, run=run)
    in_table = Posting.objects.count()
    out(f"fill: {in_table:,} postings in the table ({time.perf_counter() - started:.1f} s)")

    by_writers = [
        measure_postings(entries=entries, repeats=repeats, run=run, writers=w, orm=orm)
        for w in writers
    ]
    balance_lat, pk_lat = measure_balance(contracts=contracts, queries=queries, explain=explain)
    out(f"{'':<40}{'median':>10}{'p95':>10}{'floor':>10}{'p95':>10}{'ratio':>8}")
    for p in by_writers:
        out(
            f"{f'postings/s, {p.writers} writer(s)':<40}{p.ledger_postings_per_s:>10,.0f}"
            f"{'':>10}{p.floor_rows_per_s:>10,.0f}{'':>10}"
            f"{p.ledger_postings_per_s / p.floor_rows_per_s:>8.2f}"
            "   floor: single-row INSERT, rows/s"
        )
        lp50 = statistics.median(p.ledger_latencies) * 1000
        fp50 = statistics.median(p.floor_latencies) * 1000
        out(
            f"{f'ledger_post call ms, {p.writers} writer(s)':<40}{lp50:>10.2f}"
            f"{percentile(p.ledger_latencies, 0.95) * 1000:>10.2f}{fp50:>10.2f}"
            f"{percentile(p.floor_latencies, 0.95) * 1000:>10.2f}{lp50 / fp50:>8.2f}"
            "   floor: single-row INSERT, ms"
        )
        if p.orm_latencies:
            op50 = statistics.median(p.orm_latencies) * 1000
            out(
                f"{f'  ORM path postings/s, {p.writers} writer(s)':<40}"
                f"{p.orm_postings_per_s:>10,.0f}{'':>10}{p.floor_rows_per_s:>10,.0f}{'':>10}"
                f"{p.orm_postings_per_s / p.floor_rows_per_s:>8.2f}"
                "   before: the ORM path ledger_post took until now"
            )
            out(
                f"{f'  ORM path call ms, {p.writers} writer(s)':<40}{op50:>10.2f}"
                f"{percentile(p.orm_latencies, 0.95) * 1000:>10.2f}{fp50:>10.2f}"
                f"{percentile(p.floor_latencies, 0.95) * 1000:>10.2f}{op50 / fp50:>8.2f}"
                f"   one statement is {op50 / lp50:.1f}x faster than it"
            )
    bp50, pp50 = statistics.median(balance_lat) * 1000, statistics.median(pk_lat) * 1000
    bp95, pp95 = percentile(balance_lat, 0.95) * 1000, percentile(pk_lat, 0.95) * 1000
    out(
        f"{'contract escrow balance ms':<40}{bp50:>10.2f}{bp95:>10.2f}{pp50:>10.2f}{pp95:>10.2f}"
        f"{bp50 / pp50:>8.2f}   floor: primary-key read, ms"
    )
    first = by_writers[0]
    best = max(p.ledger_postings_per_s for p in by_writers)
    out(
        f"goals: >= 2,000 postings/s {'met' if best >= 2_000 else 'MISSED'} "
        f"(best {best:,.0f}); balance p95 < 5 ms {'met' if bp95 < 5 else 'MISSED'}"
    )
    return Figures(
        ledger_postings_per_s=first.ledger_postings_per_s,
        floor_rows_per_s=first.floor_rows_per_s,
        ledger_p50_ms=statistics.median(first.ledger_latencies) * 1000,
        ledger_p95_ms=percentile(first.ledger_latencies, 0.95) * 1000,
        floor_p50_ms=statistics.median(first.floor_latencies) * 1000,
        floor_p95_ms=percentile(first.floor_latencies, 0.95) * 1000,
        balance_p50_ms=bp50,
        balance_p95_ms=bp95,
        pk_p50_ms=pp50,
        pk_p95_ms=pp95,
        postings_in_table=in_table,
    )


# --- the database of its own ----------------------------------------------------------------


def _admin_connect(url: str) -> object:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.path.lstrip("/") or "postgres",
        autocommit=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postings", type=int, default=1_000_000, help="postings in the table")
    parser.add_argument("--entries", type=int, default=1_000, help="entries per round")
    parser.add_argument("--repeats", type=int, default=5, help="rounds; medians are printed")
    parser.add_argument("--queries", type=int, default=2_000, help="balance queries")
    parser.add_argument(
        "--writers", default="1,4", help="concurrent writers per postings round, comma-separated"
    )
    parser.add_argument("--explain", action="store_true", help="print the balance query's plan")
    parser.add_argument(
        "--no-orm", action="store_true", help="leave out the ORM path's rounds (the before)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (its role may create databases).")
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_ledger_bench_{uuid.uuid4().hex[:6]}"
    admin = _admin_connect(url)
    admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        import django
        from django.core.management import call_command

        django.setup()
        from django.db import connection

        print(f"database {name} (created for this run); migrating…")
        call_command("migrate", verbosity=0)
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"cores={os.cpu_count()}; load average {load}; "
            f"cpu probe before: {cpu_probe():.3f} s (lower is faster)"
        )
        run_bench(
            postings=args.postings,
            entries=args.entries,
            repeats=args.repeats,
            queries=args.queries,
            writers=tuple(int(w) for w in args.writers.split(",")),
            explain=args.explain,
            orm=not args.no_orm,
        )
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"cpu probe after: {cpu_probe():.3f} s; load average {load}")
        connection.close()
    finally:
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        admin.close()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
