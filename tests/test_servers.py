"""The test servers are the real thing: each test here fails if a server is missing or fake.

The rest of the suite trusts these servers: when a test elsewhere fails for what looks like an
infrastructure reason, these tests say which server is wrong.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
import uuid
from typing import Any

import elasticsearch
import jieba
import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from search.es import index_name, server_version
from tests.plugins.servers import stripe_mock_version

EXPECTED_STRIPE_MOCK = "v0.203.0"
EXPECTED_ES_LINE = "8.19."


@pytest.mark.django_db
def test_postgresql_15_or_newer_is_the_django_database() -> None:
    assert connection.vendor == "postgresql", (
        f"Django runs on {connection.vendor}: DATABASE_URL must point at PostgreSQL "
        '(`eval "$(scripts/test-servers env)"`)'
    )
    assert connection.pg_version >= 150000  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
    assert database.startswith("test_"), "pytest-django must run on its own test database"


def test_redis_is_version_7(redis_client: Any) -> None:
    version = redis_client.info("server")["redis_version"]
    assert version.startswith("7."), f"Redis {version}, expected 7.x"


def test_the_django_cache_stores_its_values_in_redis(redis_client: Any) -> None:
    cache.set("servers-probe", 4242, timeout=60)
    key = cache.make_key("servers-probe")
    assert key.startswith(f"{settings.CACHE_KEY_PREFIX}:"), "the session's key prefix is used"
    assert redis_client.get(key) == b"4242"
    assert cache.get("servers-probe") == 4242


@pytest.mark.asyncio
async def test_a_group_message_crosses_redis_between_two_channel_layers(
    live_channel_layer: RedisChannelLayer, redis_client: Any
) -> None:
    # A second layer object shares nothing in memory with the first: a message the first
    # receives from it can only have travelled through Redis.
    sender = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    group = f"probe-{uuid.uuid4().hex}"
    channel = await live_channel_layer.new_channel()
    await live_channel_layer.group_add(group, channel)
    try:
        assert redis_client.exists(f"{live_channel_layer.prefix}:group:{group}")
        await sender.group_send(group, {"type": "probe.message", "text": "你好"})
        message = await live_channel_layer.receive(channel)
    finally:
        await live_channel_layer.group_discard(group, channel)
        await sender.close_pools()
    assert message == {"type": "probe.message", "text": "你好"}


def test_elasticsearch_speaks_the_8_19_line_of_the_python_client(es_client: Any) -> None:
    version = server_version(es_client)
    assert version.startswith(EXPECTED_ES_LINE), f"Elasticsearch {version}"
    # The 8.x client refuses a 9.x server and the other way round.
    assert version.split(".")[0] == elasticsearch.__versionstr__.split(".")[0]


def test_elasticsearch_indexes_and_finds_a_chinese_document(es_client: Any) -> None:
    """The index layout the search app relies on: a standard field beside a whitespace one fed
    with words segmented by jieba (the test server has no CJK analyzers)."""
    index = index_name(f"servers-probe-{uuid.uuid4().hex[:8]}")
    assert index.startswith(f"{settings.ELASTICSEARCH_INDEX_PREFIX}-")
    title = "机器视觉缺陷检测算法研发"
    es_client.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={
            "properties": {
                "title": {"type": "text", "analyzer": "standard"},
                "title_words": {"type": "text", "analyzer": "whitespace"},
            }
        },
    )
    try:
        words = " ".join(jieba.lcut(title))
        es_client.index(
            index=index, id="1", document={"title": title, "title_words": words}, refresh=True
        )
        by_word = es_client.search(index=index, query={"match": {"title_words": "视觉"}})
        by_chars = es_client.search(index=index, query={"match_phrase": {"title": "缺陷检测"}})
        miss = es_client.search(index=index, query={"match": {"title_words": "区块链"}})
    finally:
        es_client.indices.delete(index=index)
    assert [hit["_id"] for hit in by_word["hits"]["hits"]] == ["1"]
    assert [hit["_id"] for hit in by_chars["hits"]["hits"]] == ["1"]
    assert miss["hits"]["total"]["value"] == 0


def test_stripe_mock_is_the_pinned_release(stripe_client: Any) -> None:
    assert stripe_mock_version() == EXPECTED_STRIPE_MOCK, (
        "stripe-mock was not built by scripts/test-servers (which stamps the release into "
        "Stripe-Mock-Version): stop it and run `scripts/test-servers up`"
    )


def test_a_payment_intent_in_fen_passes_stripe_mock_validation(stripe_client: Any) -> None:
    intent = stripe_client.v1.payment_intents.create(
        params={"amount": 12_345, "currency": "cny", "transfer_group": "contract:1"}
    )
    assert intent.object == "payment_intent"
    assert (intent.amount, intent.currency, intent.transfer_group) == (12_345, "cny", "contract:1")
    assert intent.last_response.headers["Stripe-Mock-Version"]


def test_stripe_mock_rejects_a_malformed_request(stripe_client: Any) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011 (tests do not import stripe)
        stripe_client.v1.payment_intents.create(params={"amount": "¥123", "currency": "cny"})
    error = raised.value
    assert type(error).__name__ == "InvalidRequestError"
    assert error.http_status == 400
    assert "amount" in str(error)


def test_stripe_mock_holds_us_to_our_pinned_api_version(stripe_client: Any) -> None:
    """stripe-mock runs with -strict-version-check: it answers our client (previous tests),
    refuses any other Stripe-Version, and names the version of its spec, which must be ours."""
    request = urllib.request.Request(  # noqa: S310 (the configured http:// URL)
        f"{settings.STRIPE_API_BASE}/v1/balance",
        headers={
            "Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}",
            "Stripe-Version": "2020-08-27",
        },
    )
    try:
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
    except urllib.error.HTTPError as refused:
        status, message = refused.code, json.loads(refused.read())["error"]["message"]
    else:
        pytest.fail(
            "stripe-mock accepted a foreign Stripe-Version: it runs without "
            "-strict-version-check. Stop it and run `scripts/test-servers up`."
        )
    assert status == 400, message
    assert f"'{settings.STRIPE_API_VERSION}'" in message, message
    balance = stripe_client.v1.balance.retrieve()
    assert balance.object == "balance"


def test_chromium_runs_headless(chromium_path: str) -> None:
    completed = subprocess.run(
        [chromium_path, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         "data:text/html;charset=utf-8,<p>众包</p>"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "<p>众包</p>" in completed.stdout, completed.stderr[-2000:]
