"""Hot paths against their floors: requests per second, p50 and p95 of every hot path.

    make services && eval "$(scripts/test-servers env)"
    DATABASE_URL=postgres://.../mk_bench .venv/bin/python bench/hotpaths.py \
        --concurrency 1,16 --servers 1,2 --repeats 3

It migrates the database DATABASE_URL names, builds its own world through the real services
(a poster organisation with open tasks, providers with tokens and sessions, one awarded
contract, notifications), starts daphne processes with BENCH_FLOORS=1 and measures, in one
run and interleaved path by path, the two floors

- ``floor/django``: an empty Django view through the whole middleware chain,
- ``floor/drf``: an empty DRF view with the API's authentication, permission and throttles,

beside every hot path of issue 13 (bid place, revise, withdraw; award; browse page and API;
task page and API; contract page; dashboard; sign-in; the notification badge). Each cell is
the median of the repeats; each ratio is the path's requests per second over a floor's from
the same server count and concurrency. On a shared 2-core machine the client competes with
the servers, so read the ratios, not the absolute figures.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "optional")

PASSWORD = "bench-hot-paths-passphrase-2026"  # noqa: S105 (throwaway bench users)

SERVER_ENV = {
    "BENCH_FLOORS": "1",
    "DJANGO_DEBUG": "0",
    "LOG_LEVEL": "WARNING",
    # The bench sends thousands of requests from one address; the limits are not under test.
    "API_RATE_USER": "1000000/min",
    "API_RATE_ANON": "1000000/min",
    "RATE_LIMIT_LOGIN_FAILED": "100000/m/ip,100000/5m/key",
    "ACCOUNT_EMAIL_VERIFICATION": "optional",
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    data: Any = None
    expect: int = 200


@dataclass
class World:
    run: str
    poster_token: str
    poster_cookie: str
    provider_cookie: str
    provider_token: str
    browse_task: int
    contract: int
    signin_email: str
    # consumed by the paths that change state
    place_jobs: list[tuple[str, int]] = field(default_factory=list)
    placed: list[tuple[str, int]] = field(default_factory=list)  # (token, bid id)
    award_jobs: list[int] = field(default_factory=list)  # bid ids, one task each
    revise_bids: list[tuple[str, int]] = field(default_factory=list)


def bid_body(amount: int) -> dict[str, Any]:
    return {
        "amount": amount,
        "duration_days": 30,
        "proposal": "压测投标：我们有丰富的同类项目经验，可以在三十天内完成全部交付。",
        "milestones": [
            {"title": "方案", "amount": amount // 2, "due_days": 10},
            {"title": "全部成果", "amount": amount - amount // 2, "due_days": 30},
        ],
    }


def build_world(*, providers: int, tasks: int, award_tasks: int) -> World:
    """A poster with open tasks, providers with tokens and sessions, through real services."""
    from allauth.account.models import EmailAddress
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import ProviderProfile, Skill, User
    from accounts.services import organization_create
    from bids.services import bid_place
    from contracts.services.award import contract_award
    from marketplace.terms import MilestoneTerms
    from tasks.models import Task
    from tasks.services import task_create, task_submit

    run = uuid.uuid4().hex[:8]

    def user(email: str, name: str, password: str | None = None) -> Any:
        u = User.objects.create_user(email=email, password=password, name=name)
        EmailAddress.objects.create(user=u, email=email, verified=True, primary=True)
        return u

    poster = user(f"poster-{run}@bench.invalid", "压测需求方")
    org = organization_create(actor=poster, name=f"压测企业 {run}", kind="enterprise")
    skills = list(Skill.objects.order_by("pk")[:3])
    if not skills:
        raise SystemExit("The skills taxonomy is empty: migrate first.")

    def new_task(n: int) -> Task:
        task = task_create(
            actor=poster, organization=org, kind="engineering", title=f"压测任务 {run}-{n}",
            summary="压测用的任务。", description="bench/hotpaths.py 为压测创建的任务。",
            budget_min=10_000_00, budget_max=90_000_00,
            bid_deadline=timezone.now() + dt.timedelta(days=3),
            delivery_deadline=timezone.localdate() + dt.timedelta(days=60),
            skills={s.pk: 5 for s in skills}, region="500103",
            milestones=[MilestoneTerms(title="全部成果", share_bps=10000, due_days=30)],
        )  # fmt: skip
        task_submit(actor=poster, task=task)
        task.refresh_from_db()
        return task

    open_tasks = [new_task(n) for n in range(tasks)]
    users = [User(email=f"p{n}-{run}@bench.invalid", name=f"服务商 {n}") for n in range(providers)]
    users = User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    profiles = ProviderProfile.objects.bulk_create(
        ProviderProfile(user=u, headline="压测服务商", region="500103") for u in users
    )
    tokens = Token.objects.bulk_create(Token(user=u, key=Token.generate_key()) for u in users)
    keys = [t.key for t in tokens]

    def terms(amount: int) -> dict[str, Any]:
        body = bid_body(amount)
        return {
            "amount": amount,
            "duration_days": 30,
            "proposal": body["proposal"],
            "milestones": [
                MilestoneTerms(title=m["title"], amount=m["amount"], due_days=m["due_days"])
                for m in body["milestones"]
            ],
        }

    # Every task but the first gets fresh (provider, task) pairs for placing; the first task
    # (the browsed one) has a few live bids so its page shows the bid summary, and those
    # bids are revised over and over.
    browse = open_tasks[0]
    revise: list[tuple[str, int]] = []
    for n in range(min(5, providers)):
        bid = bid_place(
            actor=users[n], task=browse, provider=profiles[n], **terms(30_000_00 + n * 1000)
        )
        revise.append((keys[n], bid.pk))
    place_jobs = [(keys[p], task.pk) for task in open_tasks[1:] for p in range(5, providers)]
    # Tasks to award: each has one bid.
    award_jobs = []
    for n in range(award_tasks):
        task = new_task(1000 + n)
        p = n % providers
        bid = bid_place(actor=users[p], task=task, provider=profiles[p], **terms(40_000_00))
        award_jobs.append(bid.pk)
    # One awarded contract for the contract page.
    task = new_task(9999)
    bid = bid_place(actor=users[0], task=task, provider=profiles[0], **terms(50_000_00))
    contract = contract_award(actor=poster, bid=bid)

    signin = user(f"signin-{run}@bench.invalid", "压测登录", password=PASSWORD)
    poster_token = Token.objects.create(user=poster).key

    def cookie(u: Any) -> str:
        client = Client()
        client.force_login(u)
        return client.cookies["sessionid"].value

    return World(
        run=run,
        poster_token=poster_token,
        poster_cookie=cookie(poster),
        provider_cookie=cookie(users[0]),
        provider_token=keys[0],
        browse_task=browse.pk,
        contract=contract.pk,
        signin_email=signin.email,
        place_jobs=place_jobs,
        award_jobs=award_jobs,
        revise_bids=revise,
    )


def token(key: str) -> dict[str, str]:
    return {"Authorization": f"Token {key}"}


def session(value: str) -> dict[str, str]:
    return {"Cookie": f"sessionid={value}", "Accept-Language": "zh-hans"}


def paths(world: World) -> dict[str, Callable[[int], Request | None]]:
    """Each hot path as a maker of its n-th request (None: nothing left to consume)."""

    def place(n: int) -> Request | None:
        if not world.place_jobs:
            return None
        key, task_id = world.place_jobs.pop()
        return Request(
            "POST", f"/api/v1/tasks/{task_id}/bids/", token(key),
            json=bid_body(20_000_00 + n % 9000 * 100), expect=201,
        )  # fmt: skip

    def revise(n: int) -> Request:
        key, bid_id = world.revise_bids[n % len(world.revise_bids)]
        return Request(
            "PUT", f"/api/v1/bids/{bid_id}/", token(key), json=bid_body(30_000_00 + n % 9000 * 100)
        )

    def withdraw(n: int) -> Request | None:
        if not world.placed:
            return None
        key, bid_id = world.placed.pop()
        return Request("POST", f"/api/v1/bids/{bid_id}/withdraw/", token(key))

    def award(n: int) -> Request | None:
        if not world.award_jobs:
            return None
        bid_id = world.award_jobs.pop()
        return Request(
            "POST", f"/api/v1/bids/{bid_id}/award/", token(world.poster_token), expect=201
        )

    def get(path: str, headers: dict[str, str]) -> Callable[[int], Request]:
        return lambda n: Request("GET", path, headers)

    def signin(n: int) -> Request:
        return Request(
            "POST", "/api/v1/auth/token/", {},
            json={"email": world.signin_email, "password": PASSWORD},
        )  # fmt: skip

    provider_page = session(world.provider_cookie)
    return {
        "floor/django": get("/bench/empty/", provider_page),
        "floor/drf": get("/api/v1/bench/empty/", token(world.provider_token)),
        "bid place": place,
        "bid revise": revise,
        "bid withdraw": withdraw,
        "award": award,
        "browse page": get("/tasks/", provider_page),
        "browse API": get("/api/v1/tasks/", token(world.provider_token)),
        "task page": get(f"/tasks/{world.browse_task}/", provider_page),
        "task API": get(f"/api/v1/tasks/{world.browse_task}/", token(world.provider_token)),
        "contract page": get(f"/contracts/{world.contract}/", session(world.poster_cookie)),
        "dashboard": get("/dashboard/", provider_page),
        "badge API": get("/api/v1/notifications/unread-count/", token(world.provider_token)),
        "sign-in": signin,
    }


async def fire(
    urls: list[str], make: Callable[[int], Request | None], count: int, concurrency: int,
    on_response: Callable[[Request, Any], None],
) -> tuple[list[float], dict[int, int], float]:  # fmt: skip
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    sent = 0
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def worker() -> None:
            nonlocal sent
            while sent < count:
                n = sent
                sent += 1
                request = make(n)
                if request is None:
                    return
                url = urls[n % len(urls)]
                started = time.perf_counter()
                response = await client.request(
                    request.method, url + request.path, headers=request.headers,
                    json=request.json,
                )  # fmt: skip
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                on_response(request, response)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, statuses, elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SERVERS = ("daphne", "uvicorn", "granian")


def start_server(port: int, server: str) -> tuple[subprocess.Popen[bytes], str]:
    """One server process of one worker (the bench scales by processes, as a deployment does).
    uvicorn and granian come from the `bench` dependency group (uv sync --group bench)."""
    env = {**os.environ, **SERVER_ENV, "DJANGO_SETTINGS_MODULE": "marketplace.settings"}
    bin_dir = ROOT / ".venv" / "bin"
    if server == "daphne":
        argv = [str(bin_dir / "daphne"), "-b", "127.0.0.1", "-p", str(port)]
    elif server == "uvicorn":
        argv = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                "--no-access-log", "--log-level", "warning", "--workers", "1"]  # fmt: skip
    elif server == "granian":
        argv = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--log-level", "warning",
                "--no-ws" if os.environ.get("BENCH_GRANIAN_NO_WS") else "--ws"]  # fmt: skip
    else:
        raise SystemExit(f"unknown server {server}: one of {', '.join(SERVERS)}")
    process = subprocess.Popen(  # noqa: S603
        [*argv, "marketplace.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    # A loaded 2-core machine (other benches, test runs) can take a minute to import Django.
    deadline = time.time() + 240
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(
        "server did not start: " + (process.stderr.read().decode() if process.stderr else "")
    )


def stop_servers(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate, then kill what a loaded machine has not stopped in a minute: a slow exit
    must not lose the run's figures."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--servers", default="1,2", help="server processes, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--requests", type=int, default=40, help="requests per path per cell at c=1"
    )
    parser.add_argument(
        "--server",
        default="daphne",
        help="ASGI servers to compare in the same run, comma-separated: daphne,uvicorn,granian "
        "(uvicorn and granian: uv sync --group bench)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="no servers: place N bids in-process through the API under cProfile and print "
        "where their CPU goes (the statements and Redis commands of one beside it)",
    )
    parser.add_argument("--only", default="", help="comma-separated path names (floors always run)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it is migrated).")
    for key, value in SERVER_ENV.items():
        os.environ.setdefault(key, value)

    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    if args.profile:
        profile_bids(args.profile)
        return
    levels = [int(c) for c in args.concurrency.split(",")]
    counts = [int(n) for n in args.servers.split(",")]
    server_names = [name.strip() for name in args.server.split(",") if name.strip()]
    for name in server_names:
        if name not in SERVERS:
            raise SystemExit(f"unknown server {name}: one of {', '.join(SERVERS)}")

    def per_cell(level: int) -> int:
        return args.requests if level == 1 else args.requests * 3

    cells = len(levels) * len(counts) * args.repeats * len(server_names)
    consumed = (
        sum(per_cell(level) for level in levels) * len(counts) * args.repeats * len(server_names)
    )
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    providers = 60
    tasks = consumed // (providers - 5) + 2
    started = time.perf_counter()
    world = build_world(
        providers=providers,
        tasks=tasks if not wanted or "bid place" in wanted else 1,
        award_tasks=consumed if not wanted or "award" in wanted else 0,
    )
    print(
        f"world {world.run}: {len(world.place_jobs)} bid slots, {len(world.award_jobs)} awards; "
        f"built in {time.perf_counter() - started:.0f} s; cores={os.cpu_count()}; "
        f"servers={','.join(server_names)}; {cells} cells x paths; medians of {args.repeats}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    makers = paths(world)
    if wanted:
        makers = {k: v for k, v in makers.items() if k.startswith("floor/") or k in wanted}

    def on_response(request: Request, response: Any) -> None:
        if (
            request.path.endswith("/bids/")
            and request.method == "POST"
            and response.status_code == 201
        ):
            world.placed.append(
                (request.headers["Authorization"].split()[1], response.json()["id"])
            )
        if response.status_code != request.expect and not getattr(on_response, "warned", False):
            on_response.warned = True  # type: ignore[attr-defined]
            print(
                f"  ! {request.method} {request.path}: {response.status_code} {response.text[:300]}"
            )

    Key = tuple[str, int, int, str]
    results: dict[Key, list[tuple[float, float, float, bool]]] = {}
    loads: dict[tuple[str, int], list[float]] = {}
    for server in server_names:
        for count in counts:
            servers = [start_server(free_port(), server) for _ in range(count)]
            urls = [url for _process, url in servers]
            try:
                # warm every process up (imports, template loading, ORM caches)
                for name, make in makers.items():
                    if name not in {"bid place", "bid withdraw", "award"}:
                        asyncio.run(fire(urls, make, 4 * count, 1, on_response))
                for level in levels:
                    for _repeat in range(args.repeats):
                        loads.setdefault((server, count), []).append(os.getloadavg()[0])
                        for name, make in makers.items():
                            latencies, statuses, elapsed = asyncio.run(
                                fire(urls, make, per_cell(level), level, on_response)
                            )
                            ok = sum(n for code, n in statuses.items() if code < 400)
                            clean = ok == sum(statuses.values()) and ok > 0
                            results.setdefault((server, count, level, name), []).append(
                                (ok / elapsed if elapsed else 0.0, percentile(latencies, 0.5),
                                 percentile(latencies, 0.95), clean)
                            )  # fmt: skip
            finally:
                stop_servers([process for process, _url in servers])

    def rps(server: str, count: int, level: int, name: str) -> float:
        rows = results.get((server, count, level, name), [])
        return statistics.median(r[0] for r in rows) if rows else 0.0

    for server in server_names:
        print()
        print(f"{server}:")
        print(f"{'servers':>7} {'conc':>4}  {'path':<14}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
              f"{'×django':>9}{'×drf':>7}")  # fmt: skip
        for count in counts:
            load = statistics.median(loads.get((server, count), [0.0]))
            for level in levels:
                floor_django = rps(server, count, level, "floor/django")
                floor_drf = rps(server, count, level, "floor/drf")
                for name in makers:
                    rows = results.get((server, count, level, name), [])
                    if not rows:
                        continue
                    per_second = rps(server, count, level, name)
                    p50 = statistics.median(r[1] for r in rows) * 1000
                    p95 = statistics.median(r[2] for r in rows) * 1000
                    note = "" if all(r[3] for r in rows) else "  (errors)"
                    print(f"{count:>7} {level:>4}  {name:<14}{per_second:>9.1f}{p50:>9.1f}"
                          f"{p95:>9.1f}{per_second / floor_django:>9.2f}"
                          f"{per_second / floor_drf:>7.2f}{note}")  # fmt: skip
            print(f"{'':>13}(load average while measured: {load:.1f})")
        if 1 in counts and 2 in counts:
            for level in levels:
                one = rps(server, 1, level, "bid place")
                two = rps(server, 2, level, "bid place")
                if one:
                    print(f"bid place, two processes / one at c={level}: {two / one:.2f}")
    if len(server_names) > 1:
        print()
        print("requests per second against daphne's (same processes and concurrency):")
        base = server_names[0]
        print(
            f"{'servers':>7} {'conc':>4}  {'path':<14}" + "".join(f"{n:>10}" for n in server_names)
        )
        for count in counts:
            for level in levels:
                for name in makers:
                    ref = rps(base, count, level, name)
                    if not ref:
                        continue
                    ratios = "".join(
                        f"{rps(n, count, level, name) / ref:>10.2f}" for n in server_names
                    )
                    print(f"{count:>7} {level:>4}  {name:<14}{ratios}")


def profile_bids(n: int) -> None:
    """Place `n` bids through the API in this process under cProfile: what one bid costs in
    CPU, and where it goes (the top of the cumulative and own-time tables)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client

    world = build_world(providers=max(8, min(n + 5, 60)), tasks=n // 3 + 2, award_tasks=0)
    client = Client(HTTP_HOST="127.0.0.1")
    jobs = world.place_jobs[:n]
    if len(jobs) < n:
        raise SystemExit(f"only {len(jobs)} bid slots")

    def one(k: int) -> None:
        key, task_id = jobs[k]
        response = client.post(
            f"/api/v1/tasks/{task_id}/bids/", data=bid_body(20_000_00 + k * 100),
            content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}",
        )  # fmt: skip
        assert response.status_code == 201, response.content[:300]

    one(0)  # warm: imports, templates, the first broker connection
    statements: list[str] = []

    def counted(execute: Any, sql: str, *args: Any) -> Any:
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(counted):  # survives request_started's reset_queries
        one(1)
    # Half the bids timed bare (the profiler's own cost left out), half profiled.
    half = 2 + (n - 2) // 2
    started, wall = time.process_time(), time.perf_counter()
    for k in range(2, half):
        one(k)
    cpu = (time.process_time() - started) / max(1, half - 2) * 1000
    wall_ms = (time.perf_counter() - wall) / max(1, half - 2) * 1000
    print(f"one bid in-process: {cpu:.1f} ms of CPU, {wall_ms:.1f} ms of wall time "
          f"(mean of {half - 2}; load average {os.getloadavg()[0]:.1f}); "
          f"{len(statements)} SQL statements")  # fmt: skip
    profiler = cProfile.Profile()
    profiler.enable()
    for k in range(half, n):
        one(k)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
