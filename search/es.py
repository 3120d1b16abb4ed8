"""The Elasticsearch connection: one place that builds the client and names the indices.

Elasticsearch is optional (DESIGN §7): without ELASTICSEARCH_URL search falls back to the
database, so `es_client()` returns None rather than failing. Every index name goes through
`index_name()` so that a deployment, or one test session, can share a cluster with others
under its own ELASTICSEARCH_INDEX_PREFIX.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from elasticsearch import Elasticsearch

# Short enough that a dead cluster degrades search instead of hanging a request; bulk
# rebuilds pass a longer per-call `request_timeout` where they need one.
REQUEST_TIMEOUT_SECONDS = 5.0
MAX_RETRIES = 2

_VALID_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9._+-]*$")


def es_client() -> Elasticsearch | None:
    """The client for settings.ELASTICSEARCH_URL, or None when search runs on the database."""
    url = settings.ELASTICSEARCH_URL
    if not url:
        return None
    return _client_for(url)


@lru_cache(maxsize=4)
def _client_for(url: str) -> Elasticsearch:
    # The client is thread-safe and pools its connections, so one per URL is shared; keying
    # on the URL keeps settings overrides (tests) from reusing a client for another cluster.
    return Elasticsearch(
        url,
        request_timeout=REQUEST_TIMEOUT_SECONDS,
        max_retries=MAX_RETRIES,
        retry_on_timeout=True,
    )


def index_name(base: str) -> str:
    """The concrete name of index (or alias) `base`, under settings.ELASTICSEARCH_INDEX_PREFIX."""
    prefix = settings.ELASTICSEARCH_INDEX_PREFIX
    name = f"{prefix}-{base}" if prefix else base
    if not _VALID_INDEX_NAME.match(name):
        raise ValueError(f"invalid Elasticsearch index name {name!r}: use lowercase a-z, 0-9, -_.+")
    return name


def server_version(client: Elasticsearch) -> str:
    """The version of the node we talk to, e.g. "8.19.21".

    Read from the nodes info API, not `client.info()`: the integ-test-zip distribution we test
    against lacks the module behind `GET /` and answers it with 405.
    """
    response = client.nodes.info(node_id="_local", filter_path="nodes.*.version")
    nodes = response["nodes"]
    return str(next(iter(nodes.values()))["version"])
