"""Piece-work tasks in search: indexed with their mode, found by the mode facet, shown with a
piece-work badge; a provider's track record counts accepted units."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from search import services
from search.query import TaskQuery
from tests.piecework.setup import open_piecework
from tests.search.conftest import reindex, search_backend  # noqa: F401  (fixtures)
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_piecework_is_found_by_its_mode(reindex: Callable) -> None:  # noqa: F811
    terms = open_piecework(title="计件：零件尺寸检测")
    TaskFactory(title="招标：零件检测线设计", summary="检测线方案设计。", skills={"mes": 3})
    reindex()
    results = services.search_tasks(user=AnonymousUser(), query=TaskQuery(modes=("piecework",)))
    assert not results.degraded
    assert [hit.doc["title"] for hit in results.hits] == [terms.task.title]
    assert results.hits[0].doc["mode"] == "piecework"
    assert ("piecework", 1) in results.facets["mode"]
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("frontend:search") + "?mode=piecework")
    assert b'data-mode-badge="piecework"' in page.content
