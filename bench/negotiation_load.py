"""Load test of the negotiation socket, with a bare Channels echo consumer as its floor.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/negotiation_load.py \
        --rooms 200 --messages 20 --window 2 --repeats 3

It builds ROOMS negotiation rooms through the real services (tasks, one bid per provider, the
bid's thread), signs the poster's member and the bidder in (one session each), starts ONE
daphne process serving bench/echo_asgi.py (the product's ASGI application plus an echo socket)
on the Redis channel layer, and connects two clients per room. In each room the bidder sends
and the poster receives; latency is from the send to the peer's receipt of the broadcast (for
the negotiation socket the message is stored in PostgreSQL on the way, under the thread's
lock, numbered, once per client id). Both consumers broadcast to the room's group, the sender
included, so they move the same frames.

Rounds, each repeated and reported as medians, the echo and the negotiation side by side:
  saturate  every room keeps WINDOW messages in flight, MESSAGES per room: messages/s;
  half-rate every room sends at an even pace, the whole at half the echo's saturating rate,
            for SECONDS: p50/p95/p99 latency.
Memory per connection is the server's RSS with the 2 x ROOMS sockets open and idle, less its
RSS before they connected, divided by their number.

On a 2-core machine the clients, daphne, PostgreSQL and Redis share the cores: read the
ratios against the echo measured in the same run, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")


def _django() -> None:
    import django

    django.setup()


@dataclass
class Room:
    thread_id: int
    sender_cookie: str
    receiver_cookie: str


@dataclass
class World:
    run: str
    rooms: list[Room]
    task_ids: list[int] = field(default_factory=list)


def _session(user: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def build_world(*, rooms: int, per_task: int) -> World:
    """Posters, open tasks, one bid per provider and each bid's thread, through the services."""
    from django.utils import timezone

    from accounts.models import ProviderProfile, Skill, User
    from accounts.services import organization_create
    from bids.negotiation.services import thread_open
    from bids.services import bid_place
    from marketplace.terms import MilestoneTerms
    from tasks.services import task_create, task_submit

    run = uuid.uuid4().hex[:8]
    skill = Skill.objects.order_by("pk").first()
    if skill is None:
        raise SystemExit("The skills taxonomy is empty: run `manage.py migrate` first.")
    world = World(run=run, rooms=[])
    tasks = -(-rooms // per_task)
    for t in range(tasks):
        poster = User.objects.create_user(
            email=f"poster{t}-{run}@bench.invalid", password=None, name=f"Bench poster {t}"
        )
        org = organization_create(actor=poster, name=f"压测企业 {run}-{t}", kind="enterprise")
        task = task_create(
            actor=poster, organization=org, kind="engineering", title=f"洽谈压测 {run}-{t}",
            summary="Load-test task.", description="bench/negotiation_load.py made this task.",
            budget_min=10_000_00, budget_max=90_000_00,
            bid_deadline=timezone.now() + dt.timedelta(days=3),
            delivery_deadline=timezone.localdate() + dt.timedelta(days=60),
            skills={skill.pk: 5},
            milestones=[MilestoneTerms(title="全部成果", share_bps=10000, due_days=30)],
        )  # fmt: skip
        task_submit(actor=poster, task=task)
        world.task_ids.append(task.pk)
        poster_cookie = _session(poster)
        for n in range(min(per_task, rooms - t * per_task)):
            bidder = User.objects.create_user(
                email=f"p{t}x{n}-{run}@bench.invalid", password=None, name=f"Provider {t}.{n}"
            )
            profile = ProviderProfile.objects.create(
                user=bidder, headline="Bench provider", region="500103"
            )
            bid = bid_place(
                actor=bidder, task=task, provider=profile, amount=50_000_00, duration_days=30,
                proposal="压测投标：我们有丰富的同类项目经验，可以在三十天内完成全部交付。",
                milestones=[MilestoneTerms(title="全部成果", amount=50_000_00, due_days=30)],
            )  # fmt: skip
            thread, _created = thread_open(actor=bidder, bid=bid)
            world.rooms.append(Room(thread.pk, _session(bidder), poster_cookie))
    return world


def cleanup(world: World) -> None:
    from django.contrib.sessions.models import Session

    from accounts.models import Organization, User
    from bids.models import Bid, NegotiationMessage, NegotiationThread
    from tasks.models import Task

    threads = NegotiationThread.objects.filter(bid__task_id__in=world.task_ids)
    NegotiationMessage.objects.filter(thread__in=threads).delete()
    threads.delete()
    Bid.objects.filter(task_id__in=world.task_ids).delete()
    Task.objects.filter(pk__in=world.task_ids).delete()
    Organization.objects.filter(name__startswith=f"压测企业 {world.run}-").delete()
    users = User.objects.filter(email__endswith=f"-{world.run}@bench.invalid")
    keys = [room.sender_cookie.split("=", 1)[1] for room in world.rooms]
    keys += [room.receiver_cookie.split("=", 1)[1] for room in world.rooms]
    Session.objects.filter(session_key__in=keys).delete()
    try:
        users.delete()
    except Exception as exc:  # audit rows keep some users: say so, keep the rest clean
        print(f"(bench users kept: {type(exc).__name__})")


# --- a small websocket client (RFC 6455 text frames over asyncio streams) ------------------------
# Written here because the benchmark needs none of a library's features and Django's setup has
# already bound autobahn (through Daphne) to Twisted.


class Client:
    """One websocket: each text frame that arrives is handed to `on_frame(text)`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.on_frame: Any = lambda text: None
        self.task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            while True:
                head = await self.reader.readexactly(2)
                opcode, length = head[0] & 0x0F, head[1] & 0x7F
                if length == 126:
                    length = int.from_bytes(await self.reader.readexactly(2), "big")
                elif length == 127:
                    length = int.from_bytes(await self.reader.readexactly(8), "big")
                payload = await self.reader.readexactly(length)
                if opcode == 0x1:
                    self.on_frame(payload.decode())
                elif opcode == 0x9:
                    # Daphne pings every 20 s and closes a socket that has not answered within
                    # 30 s: without this pong every socket of a longer run (200 rooms take
                    # minutes) was dropped, and each round after that delivered nothing.
                    self._frame(0xA, payload)
                elif opcode == 0x8:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def send(self, text: str) -> None:
        self._frame(0x1, text.encode())

    def _frame(self, opcode: int, data: bytes) -> None:
        """One final, masked frame (a client masks every frame)."""
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            head = bytes([0x80 | opcode, 0x80 | n])
        elif n < 65536:
            head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
        self.writer.write(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def close(self) -> None:
        self.writer.write(bytes([0x88, 0x80]) + os.urandom(4))
        self.writer.close()
        self.task.cancel()


async def connect(port: int, path: str, cookie: str | None) -> Client:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: http://127.0.0.1:{port}",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    status = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    if b" 101 " not in status.split(b"\r\n", 1)[0]:
        raise SystemExit(f"websocket refused: {status[:200]!r}")
    return Client(reader, writer)


def send(client: Client, frame: str) -> None:
    client.send(frame)


# --- the two kinds of room --------------------------------------------------------------------


class Pair:
    """A room's two sockets: the sender (bidder) and the receiver (poster)."""

    def __init__(self, kind: str, room: Room, index: int) -> None:
        self.kind, self.room, self.index = kind, room, index
        self.sender: Client | None = None
        self.receiver: Client | None = None
        self.latencies: list[float] = []
        self.received = 0
        self.waiter: asyncio.Event = asyncio.Event()
        self.errors: list[dict[str, Any]] = []
        self.lost = 0

    async def open(self, port: int) -> None:
        if self.kind == "echo":
            path = f"/ws/bench-echo/{self.index}/"
            self.sender = await connect(port, path, None)
            self.receiver = await connect(port, path, None)
        else:
            path = f"/ws/negotiations/{self.room.thread_id}/"
            self.sender = await connect(port, path, self.room.sender_cookie)
            self.receiver = await connect(port, path, self.room.receiver_cookie)
        self.receiver.on_frame = self._on_receiver_frame
        self.sender.on_frame = self._on_sender_frame

    def _on_sender_frame(self, text: str) -> None:
        data = json.loads(text)
        if data.get("type") == "error":  # kept to say why a message never arrived
            self.errors.append(data)

    def _on_receiver_frame(self, text: str) -> None:
        now = time.perf_counter()
        data = json.loads(text)
        if self.kind == "echo":
            sent_at = data.get("t")
        elif data.get("type") == "message":
            sent_at = float(data["message"]["body"].split(" ", 1)[0])
        else:
            return  # ready, presence
        if sent_at is None:
            return
        self.latencies.append(now - float(sent_at))
        self.received += 1
        self.waiter.set()

    def fire(self) -> None:
        now = time.perf_counter()
        assert self.sender is not None
        if self.kind == "echo":
            send(self.sender, json.dumps({"t": now, "body": "你好，关于里程碑的问题"}))
        else:
            send(
                self.sender,
                json.dumps(
                    {
                        "type": "message",
                        "body": f"{now} 你好，关于里程碑的问题",
                        "client_id": uuid.uuid4().hex,
                    }
                ),
            )

    async def close(self) -> None:
        for client in (self.sender, self.receiver):
            if client is not None:
                client.close()


async def saturate(pairs: list[Pair], messages: int, window: int) -> tuple[float, list[float]]:
    """Every room keeps `window` messages in flight until `messages` reached the peer.

    A message that has not arrived after LOST_AFTER seconds is counted lost (channels_redis
    drops a group message when a channel is over capacity or the message expired; the
    negotiation socket would have answered an error frame) and the room stops for this round:
    messages per second count only what arrived.
    """

    async def room(pair: Pair) -> None:
        sent = 0
        while pair.received < messages:
            while sent < messages and sent - pair.received < window:
                pair.fire()
                sent += 1
            pair.waiter.clear()
            try:
                await asyncio.wait_for(pair.waiter.wait(), LOST_AFTER)
            except TimeoutError:
                pair.lost += sent - pair.received
                if pair.errors:
                    print(f"  {pair.kind} room {pair.index}: errors {pair.errors[-3:]}")
                return

    for pair in pairs:
        pair.latencies, pair.received = [], 0
    started = time.perf_counter()
    await asyncio.gather(*(room(p) for p in pairs))
    elapsed = time.perf_counter() - started
    delivered = sum(p.received for p in pairs)
    return delivered / elapsed, [x for p in pairs for x in p.latencies]


async def paced(pairs: list[Pair], rate: float, seconds: float) -> tuple[float, list[float]]:
    """All rooms together send `rate` messages/s at an even pace for `seconds`."""
    per_room = rate / len(pairs)
    interval = 1 / per_room
    count = max(1, int(seconds * per_room))

    async def room(pair: Pair, offset: float) -> None:
        await asyncio.sleep(offset)
        start = time.perf_counter()
        for n in range(count):
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pair.fire()
        deadline = time.perf_counter() + 30
        while pair.received < count and time.perf_counter() < deadline:
            pair.waiter.clear()
            try:
                await asyncio.wait_for(pair.waiter.wait(), 1)
            except TimeoutError:
                continue

    for pair in pairs:
        pair.latencies, pair.received = [], 0
    started = time.perf_counter()
    await asyncio.gather(*(room(p, i * interval / len(pairs)) for i, p in enumerate(pairs)))
    elapsed = time.perf_counter() - started
    delivered = sum(p.received for p in pairs)
    if delivered < count * len(pairs):
        print(f"  ({count * len(pairs) - delivered} paced messages lost or late)")
    return delivered / elapsed, [x for p in pairs for x in p.latencies]


# --- the server and the figures -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        # The per-user message limit is the product's; the bench measures the machinery.
        "NEGOTIATION_MESSAGES_PER_MINUTE": "1000000000",
        # As in production: notifications are queued for a worker, not delivered inline. The
        # queue is the bench's own and is dropped afterwards (no worker runs them).
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_QUEUE": f"bench-negotiation-{port}",
        # Its own channel-layer and cache namespace on the shared Redis.
        "CACHE_KEY_PREFIX": f"bench-negotiation-{port}",
    }
    daphne = str(ROOT / ".venv" / "bin" / "daphne")
    process = subprocess.Popen(  # noqa: S603
        [
            daphne, "-b", "127.0.0.1", "-p", str(port),
            # A busy machine may take longer than the default 5 s to accept 400 sockets.
            "--websocket_connect_timeout", "60",
            "bench.echo_asgi:application",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.time() + 180  # a busy 2-core machine starts Django slowly
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("daphne did not start: " + (process.stderr.read().decode()[-2000:]))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


LOST_AFTER = 60.0  # seconds: a busy 2-core machine can stall a socket for a long moment


def pct(values: list[float], q: float) -> float:
    if not values:  # every message of the round was lost: say so in the table (nan)
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def measure(args: argparse.Namespace, world: World, pid: int, port: int) -> None:
    results: dict[str, dict[str, list[float]]] = {}
    rooms = world.rooms
    for kind in ("echo", "negotiation"):
        base = rss_kib(pid)
        pairs = [Pair(kind, room, i) for i, room in enumerate(rooms)]
        for n in range(0, len(pairs), 20):  # connect in batches: daphne accepts steadily
            await asyncio.gather(*(p.open(port) for p in pairs[n : n + 20]))
        await asyncio.sleep(2)
        connected = rss_kib(pid)
        figures = results.setdefault(kind, {"rate": [], "p50": [], "p95": [], "p99": []})
        figures["kib_per_conn"] = [(connected - base) / (2 * len(pairs))]
        await saturate(pairs, 2, args.window)  # warm up
        for _ in range(args.repeats):
            rate, lat = await saturate(pairs, args.messages, args.window)
            figures["rate"].append(rate)
            figures["p50"].append(pct(lat, 0.50))
            figures["p95"].append(pct(lat, 0.95))
            figures["p99"].append(pct(lat, 0.99))
        figures["lost"] = [sum(p.lost for p in pairs)]
        results[kind]["pairs"] = pairs  # type: ignore[assignment]

    echo_rate = statistics.median(results["echo"]["rate"])
    half = echo_rate / 2
    for kind in ("echo", "negotiation"):
        pairs = results[kind]["pairs"]  # type: ignore[assignment]
        hp50, hp95, hp99, hrate = [], [], [], []
        for _ in range(args.repeats):
            rate, lat = await paced(pairs, half, args.seconds)  # type: ignore[arg-type]
            hrate.append(rate)
            hp50.append(pct(lat, 0.50))
            hp95.append(pct(lat, 0.95))
            hp99.append(pct(lat, 0.99))
        results[kind].update(hrate=hrate, hp50=hp50, hp95=hp95, hp99=hp99)
        for pair in pairs:  # type: ignore[attr-defined]
            await pair.close()

    med = {
        k: {f: statistics.median(v) for f, v in r.items() if f != "pairs"}
        for k, r in results.items()
    }
    print(f"\nrooms={len(rooms)} clients={2 * len(rooms)} server=1 daphne process (1 worker), "
          f"layer=channels_redis, cores={os.cpu_count()}, "
          f"repeats={args.repeats} (medians)")  # fmt: skip
    print(f"{'consumer':<13}{'msg/s sat':>10}{'p50':>8}{'p95':>8}{'p99':>8}   "
          f"{'@half msg/s':>11}{'p50':>8}{'p95':>8}{'p99':>8}"
          f"{'KiB/conn':>10}{'lost':>6}")  # fmt: skip
    for kind in ("echo", "negotiation"):
        m = med[kind]
        print(f"{kind:<13}{m['rate']:>10.0f}{m['p50']:>8.1f}{m['p95']:>8.1f}{m['p99']:>8.1f}   "
              f"{m['hrate']:>11.0f}{m['hp50']:>8.1f}{m['hp95']:>8.1f}{m['hp99']:>8.1f}"
              f"{m['kib_per_conn']:>10.1f}{m['lost']:>6.0f}")  # fmt: skip
    ratio = med["negotiation"]["rate"] / med["echo"]["rate"]
    print(f"negotiation / echo saturating msg/s: {ratio:.0%} (goal >= 50%)")
    print(f"negotiation p95 at half the echo's saturating rate ({half:.0f} msg/s): "
          f"{med['negotiation']['hp95']:.1f} ms (goal <= 25 ms)")  # fmt: skip


# --- where one message's server time goes (--profile N) ------------------------------------------


class Stages:
    """Server-side stage timings of one message at a time, taken by wrapping the product's own
    functions in this process (the consumer runs through the whole ASGI stack on the Redis
    layer and PostgreSQL, as under daphne)."""

    def __init__(self) -> None:
        self.current: dict[str, float] = {}
        self.rows: list[dict[str, float]] = []
        self.sql = 0

    def add(self, name: str, seconds: float) -> None:
        self.current[name] = self.current.get(name, 0.0) + seconds * 1000

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)
        stages = self

        if asyncio.iscoroutinefunction(original):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    stages.add(name, time.perf_counter() - started)

            setattr(owner, attr, timed_async)
        else:

            def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    stages.add(name, time.perf_counter() - started)

            setattr(owner, attr, timed)


def profile(count: int, *, verbose: bool = False) -> None:
    """Send `count` messages one after another in one room through the real consumer and print
    the median milliseconds per stage, and the SQL statements per message."""
    from channels.testing import WebsocketCommunicator
    from django.db import connection

    import bids.consumers as consumers
    from bids.negotiation import services
    from bids.selectors import bid_capabilities  # noqa: F401  (imported so the name exists)
    from marketplace import notifications, realtime
    from marketplace.asgi import application

    world = build_world(rooms=1, per_task=1)
    room = world.rooms[0]
    stages = Stages()
    for owner, attr, name in (
        (consumers.NegotiationConsumer, "websocket_receive", "1 consumer total"),
        (services, "message_post", "3 service (transaction, commit)"),
        (services, "_lock", "3a lock + permission"),
        (services, "_resent", "3b resend lookup"),  # before: every message; now: resends
        (services, "_sent_by", "3b+c resend lookup + rate (one read)"),
        (services, "_require_under_rate", "3c rate"),
        (services, "_append", "3d insert + marker"),
        (realtime, "group_send_now", "4 broadcast from the thread (on_commit)"),
        (realtime, "group_send_all", "4 broadcast from the consumer's loop"),
        (notifications, "_enqueue", "5 notification publish"),
    ):
        if hasattr(owner, attr):  # the stages of the code as it is (before and after)
            stages.wrap(owner, attr, name)
    statements = [0]
    statement_ms: dict[str, list[float]] = {}

    def count_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            stages.add("6 SQL (inside 3)", elapsed)
            statement_ms.setdefault(f"{statements[0]:>2} {sql[:110]}", []).append(elapsed * 1000)

    original_act = consumers.NegotiationConsumer.__dict__["_act"]  # a SyncToAsync

    async def act(self: Any, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original_act.__get__(self, type(self))(*args)
        finally:
            stages.add("2 _act (thread hop + action)", time.perf_counter() - started)

    consumers.NegotiationConsumer._act = act  # type: ignore[method-assign]
    original_inner = services.message_post

    def with_sql(**kwargs: Any) -> Any:
        with connection.execute_wrapper(count_sql):
            return original_inner(**kwargs)

    services.message_post = with_sql  # type: ignore[assignment]

    async def run() -> None:
        def headers(cookie: str) -> list[tuple[bytes, bytes]]:
            return [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"),
                    (b"cookie", cookie.encode())]  # fmt: skip

        path = f"/ws/negotiations/{room.thread_id}/"
        sender = WebsocketCommunicator(application, path, headers=headers(room.sender_cookie))
        receiver = WebsocketCommunicator(application, path, headers=headers(room.receiver_cookie))
        for c in (sender, receiver):
            assert (await c.connect(timeout=30))[0]
        totals = []
        for n in range(count + 3):
            stages.current = {}
            statements[0] = 0
            started = time.perf_counter()
            await sender.send_json_to(
                {"type": "message", "body": f"{n} 你好", "client_id": uuid.uuid4().hex}
            )
            while True:
                frame = await receiver.receive_json_from(timeout=30)
                if frame["type"] == "message":
                    break
            stages.add("0 send → peer receipt", time.perf_counter() - started)
            while True:  # the sender's ack and its own copy
                frame = await sender.receive_json_from(timeout=30)
                if frame["type"] == "ack":
                    break
            if n >= 3:  # warm-up
                stages.rows.append(stages.current)
                totals.append(statements[0])
        for c in (sender, receiver):
            await c.disconnect()
        names = sorted({k for row in stages.rows for k in row})
        print(f"\none room, {count} messages one after another (medians, ms):")
        for name in names:
            values = [row.get(name, 0.0) for row in stages.rows]
            print(f"  {name:<40}{statistics.median(values):>8.2f}")
        print(f"  SQL statements per message: {statistics.median(totals):.0f}")
        if verbose:
            for sql, values in statement_ms.items():
                print(f"  {statistics.median(values):>6.2f} ms  {sql}")

    try:
        asyncio.run(run())
    finally:
        cleanup(world)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--per-task", type=int, default=10, help="rooms (bids) per task")
    parser.add_argument("--messages", type=int, default=20, help="per room per saturate round")
    parser.add_argument("--window", type=int, default=2, help="messages in flight per room")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a paced round")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N",
        help="instead: N messages one after another, with the server's time per stage",
    )  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="with --profile: each statement")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database the server uses.")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL: the benchmark measures the Redis channel layer.")
    _django()
    if args.profile:
        profile(args.profile, verbose=args.verbose)
        return
    print(f"building {args.rooms} rooms through the services...")
    world = build_world(rooms=args.rooms, per_task=args.per_task)
    port = free_port()
    try:
        server = start_server(port)
    except BaseException:
        cleanup(world)
        raise
    try:
        asyncio.run(measure(args, world, server.pid, port))
    except BaseException:
        server.terminate()
        print((server.communicate(timeout=10)[1] or b"").decode()[-3000:])
        raise
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: do not leave it running
                server.kill()
                server.wait(timeout=10)
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).delete(f"bench-negotiation-{port}")
        if not args.keep:
            cleanup(world)


if __name__ == "__main__":
    main()
