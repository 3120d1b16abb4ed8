"""Load test: many providers placing bids at once against the running ASGI server.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/bids_load.py \
        --providers 400 --tasks 20 --concurrency 8,32,64

It creates its own data (one poster organization, open tasks, providers with API tokens) in the
database the server uses, starts daphne (or targets --url), fires one bid per provider with an
async HTTP client at each concurrency level, and prints bids/s and p50/p95/p99 latency. A second
round puts every provider on ONE task, where bids share the task's row lock (FOR SHARE).
Figures are medians of the repeats; on a 2-core machine the client and the server compete for
the same cores, so compare ratios between runs rather than absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")


def _django() -> None:
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass
class World:
    run: str
    task_ids: list[int]
    tokens: list[str]


def build_world(*, providers: int, tasks: int) -> World:
    """Create a poster, open tasks and providers with tokens, through the real services."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import ProviderProfile, Skill, User
    from accounts.services import organization_create
    from marketplace.terms import MilestoneTerms
    from tasks.services import task_create, task_submit

    run = uuid.uuid4().hex[:8]
    poster = User.objects.create_user(
        email=f"poster-{run}@bench.invalid", password=None, name="Bench poster"
    )
    org = organization_create(actor=poster, name=f"压测企业 {run}", kind="enterprise")
    skill = Skill.objects.order_by("pk").first()
    if skill is None:
        raise SystemExit("The skills taxonomy is empty: run `manage.py migrate` first.")
    task_ids = []
    for n in range(tasks):
        task = task_create(
            actor=poster, organization=org, kind="engineering", title=f"压测任务 {run}-{n}",
            summary="Load-test task.", description="A task bench/bids_load.py made for load tests.",
            budget_min=10_000_00, budget_max=90_000_00,
            bid_deadline=timezone.now() + dt.timedelta(days=3),
            delivery_deadline=timezone.localdate() + dt.timedelta(days=60),
            skills={skill.pk: 5},
            milestones=[MilestoneTerms(title="全部成果", share_bps=10000, due_days=30)],
        )  # fmt: skip
        task_submit(actor=poster, task=task)
        task_ids.append(task.pk)
    users = User.objects.bulk_create(
        User(email=f"p{n}-{run}@bench.invalid", name=f"Provider {n}") for n in range(providers)
    )
    ProviderProfile.objects.bulk_create(
        ProviderProfile(user=u, headline="Bench provider", region="500103") for u in users
    )
    tokens = Token.objects.bulk_create(Token(user=u, key=Token.generate_key()) for u in users)
    return World(run=run, task_ids=task_ids, tokens=[t.key for t in tokens])


def bid_body(amount: int) -> dict[str, object]:
    return {
        "amount": amount,
        "duration_days": 30,
        "proposal": "压测投标：我们有丰富的同类项目经验，可以在三十天内完成全部交付。",
        "milestones": [{"title": "全部成果", "amount": amount, "due_days": 30}],
    }


async def fire(
    urls: list[str], jobs: list[tuple[str, int]], concurrency: int
) -> tuple[list[float], dict[int, int], float]:
    """Send every (token, task id) bid with `concurrency` requests in flight, spreading them
    over the servers in `urls` round-robin (what a load balancer in front of them does)."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    sent = 0
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker(index: int) -> None:
            nonlocal sent
            while not queue.empty():
                token, task_id = queue.get_nowait()
                url = urls[sent % len(urls)]
                sent += 1
                started = time.perf_counter()
                response = await client.post(
                    f"{url}/api/v1/tasks/{task_id}/bids/",
                    json=bid_body(20_000_00 + index * 100 + task_id % 97),
                    headers={"Authorization": f"Token {token}"},
                )
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, statuses, elapsed


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes: the machine's speed right now. Shared machines
    drift (this one has shown 0.5 s and 0.9 s within minutes), so read bids/s against it."""
    started = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketplace.settings", "LOG_LEVEL": "WARNING"}
    env.setdefault("API_RATE_USER", "100000/min")
    daphne = str(ROOT / ".venv" / "bin" / "daphne")
    process = subprocess.Popen(  # noqa: S603
        [daphne, "-b", "127.0.0.1", "-p", str(port), "marketplace.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(
        "daphne did not start: " + (process.stderr.read().decode() if process.stderr else "")
    )


def cleanup(world: World) -> None:
    from accounts.models import User
    from bids.models import Bid
    from tasks.models import Task

    Bid.objects.filter(task_id__in=world.task_ids).delete()
    Task.objects.filter(pk__in=world.task_ids).delete()
    User.objects.filter(email__endswith=f"-{world.run}@bench.invalid").delete()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--providers", type=int, default=300, help="providers per round (one bid each)"
    )
    parser.add_argument("--tasks", type=int, default=20, help="open tasks the bids spread over")
    parser.add_argument(
        "--concurrency", default="8,32,64", help="requests in flight, comma-separated"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="rounds per level; medians are printed"
    )
    parser.add_argument("--url", help="target a running server instead of starting daphne")
    parser.add_argument(
        "--servers", default="1", help="daphne processes to start, comma-separated (e.g. 1,2)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database the server uses.")
    os.environ.setdefault("API_RATE_USER", "100000/min")
    _django()

    levels = [int(c) for c in args.concurrency.split(",")]
    server_counts = [int(n) for n in args.servers.split(",")] if args.url is None else [1]
    print(
        f"{args.providers} providers per round; {args.repeats} repeats; cores={os.cpu_count()}; "
        "one bid per provider, through POST /api/v1/tasks/<id>/bids/"
    )
    print(f"cpu probe before: {cpu_probe():.3f} s (lower is faster)")
    header = f"{'servers':>7}  {'scenario':<14}{'conc':>6}{'bids/s':>10}{'p50 ms':>10}"
    print(header + f"{'p95 ms':>10}{'p99 ms':>10}  statuses")
    worlds: list[World] = []
    try:
        for count in server_counts:
            servers = [] if args.url else [start_server(free_port()) for _ in range(count)]
            urls = [args.url] if args.url else [url for _process, url in servers]
            try:
                run_level(args, urls, levels, worlds, count)
            finally:
                for process, _url in servers:
                    process.terminate()
                    process.wait(timeout=10)
    finally:
        print(f"cpu probe after: {cpu_probe():.3f} s")
        if not args.keep:
            for world in worlds:
                cleanup(world)


def run_level(
    args: argparse.Namespace, urls: list[str], levels: list[int], worlds: list[World], count: int
) -> None:
    for scenario, task_count in ((f"{args.tasks} tasks", args.tasks), ("one hot task", 1)):
        for level in levels:
            rates, p50s, p95s, p99s = [], [], [], []
            statuses_all: dict[int, int] = {}
            for _ in range(args.repeats):
                world = build_world(providers=args.providers, tasks=task_count)
                worlds.append(world)
                jobs = [(t, world.task_ids[i % task_count]) for i, t in enumerate(world.tokens)]
                latencies, statuses, elapsed = asyncio.run(fire(urls, jobs, level))
                for code, n in statuses.items():
                    statuses_all[code] = statuses_all.get(code, 0) + n
                rates.append(statuses.get(201, 0) / elapsed)
                p50s.append(percentile(latencies, 0.50))
                p95s.append(percentile(latencies, 0.95))
                p99s.append(percentile(latencies, 0.99))
            print(
                f"{count:>7}  {scenario:<14}{level:>6}{statistics.median(rates):>10.1f}"
                f"{statistics.median(p50s) * 1000:>10.1f}{statistics.median(p95s) * 1000:>10.1f}"
                f"{statistics.median(p99s) * 1000:>10.1f}  {dict(sorted(statuses_all.items()))}"
            )


if __name__ == "__main__":
    main()
