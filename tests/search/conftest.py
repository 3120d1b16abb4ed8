"""Search tests run on both backends: `search_backend` is "database" or "elasticsearch", and
`reindex()` writes every searchable object into it, as the indexing pipeline does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from search import indexing, text
from search.documents import KINDS, PROVIDERS, TASKS, alias_name
from search.models import SearchEntry


def _reset_elasticsearch(client: Any) -> None:
    for kind in KINDS:
        alias = alias_name(kind)
        if client.indices.exists_alias(name=alias):
            for name in list(client.indices.get_alias(name=alias).body):
                client.indices.delete(index=name, ignore_unavailable=True)
        indexing.ensure_index(kind)


@pytest.fixture(params=["database", "elasticsearch"])
def search_backend(request: pytest.FixtureRequest, settings: Any, db: Any) -> Iterator[str]:
    settings.SEARCH_BACKEND = request.param
    text.lexicon_reset()
    SearchEntry.objects.all().delete()
    if request.param == "elasticsearch":
        client = request.getfixturevalue("es_client")
        _reset_elasticsearch(client)
    else:
        # The database backend alone: nothing is written to Elasticsearch.
        settings.ELASTICSEARCH_URL = ""
    yield request.param
    text.lexicon_reset()


@pytest.fixture
def reindex(search_backend: str) -> Callable[[], None]:
    """Index every searchable task and provider now (and make them visible to queries)."""

    def run() -> None:
        from accounts.models import ProviderProfile
        from tasks.models import Task

        indexing.index_objects(TASKS, Task.objects.values_list("pk", flat=True))
        indexing.index_objects(PROVIDERS, ProviderProfile.objects.values_list("pk", flat=True))
        if search_backend == "elasticsearch":
            from search.es import es_client

            client = es_client()
            assert client is not None
            for kind in KINDS:
                client.indices.refresh(index=alias_name(kind))

    return run
