"""Every hot path within its budget of SQL statements and Redis commands (marketplace/budgets.py).

Requests go through the real stack: token authentication for the API, a signed-in session for
the pages, Redis for the cache and the throttles, PostgreSQL. Redis commands are counted where
redis-py packs them, so the cache, the throttles, Celery's broker (after-commit work runs inside
the measured block, Celery not eager) and the channel layer all count, pipelined or not.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.api.auth import BUDGET as SIGN_IN
from accounts.api.notifications import BADGE_BUDGET
from accounts.models import Notification
from bids.api.views import BUDGETS as BIDS
from bids.models import Bid
from contracts.api.views import AWARD_BUDGET
from contracts.services.award import contract_award
from frontend.views.contracts import CONTRACT_PAGE_BUDGET
from frontend.views.pages import DASHBOARD_BUDGET
from frontend.views.tasks import BROWSE_PAGE_BUDGET, TASK_PAGE_BUDGET
from marketplace.budgets import Budget
from tasks.api.posting import BROWSE_API_BUDGET, TASK_API_BUDGET
from tests.accounts.factories import DEFAULT_PASSWORD, ProviderProfileFactory, UserFactory
from tests.api_helpers import API
from tests.bids.factories import BidFactory
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


class RedisCommands:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.handshakes: list[str] = []


# Set while a connection says hello (HELLO, AUTH, CLIENT SETINFO, SELECT and the health
# check's PING): a new connection's handshake is not a command of the request. Which request
# opens a pooled connection is luck (the award's after-commit work sometimes did), and a
# server has its connections open already.
_handshaking: contextvars.ContextVar[bool] = contextvars.ContextVar("handshaking", default=False)


@pytest.fixture
def redis_commands(monkeypatch: pytest.MonkeyPatch) -> RedisCommands:
    """Every Redis command redis-py sends, from its sync clients (the cache, Celery's broker)
    and its asyncio ones (the channel layer), single or pipelined; not the handshakes of new
    connections (counted apart, in `handshakes`)."""
    from redis.asyncio.connection import AbstractConnection as AsyncConnection
    from redis.connection import AbstractConnection, PythonRespSerializer

    counter = RedisCommands()

    def counting(pack: Any) -> Any:
        def counting_pack(self: Any, *args: Any) -> Any:
            name = args[0]
            name = name.decode() if isinstance(name, bytes) else str(name)
            (counter.handshakes if _handshaking.get() else counter.names).append(name)
            return pack(self, *args)

        return counting_pack

    def handshake(on_connect: Any) -> Any:
        def saying_hello(self: Any, *args: Any, **kwargs: Any) -> Any:
            token = _handshaking.set(True)
            try:
                return on_connect(self, *args, **kwargs)
            finally:
                _handshaking.reset(token)

        return saying_hello

    def async_handshake(on_connect: Any) -> Any:
        async def saying_hello(self: Any, *args: Any, **kwargs: Any) -> Any:
            token = _handshaking.set(True)
            try:
                return await on_connect(self, *args, **kwargs)
            finally:
                _handshaking.reset(token)

        return saying_hello

    monkeypatch.setattr(PythonRespSerializer, "pack", counting(PythonRespSerializer.pack))
    monkeypatch.setattr(AsyncConnection, "pack_command", counting(AsyncConnection.pack_command))
    monkeypatch.setattr(
        AbstractConnection,
        "on_connect_check_health",
        handshake(AbstractConnection.on_connect_check_health),
    )
    monkeypatch.setattr(
        AsyncConnection,
        "on_connect_check_health",
        async_handshake(AsyncConnection.on_connect_check_health),
    )
    return counter


@pytest.fixture
def warm_broker() -> None:
    """What a running server did once, long ago: its broker connection opened its channel
    (PING) and declared the task queues (LLEN per priority, SADD per binding). Without this
    the first test to send a Celery task in a worker process pays for all workers' setup, so
    a budget would pass or fail by test order."""
    from marketplace.celery import app

    with app.producer_or_acquire() as producer:
        for queue in app.amqp.queues.values():
            producer.maybe_declare(queue)


@pytest.fixture
def within(
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
    redis_commands: RedisCommands,
    warm_broker: None,
) -> Any:
    """`with within(budget): ...` fails when the block takes more than the budget."""

    @contextmanager
    def check(budget: Budget) -> Iterator[None]:
        start = len(redis_commands.names)
        with (
            django_assert_max_num_queries(budget.queries),
            django_capture_on_commit_callbacks(execute=True),
        ):
            yield
        used = redis_commands.names[start:]
        assert len(used) <= budget.redis, f"{len(used)} Redis commands > {budget.redis}: {used}"

    return check


def test_the_redis_counter_counts_pipelined_commands(redis_commands: RedisCommands) -> None:
    """The counter itself can fail: a pipeline of three is three commands."""
    from django.core.cache import cache

    client = cache.redis_client()  # type: ignore[attr-defined]
    before = len(redis_commands.names)
    pipe = client.pipeline(transaction=False)
    pipe.incr(cache.make_key("budget-probe"))
    pipe.expire(cache.make_key("budget-probe"), 5)
    pipe.get(cache.make_key("budget-probe"))
    pipe.execute()
    assert redis_commands.names[before:] == ["INCRBY", "EXPIRE", "GET"]


def test_the_redis_counter_leaves_out_a_new_connections_handshake(
    redis_commands: RedisCommands,
) -> None:
    """A fresh connection's HELLO, CLIENT SETINFO and SELECT are not the request's commands:
    whichever request happens to open a pooled connection costs the same as the next one."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL, db=1)
    try:
        client.get("budget-probe")  # opens the connection: handshake, then GET
        client.get("budget-probe")
    finally:
        client.close()
    assert redis_commands.names == ["GET", "GET"]
    assert "HELLO" in redis_commands.handshakes or "SELECT" in redis_commands.handshakes, (
        redis_commands.handshakes
    )


def test_the_cache_builds_its_redis_client_once_per_process() -> None:
    """Django builds a redis-py client (a table of a few hundred callbacks) for every cache
    call; ours builds it once and shares it, with its one pool, across cache objects."""
    from django.core.cache import caches
    from django.core.cache.backends.base import BaseCache

    first = caches.create_connection("default")
    second = caches.create_connection("default")  # another thread's or request's object
    assert isinstance(first, BaseCache)
    client = first.redis_client()  # type: ignore[attr-defined]
    assert client is first.redis_client()  # type: ignore[attr-defined]
    assert client is second.redis_client()  # type: ignore[attr-defined]
    first.set("budget-probe-reused", 1, 5)
    assert second.get("budget-probe-reused") == 1


def api_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def page_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bid_body(amount: int = 60_000_00) -> dict[str, Any]:
    return {
        "amount": amount,
        "duration_days": 60,
        "proposal": "我们有十年工业视觉经验，曾为三家主机厂交付同类检测方案，可复用缺陷样本库。",
        "milestones": [
            {"title": "方案设计", "amount": amount // 2, "due_days": 20},
            {"title": "实施与验证", "amount": amount - amount // 2, "due_days": 60},
        ],
    }


@pytest.fixture
def market() -> dict[str, Any]:
    """A page of open tasks with bids, a provider with a contract and notifications."""
    tasks = [TaskFactory() for _ in range(6)]
    for task in tasks[:4]:
        for _ in range(3):
            BidFactory(task=task, provider=ProviderProfileFactory(firm=True))
    provider = ProviderProfileFactory()
    won = TaskFactory()
    winning = BidFactory(task=won, provider=provider, amount=50_000_00)
    contract = contract_award(actor=task_owner(won), bid=winning)
    for n in range(3):
        Notification.objects.create(
            recipient=provider.user, kind="bid_placed", title=f"n{n}", url="/",
            dedupe_key=f"budget-{n}",
        )  # fmt: skip
    return {"tasks": tasks, "user": provider.user, "contract": contract}


def test_placing_revising_and_withdrawing_a_bid_stay_within_budget(
    market: dict[str, Any], within: Any
) -> None:
    provider = ProviderProfileFactory()
    client = api_client(provider.user)
    task = market["tasks"][5]
    # The process's first broker connection says hello once; a server has it open already.
    warm = api_client(ProviderProfileFactory().user)
    with within(Budget(queries=100, redis=100)):
        warmed = warm.post(f"{API}/tasks/{task.pk}/bids/", bid_body(), format="json")
    assert warmed.status_code == 201
    with within(BIDS["place"]):
        placed = client.post(f"{API}/tasks/{task.pk}/bids/", bid_body(), format="json")
    assert placed.status_code == 201, placed.content
    bid_id = placed.json()["id"]
    with within(BIDS["revise"]):
        revised = client.put(f"{API}/bids/{bid_id}/", bid_body(61_000_00), format="json")
    assert revised.status_code == 200, revised.content
    assert [m["amount"] for m in revised.json()["milestones"]] == [30_500_00, 30_500_00]
    assert [r["revision"] for r in revised.json()["revisions"]] == [1, 2]
    with within(BIDS["withdraw"]):
        withdrawn = client.post(f"{API}/bids/{bid_id}/withdraw/")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == "withdrawn"


def test_the_201_of_a_bid_is_what_reading_it_back_gives(market: dict[str, Any]) -> None:
    """Built from the rows in hand, the response still equals a fresh read of the bid."""
    provider = ProviderProfileFactory(firm=True)
    client = api_client(provider.organization.memberships.get().user)
    task = market["tasks"][5]
    placed = client.post(
        f"{API}/tasks/{task.pk}/bids/", {**bid_body(), "provider": provider.pk}, format="json"
    )
    assert placed.status_code == 201, placed.content
    again = client.get(f"{API}/bids/{placed.json()['id']}/")
    assert placed.json() == again.json()


def test_award_stays_within_budget(market: dict[str, Any], within: Any) -> None:
    task = market["tasks"][0]
    bid = Bid.objects.filter(task=task).first()
    assert bid is not None
    client = api_client(task_owner(task))
    with within(AWARD_BUDGET):
        response = client.post(f"{API}/bids/{bid.pk}/award/")
    assert response.status_code == 201, response.content


READS = {
    "browse page": ("/tasks/", BROWSE_PAGE_BUDGET),
    "browse API": (f"{API}/tasks/", BROWSE_API_BUDGET),
    "task page": ("/tasks/{task}/", TASK_PAGE_BUDGET),
    "task API": (f"{API}/tasks/{{task}}/", TASK_API_BUDGET),
    "contract page": ("/contracts/{contract}/", CONTRACT_PAGE_BUDGET),
    "dashboard": ("/dashboard/", DASHBOARD_BUDGET),
    "notification badge": (f"{API}/notifications/unread-count/", BADGE_BUDGET),
}


@pytest.mark.parametrize("name", list(READS))
def test_read_paths_stay_within_budget(market: dict[str, Any], within: Any, name: str) -> None:
    path, budget = READS[name]
    user = market["user"]
    url = path.format(task=market["tasks"][0].pk, contract=market["contract"].pk)
    client = api_client(user) if url.startswith(API) else page_client(user)
    client.get(url)  # first use fills what is the same for everyone (the taxonomy)
    with within(budget):
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]


def test_the_browse_page_reads_its_tasks_without_distinct(
    market: dict[str, Any], within: Any
) -> None:
    """Invitation-only tasks a provider was invited to are found by a subquery, not a join,
    so the page and its count need no DISTINCT over every column of the task."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.models import TaskInvitation

    user = market["user"]
    invited = TaskFactory(visibility="invited")
    TaskInvitation.objects.create(
        task=invited, provider=user.provider_profile, invited_by=task_owner(invited)
    )
    client = page_client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tasks/")
    assert response.status_code == 200
    assert invited.title in response.content.decode()
    tasks = [q["sql"] for q in queries.captured_queries if 'FROM "tasks_task"' in q["sql"]]
    assert tasks, "the page read its tasks"
    assert not [sql for sql in tasks if "DISTINCT" in sql], tasks


def test_sign_in_stays_within_budget(within: Any) -> None:
    user = UserFactory()
    client = APIClient()
    with within(SIGN_IN):
        response = client.post(
            f"{API}/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
        )
    assert response.status_code == 200, response.content


def test_the_taxonomy_cache_is_dropped_when_a_skill_changes(
    django_assert_num_queries: Any,
) -> None:
    from accounts.models import Skill
    from accounts.selectors import skills_grouped

    skill = skills_grouped()[0][1][0]
    with django_assert_num_queries(0):
        assert skills_grouped()[0][1][0] == skill
    Skill.objects.filter(pk=skill.pk).first().save()  # type: ignore[union-attr]
    renamed = Skill.objects.get(pk=skill.pk)
    renamed.name_en = "Renamed for the budget test"
    renamed.save()
    assert skills_grouped()[0][1][0].name_en == "Renamed for the budget test"


def test_sends_from_outside_the_server_share_one_redis_connection(
    redis_commands: RedisCommands, settings: Any, live_channel_layer: Any
) -> None:
    """A Celery worker's broadcasts reuse one connection: only the first send connects.
    (live_channel_layer fails the test when the layer is not channels_redis on Redis.)"""
    from channels.layers import channel_layers

    from marketplace.realtime import group_send_now

    channel_layers.backends.pop("default", None)  # a fresh layer: no pool yet
    group_send_now("budget-probe", {"type": "probe"})
    second = len(redis_commands.names)
    group_send_now("budget-probe", {"type": "probe"})
    group_send_now("budget-probe", {"type": "probe"})
    later = redis_commands.names[second:]
    assert second > 0
    assert "HELLO" not in later, later
    assert "PING" not in later, later
    assert later, "the sends reached Redis"


def test_a_socket_message_stays_within_budget_and_hands_its_sends_to_the_loop(
    within: Any, redis_commands: RedisCommands
) -> None:
    """One message as the negotiation socket runs it in its worker thread (the user re-read,
    the locks and the capability check, the resend and rate read, the writes): within the
    statements of its budget, and no Redis at all from the thread. The room's broadcast and
    the notification are handed back, after commit, for the consumer's event loop."""
    from bids.consumers import MESSAGE_BUDGET, NegotiationConsumer
    from bids.negotiation import services
    from bids.negotiation.selectors import thread_get_for_user, thread_group
    from marketplace import notifications, realtime
    from tests.bids.factories import bid_operator

    bid = BidFactory()
    bidder = bid_operator(bid)
    opened, _created = services.thread_open(actor=bidder, bid=bid)
    consumer = NegotiationConsumer()
    consumer.scope = {"user": bidder}
    consumer.thread_id = opened.pk
    consumer.thread, _capabilities = thread_get_for_user(user=bidder, thread_id=opened.pk)
    sends: realtime.Sends = []
    deliveries: notifications.Deliveries = []
    with (
        within(MESSAGE_BUDGET),
        realtime.sends_handed_over(sends),
        notifications.deliveries_handed_over(deliveries),
    ):
        ack = consumer._action("message", {"type": "message", "body": "你好", "client_id": "b1"})
    assert ack is not None
    assert ack["type"] == "ack"
    assert ack["created"] is True
    assert [group for group, _message in sends] == [thread_group(opened.pk)]
    assert sends[0][1]["event"]["message"]["seq"] == ack["seq"]
    assert deliveries == [("negotiation_message", ack["id"], "")]
