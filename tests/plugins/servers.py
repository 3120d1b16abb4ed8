"""Fixtures for the real test servers: PostgreSQL, Redis, Elasticsearch, stripe-mock, Chromium.

`make test` always starts them (scripts/test-servers up) and exports their URLs, so a server
that does not answer is a broken setup: its fixture fails, naming the server and how to start
it, and never skips. The header of every run prints the version each server reports.

Each session gets its own namespace on the shared servers, so two runs on one machine (two
engineers, or CI beside a developer) cannot see each other's data: a unique Elasticsearch index
prefix, Redis key prefix (cache and channel layer) and Celery queue. What the session wrote to
Elasticsearch and Redis is deleted when it ends.

Under pytest-xdist every worker is a session of its own: the namespace is the run's token plus
the worker id (`t<run>-gw0`, `t<run>-gw1`, ...), so two workers of one run are as separate as
two runs (pytest-django gives each worker its own test database, `test_<name>_gw0`, ...). Each
worker deletes its own indices and keys when it ends; the controller, once every worker is done,
deletes whatever of the run is left (a worker that crashed cannot clean up after itself).
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

START_HINT = (
    "`make test` starts every test server; to run pytest by hand: "
    '`make services && eval "$(scripts/test-servers env)"`, then `.venv/bin/pytest ...`'
)
CHROMIUM = "/usr/bin/chromium"
PROBE_TIMEOUT_SECONDS = 5

# The run's token: made by the process pytest was started in (the controller under xdist) and
# handed to its workers in their workerinput (pytest_configure_node).
RUN_TOKEN = uuid.uuid4().hex[:10]
RUN_TOKEN_INPUT = "marketplace_run_token"


def server_missing(name: str, where: str, error: object) -> str:
    return f"{name} is not reachable at {where} ({error}). {START_HINT}"


# --- Per-session namespaces ---------------------------------------------------------------------


def session_token(config: pytest.Config) -> str:
    """`t<run>` for a run without xdist (and for the xdist controller), `t<run>-gw<N>` in a
    worker: the worker id keeps the workers of one run apart and says whose a leftover is."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return f"t{RUN_TOKEN}"
    return f"t{workerinput.get(RUN_TOKEN_INPUT, RUN_TOKEN)}-{workerinput['workerid']}"


def in_namespace(name: str, stem: str) -> bool:
    """Whether index, key or queue `name` belongs to the namespace `stem`: it is the stem or the
    stem followed by a separator. A bare prefix match is not enough: the stem `...-gw1` must not
    claim `...-gw10`, nor `t<run>` another run's `t<run>f...`."""
    return name == stem or (name.startswith(stem) and not name[len(stem)].isalnum())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """On the xdist controller: every worker's namespace derives from this run's token."""
    node.workerinput[RUN_TOKEN_INPUT] = RUN_TOKEN


def pytest_configure(config: pytest.Config) -> None:
    """Give this session its own index prefix, key prefix and queue before anything connects."""
    token = session_token(config)
    es_base = settings.ELASTICSEARCH_INDEX_PREFIX.lower()
    es_prefix = f"{es_base}-{token}" if es_base else token
    key_prefix = f"{settings.CACHE_KEY_PREFIX}:{token}"
    settings.ELASTICSEARCH_INDEX_PREFIX = es_prefix
    settings.CACHE_KEY_PREFIX = key_prefix
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    for conf in caches.values():
        if conf["BACKEND"].endswith("RedisCache"):
            conf["KEY_PREFIX"] = key_prefix
    settings.CACHES = caches
    layers: dict[str, Any] = {}
    for name, conf in settings.CHANNEL_LAYERS.items():
        layers[name] = dict(conf)
        if conf["BACKEND"].startswith("channels_redis"):
            layers[name]["CONFIG"] = {**conf.get("CONFIG", {}), "prefix": f"{key_prefix}:asgi"}
    settings.CHANNEL_LAYERS = layers
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{token}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue

    from marketplace.celery import app as celery_app

    # The Celery app reads Django's settings once, on first use; update it too in case that
    # already happened.
    celery_app.conf.task_default_queue = queue


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Delete the indices and keys this session created (best effort: never fail the run).

    A worker deletes its own namespace only: the other workers are still running. The xdist
    controller's namespace (`t<run>`) holds its workers' (`t<run>-gw<N>`); it ends after them.
    """
    _delete_session_indices()
    _delete_session_keys()


def _delete_session_indices() -> None:
    from search.es import es_client

    client = es_client()
    if client is None:
        return
    prefix = settings.ELASTICSEARCH_INDEX_PREFIX
    try:
        found = client.indices.get(
            index=f"{prefix}*",
            expand_wildcards="all",
            allow_no_indices=True,
            ignore_unavailable=True,
        )
        # Named one by one: deleting by wildcard needs action.destructive_requires_name=false.
        for name in found.body:
            if in_namespace(name, prefix):
                client.indices.delete(index=name, ignore_unavailable=True)
    except Exception as error:  # the cluster may be gone; leftovers carry a unique prefix
        print(f"\nwarning: could not delete this session's Elasticsearch indices: {error}")


def _delete_session_keys() -> None:
    if not settings.REDIS_URL:
        return
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=PROBE_TIMEOUT_SECONDS)
        with client:
            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            # Cache and channel layer keys; the session's queues (with kombu's priority lists
            # "<queue>\x06\x16<n>" and the probe queues "<queue>-probe-...") and kombu's
            # bindings of them ("_kombu.binding.<queue>", "_kombu.binding_permanent.<queue>").
            stems = [
                settings.CACHE_KEY_PREFIX,
                queue,
                f"_kombu.binding.{queue}",
                f"_kombu.binding_permanent.{queue}",
            ]
            for stem in stems:
                keys = [
                    key
                    for key in client.scan_iter(match=f"{_glob_escape(stem)}*", count=1000)
                    if in_namespace(key.decode(errors="replace"), stem)
                ]
                if keys:
                    client.delete(*keys)
    except Exception as error:
        print(f"\nwarning: could not delete this session's Redis keys: {error}")


def _glob_escape(text: str) -> str:
    """`text` as a literal in a Redis MATCH pattern."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


# --- Versions, printed in the header of every run ---------------------------------------------


def postgresql_version() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return f"not configured (DATABASE_URL unset: {db['ENGINE'].rsplit('.', 1)[-1]})"
    import psycopg

    # The maintenance database, as Django uses to create the test one: NAME may not exist yet.
    with psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=str(db.get("PORT") or 5432),
        user=db.get("USER"),
        password=db.get("PASSWORD"),
        dbname="postgres",
        connect_timeout=PROBE_TIMEOUT_SECONDS,
    ) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    assert row is not None
    return str(row[0])


def redis_version() -> str:
    if not settings.REDIS_URL:
        return "not configured (REDIS_URL unset)"
    import redis

    with redis.Redis.from_url(settings.REDIS_URL, socket_timeout=PROBE_TIMEOUT_SECONDS) as client:
        return str(client.info("server")["redis_version"])


def elasticsearch_version() -> str:
    from search.es import es_client, server_version

    client = es_client()
    if client is None:
        return "not configured (ELASTICSEARCH_URL unset)"
    return server_version(client.options(request_timeout=PROBE_TIMEOUT_SECONDS, max_retries=0))


def stripe_mock_version() -> str:
    """The Stripe-Mock-Version header of the server at STRIPE_API_BASE ("" if it has none)."""
    if not settings.STRIPE_API_BASE:
        return "not configured (STRIPE_API_BASE unset)"
    request = urllib.request.Request(  # noqa: S310 (the configured http:// URL)
        f"{settings.STRIPE_API_BASE}/v1/balance",
        headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY or 'sk_test_123'}"},
    )
    with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_SECONDS) as response:  # noqa: S310
        return str(response.headers.get("Stripe-Mock-Version", ""))


def chromium_version() -> str:
    if not shutil.which(CHROMIUM):
        return f"not installed ({CHROMIUM})"
    completed = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30, check=True
    )
    return completed.stdout.strip()


def _describe(probe: Any) -> str:
    try:
        return str(probe())
    except Exception as error:
        return f"UNREACHABLE ({type(error).__name__}: {error})"


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Printed once: pytest calls this hook in the process that reports (the controller under
    xdist, whose workers have no terminal), so the servers are probed once per run."""
    index_prefix = settings.ELASTICSEARCH_INDEX_PREFIX
    key_prefix = settings.CACHE_KEY_PREFIX
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    if config.pluginmanager.hasplugin("dsession"):  # the xdist controller: one per worker
        workers = len(config.getoption("tx") or [])
        who = f"this run ({workers} xdist workers, one namespace each)"
        index_prefix, key_prefix, queue = (
            f"{name}-gw<N>" for name in (index_prefix, key_prefix, queue)
        )
    else:
        who = "this session"
    return [
        "test servers:",
        f"  PostgreSQL     {_describe(postgresql_version)}",
        f"  Redis          {_describe(redis_version)}",
        f"  Elasticsearch  {_describe(elasticsearch_version)}",
        f"  stripe-mock    {_describe(stripe_mock_version)}",
        f"  Chromium       {_describe(chromium_version)}",
        f"  {who}: index prefix {index_prefix}, key prefix {key_prefix}, queue {queue}",
    ]


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_client() -> Iterator[Any]:
    """A redis-py client on REDIS_URL (the server behind the cache, channel layer and broker)."""
    import redis

    if not settings.REDIS_URL:
        pytest.fail(server_missing("Redis", "REDIS_URL (unset)", "no URL"))
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=PROBE_TIMEOUT_SECONDS)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(server_missing("Redis", settings.REDIS_URL, error))
    yield client
    client.close()


@pytest.fixture(scope="session")
def es_client() -> Any:
    """The project's Elasticsearch client (search.es), proven to answer."""
    from search.es import es_client as make_client
    from search.es import server_version

    client = make_client()
    if client is None:
        pytest.fail(server_missing("Elasticsearch", "ELASTICSEARCH_URL (unset)", "no URL"))
    try:
        server_version(client)
    except Exception as error:
        pytest.fail(server_missing("Elasticsearch", settings.ELASTICSEARCH_URL, error))
    return client


@pytest.fixture(scope="session")
def stripe_client() -> Any:
    """The project's Stripe client (payments.stripe_api), pointed at stripe-mock.

    Refuses to hand out a client that would reach anything but stripe-mock: a test must never
    talk to Stripe itself.
    """
    from payments.stripe_api import stripe_client as make_client

    if not settings.STRIPE_API_BASE or not settings.STRIPE_SECRET_KEY:
        pytest.fail(
            server_missing("stripe-mock", "STRIPE_API_BASE/STRIPE_SECRET_KEY (unset)", "no URL")
        )
    try:
        version = stripe_mock_version()
    except (urllib.error.URLError, OSError) as error:
        pytest.fail(server_missing("stripe-mock", settings.STRIPE_API_BASE, error))
    if not version:
        pytest.fail(
            f"{settings.STRIPE_API_BASE} answers without a Stripe-Mock-Version header: "
            f"it is not stripe-mock. {START_HINT}"
        )
    return make_client()


@pytest.fixture
def live_channel_layer(redis_client: Any) -> Any:
    """The configured channel layer, required to be channels_redis on the live Redis.

    Function-scoped: channels_redis binds its connections to the running event loop.
    """
    from channels.layers import get_channel_layer
    from channels_redis.core import RedisChannelLayer

    layer = get_channel_layer()
    if not isinstance(layer, RedisChannelLayer):
        pytest.fail(
            f"the channel layer is {type(layer).__name__}, not channels_redis: REDIS_URL must "
            f"be set. {START_HINT}"
        )
    return layer


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, the browser Playwright drives (`playwright install` cannot work here)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}. {START_HINT}")
    return CHROMIUM
