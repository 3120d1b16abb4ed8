"""The Elasticsearch backend: the same queries as the database backend, in the server's terms.

Text: `cross_fields` with operator AND over the `*_words` fields (every query word is a word of
the document), OR a phrase over the `standard` fields, OR a skill the query names. Matching:
weighted `constant_score` terms in the query phase, then a `rescore` of the top hits with a
nested (skill, level) query per required skill, its level read by `field_value_factor` and its
weight as boost, inside `function_score` with the same lifts as search.ranking. No scripts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from elasticsearch import (
    ApiError,
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
    TransportError,
    helpers,
)

from search import ranking
from search.backends import SearchUnavailable
from search.documents import PROVIDERS, TASKS, alias_name
from search.es import es_client
from search.query import (
    PROVIDER_DIRECTORY_FIELDS,
    PROVIDER_HIT_FIELDS,
    TASK_HIT_FIELDS,
    Hit,
    ProviderQuery,
    Results,
    TaskQuery,
    Terms,
    wanted_skills,
)

RESCORE_WINDOW = 200
FACET_SIZE = 20
TASK_TEXT = {
    "words": ["title_words^3", "summary_words", "description_words", "skill_words^2",
              "organization_words"],
    "standard": ["title^3", "summary", "description", "skill_text^2", "organization_name"],
}  # fmt: skip
PROVIDER_TEXT = {
    "words": ["name_words^3", "headline_words^2", "bio_words", "skill_words^2"],
    "standard": ["name^3", "headline^2", "bio", "skill_text^2"],
}
DOWN = (ConnectionError, ConnectionTimeout, TransportError)


def _client() -> Any:
    client = es_client()
    if client is None:
        raise SearchUnavailable("ELASTICSEARCH_URL is not set")
    return client


def text_query(terms: Terms, fields: dict[str, list[str]]) -> dict[str, Any]:
    should: list[dict[str, Any]] = []
    if terms.words:
        should.append(
            {
                "multi_match": {
                    "query": " ".join(terms.words),
                    "type": "cross_fields",
                    "operator": "and",
                    "fields": fields["words"],
                }
            }
        )
    if terms.phrase:
        should.append(
            {"multi_match": {"query": terms.phrase, "type": "phrase", "fields": fields["standard"]}}
        )
    if terms.skills:
        should.append({"terms": {"skills": list(terms.skills), "boost": 2.0}})
        should.append({"terms": {"skills_mentioned": list(terms.skills)}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def viewer_filter(viewer: Any) -> dict[str, Any]:
    """tasks.selectors.ListingViewer.may_list as a filter."""
    allowed: list[dict[str, Any]] = [{"term": {"visibility": "public"}}]
    if viewer.organization_ids:
        allowed.append({"terms": {"organization_id": list(viewer.organization_ids)}})
    if viewer.verified_provider:
        allowed.append({"term": {"visibility": "verified"}})
    if viewer.provider_ids:
        allowed.append(
            {
                "bool": {
                    "filter": [
                        {"term": {"visibility": "invited"}},
                        {"terms": {"invited_provider_ids": list(viewer.provider_ids)}},
                    ]
                }
            }
        )
    return {"bool": {"should": allowed, "minimum_should_match": 1}}


def region_filter(region: str) -> dict[str, Any]:
    if region.endswith("0000"):
        return {"term": {"province": region}}
    return {"term": {"region": region}}


def _facets(response: dict[str, Any], names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    aggs = response.get("aggregations", {})
    facets = {}
    for name in names:
        buckets = aggs.get(name, {}).get("buckets", [])
        facets[name] = [
            (str(b.get("key_as_string", b["key"])), b["doc_count"])
            for b in buckets
            if b["key"] != ""
        ]
    return facets


def _terms_agg(field: str) -> dict[str, Any]:
    return {
        "terms": {
            "field": field,
            "size": FACET_SIZE,
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
    }


def _results(response: dict[str, Any], page: int, size: int, facet_names: Iterable[str]) -> Results:
    hits = [
        Hit(id=int(h["_id"]), doc=h["_source"], score=float(h.get("_score") or 0.0))
        for h in response["hits"]["hits"]
    ]
    return Results(
        hits=hits,
        total=int(response["hits"]["total"]["value"]),
        page=page,
        page_size=size,
        facets=_facets(response, facet_names),
    )


def _provider_lift_functions(task: dict[str, Any]) -> list[dict[str, Any]]:
    functions: list[dict[str, Any]] = [
        {"weight": 1.0},
        {"field_value_factor": {"field": "credit", "factor": ranking.CREDIT_FACTOR, "missing": 0}},
        {"field_value_factor": {"field": "rating", "factor": ranking.RATING_FACTOR, "missing": 0}},
        {"field_value_factor": {"field": "completion_rate", "factor": ranking.COMPLETION_FACTOR,
                                "missing": 0}},
        {"field_value_factor": {"field": "on_time_rate", "factor": ranking.ON_TIME_FACTOR,
                                "missing": 0}},
        {"filter": {"term": {"verified": True}}, "weight": ranking.VERIFIED_LIFT},
        {"gauss": {"updated_at": {"origin": "now",
                                  "scale": f"{ranking.PROVIDER_RECENCY_SCALE_DAYS}d",
                                  "decay": ranking.DECAY}}, "weight": ranking.RECENT_LIFT},
    ]  # fmt: skip
    if task.get("province"):
        functions.append(
            {
                "filter": {"term": {"province": task["province"]}},
                "weight": ranking.SAME_PROVINCE_LIFT,
            }
        )
    return functions


def _task_lift_functions(provider: dict[str, Any]) -> list[dict[str, Any]]:
    functions: list[dict[str, Any]] = [
        {"weight": 1.0},
        {"filter": {"term": {"organization_verified": True}},
         "weight": ranking.TASK_VERIFIED_POSTER_LIFT},
        {"gauss": {"published_at": {"origin": "now", "scale": f"{ranking.TASK_RECENCY_SCALE_DAYS}d",
                                    "decay": ranking.DECAY}}, "weight": ranking.TASK_RECENT_LIFT},
    ]  # fmt: skip
    if provider.get("province"):
        functions.append(
            {"filter": {"term": {"province": provider["province"]}},
             "weight": ranking.SAME_PROVINCE_LIFT}
        )  # fmt: skip
    return functions


def _nested_overlap(path: str, field: str, pairs: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """One nested clause per skill: the document's `field` (level or weight) x the other side's
    number (a nested query's own boost is not applied to its children's scores: the factor is)."""
    return [
        {
            "nested": {
                "path": path,
                "score_mode": "sum",
                "query": {
                    "function_score": {
                        "query": {"term": {f"{path}.skill": slug}},
                        "functions": [
                            {"field_value_factor": {"field": f"{path}.{field}", "factor": boost}}
                        ],
                        "boost_mode": "replace",
                    }
                },
            }
        }
        for slug, boost in pairs
    ]


def _lifted(query: dict[str, Any], functions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "function_score": {
            "query": query,
            "functions": functions,
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


class ElasticBackend:
    name = "elasticsearch"

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(_client(), method)(**kwargs)
        except NotFoundError:
            raise
        except DOWN as error:
            raise SearchUnavailable(str(error)) from error
        except ApiError as error:
            if getattr(error, "status_code", 500) >= 500:
                raise SearchUnavailable(str(error)) from error
            raise

    # --- writing --------------------------------------------------------------------------

    def index(self, kind: str, docs: Iterable[dict[str, Any]], *, index: str | None = None) -> int:
        target = index or alias_name(kind)

        def actions() -> Iterator[dict[str, Any]]:
            for doc in docs:
                yield {"_op_type": "index", "_index": target, "_id": doc["id"], "_source": doc}

        try:
            ok, _errors = helpers.bulk(
                _client().options(request_timeout=60), actions(), chunk_size=1000, refresh=False
            )
        except DOWN as error:
            raise SearchUnavailable(str(error)) from error
        return int(ok)

    def delete(self, kind: str, ids: Iterable[int]) -> int:
        target = alias_name(kind)
        actions = [{"_op_type": "delete", "_index": target, "_id": i} for i in ids]
        if not actions:
            return 0
        try:
            ok, _errors = helpers.bulk(
                _client().options(request_timeout=60), actions, raise_on_error=False
            )
        except DOWN as error:
            raise SearchUnavailable(str(error)) from error
        return int(ok)

    def digests(self, kind: str) -> dict[int, str]:
        try:
            return {
                int(hit["_id"]): hit["_source"].get("digest", "")
                for hit in helpers.scan(
                    _client(),
                    index=alias_name(kind),
                    query={"query": {"match_all": {}}, "_source": ["digest"]},
                    size=2000,
                )
            }
        except DOWN as error:
            raise SearchUnavailable(str(error)) from error

    def get(self, kind: str, object_id: int) -> dict[str, Any] | None:
        try:
            response = self._call("get", index=alias_name(kind), id=str(object_id))
        except NotFoundError:
            return None
        return response["_source"]

    def refresh(self, kind: str) -> None:
        try:
            _client().indices.refresh(index=alias_name(kind))
        except DOWN as error:
            raise SearchUnavailable(str(error)) from error

    # --- searching ------------------------------------------------------------------------

    def _search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._call("search", index=alias_name(kind), body=body).body
        except NotFoundError as error:
            raise SearchUnavailable(f"the {kind} index does not exist yet") from error

    def search_tasks(
        self, query: TaskQuery, viewer: Any, *, took: list[int] | None = None
    ) -> Results:
        terms = Terms.parse(query.text)
        filters: list[dict[str, Any]] = [
            viewer_filter(viewer),
            {"range": {"bid_deadline": {"gt": "now"}}},
        ]
        if query.ids:
            filters.append({"ids": {"values": [str(i) for i in query.ids]}})
        if query.kinds:
            filters.append({"terms": {"kind": list(query.kinds)}})
        if query.modes:
            filters.append({"terms": {"mode": list(query.modes)}})
        skills = wanted_skills(query.skills, query.category)
        if skills:
            filters.append({"terms": {"skills": skills}})
        if query.budget_min is not None:
            filters.append({"range": {"budget_max": {"gte": query.budget_min}}})
        if query.budget_max is not None:
            filters.append({"range": {"budget_min": {"lte": query.budget_max}}})
        if query.region:
            filters.append(region_filter(query.region))
        if query.deadline_before:
            filters.append(
                {"range": {"bid_deadline": {"lt": f"{query.deadline_before.isoformat()}||+1d/d",
                                            "time_zone": "+08:00"}}}
            )  # fmt: skip
        if query.verified:
            filters.append({"term": {"organization_verified": True}})
        bool_query: dict[str, Any] = {"filter": filters}
        if terms:
            bool_query["must"] = [text_query(terms, TASK_TEXT)]
        sort = {
            "relevance": ["_score", {"published_at": "desc"}, {"_doc": "desc"}],
            "newest": [{"published_at": "desc"}, {"_doc": "desc"}],
            "deadline": [{"bid_deadline": "asc"}],
            "budget": [{"budget_max": "desc"}],
        }.get(query.sort, ["_score", {"published_at": "desc"}])
        body = {
            "query": {"bool": bool_query},
            "sort": sort,
            "from": (query.page - 1) * query.page_size,
            "size": query.page_size,
            "_source": list(TASK_HIT_FIELDS),
            "track_total_hits": True,
            "aggs": {
                "kind": _terms_agg("kind"),
                "mode": _terms_agg("mode"),
                "skills": _terms_agg("skills"),
                "categories": _terms_agg("categories"),
                "province": _terms_agg("province"),
            },
        }
        response = self._search(TASKS, body)
        if took is not None:
            took.append(int(response.get("took", 0)))
        return _results(response, query.page, query.page_size, list(body["aggs"]))  # type: ignore[call-overload]

    def search_providers(
        self,
        query: ProviderQuery,
        *,
        exclude: Iterable[int] = (),
        took: list[int] | None = None,
    ) -> Results:
        terms = Terms.parse(query.text)
        filters: list[dict[str, Any]] = []
        skills = wanted_skills(query.skills, query.category)
        if skills:
            filters.append({"terms": {"skills": skills}})
        if query.region:
            filters.append(region_filter(query.region))
        if query.verified:
            filters.append({"term": {"verified": True}})
        if query.availability:
            filters.append({"terms": {"availability": list(query.availability)}})
        bool_query: dict[str, Any] = {"filter": filters}
        excluded = [str(i) for i in exclude]
        if excluded:
            bool_query["must_not"] = [{"ids": {"values": excluded}}]
        if terms:
            bool_query["must"] = [text_query(terms, PROVIDER_TEXT)]
        sort = {
            "relevance": ["_score", {"credit": "desc"}],
            "rating": [{"rating": {"order": "desc", "missing": "_last"}}],
            "credit": [{"credit": "desc"}],
            "newest": [{"updated_at": "desc"}],
        }.get(query.sort, ["_score"])
        body = {
            "query": {"bool": bool_query},
            "sort": sort,
            "from": (query.page - 1) * query.page_size,
            "size": query.page_size,
            "_source": list(PROVIDER_DIRECTORY_FIELDS),
            "track_total_hits": True,
            "aggs": {
                "skills": _terms_agg("skills"),
                "categories": _terms_agg("categories"),
                "availability": _terms_agg("availability"),
                "province": _terms_agg("province"),
                "verified": _terms_agg("verified"),
            },
        }
        response = self._search(PROVIDERS, body)
        if took is not None:
            took.append(int(response.get("took", 0)))
        return _results(response, query.page, query.page_size, list(body["aggs"]))  # type: ignore[call-overload]

    # --- matching -------------------------------------------------------------------------

    def match_providers(
        self,
        task: dict[str, Any],
        *,
        exclude: Iterable[int],
        limit: int,
        now: datetime,
        took: list[int] | None = None,
    ) -> list[Hit]:
        weights = [(sw["skill"], int(sw["weight"])) for sw in task.get("skill_weights", [])]
        if not weights:
            return []
        must_not: list[dict[str, Any]] = [{"term": {"availability": "unavailable"}}]
        excluded = [str(i) for i in exclude]
        if excluded:
            must_not.append({"ids": {"values": excluded}})
        if task.get("organization_id"):
            must_not.append({"term": {"organization_id": task["organization_id"]}})
        functions = _provider_lift_functions(task)
        cheap = {
            "bool": {
                "filter": [{"terms": {"skills": [s for s, _w in weights]}}],
                "must_not": must_not,
                "should": [
                    {"constant_score": {"filter": {"term": {"skills": s}}, "boost": w * 1.0}}
                    for s, w in weights
                ],
            }
        }
        exact = _lifted(
            {"bool": {"should": _nested_overlap("skill_levels", "level", weights)}}, functions
        )
        body = {
            "query": _lifted(cheap, functions),
            "rescore": {
                "window_size": RESCORE_WINDOW,
                "query": {"rescore_query": exact, "query_weight": 0, "rescore_query_weight": 1},
            },
            "size": limit,
            "_source": list(PROVIDER_HIT_FIELDS),
        }
        response = self._search(PROVIDERS, body)
        if took is not None:
            took.append(int(response.get("took", 0)))
        hits = []
        for h in response["hits"]["hits"]:
            explanation = ranking.explain(task=task, provider=h["_source"], now=now)
            hits.append(Hit(int(h["_id"]), h["_source"], float(h["_score"]), explanation))
        # Ties (and float noise between the two engines) settle by id, as in the database.
        hits.sort(key=lambda hit: (-round(hit.score, 4), hit.id))
        return hits

    def match_tasks(
        self,
        provider: dict[str, Any],
        *,
        viewer: Any,
        exclude: Iterable[int],
        limit: int,
        now: datetime,
        took: list[int] | None = None,
    ) -> list[Hit]:
        levels = [(sl["skill"], int(sl["level"])) for sl in provider.get("skill_levels", [])]
        if not levels:
            return []
        must_not: list[dict[str, Any]] = []
        excluded = [str(i) for i in exclude]
        if excluded:
            must_not.append({"ids": {"values": excluded}})
        if provider.get("organization_id"):
            must_not.append({"term": {"organization_id": provider["organization_id"]}})
        functions = _task_lift_functions(provider)
        cheap = {
            "bool": {
                "filter": [
                    {"terms": {"skills": [s for s, _l in levels]}},
                    {"range": {"bid_deadline": {"gt": "now"}}},
                    viewer_filter(viewer),
                ],
                "must_not": must_not,
                "should": [
                    {"constant_score": {"filter": {"term": {"skills": s}}, "boost": lv * 1.0}}
                    for s, lv in levels
                ],
            }
        }
        exact = _lifted(
            {"bool": {"should": _nested_overlap("skill_weights", "weight", levels)}}, functions
        )
        body = {
            "query": _lifted(cheap, functions),
            "rescore": {
                "window_size": RESCORE_WINDOW,
                "query": {"rescore_query": exact, "query_weight": 0, "rescore_query_weight": 1},
            },
            "size": limit,
            "_source": list(TASK_HIT_FIELDS),
        }
        response = self._search(TASKS, body)
        if took is not None:
            took.append(int(response.get("took", 0)))
        hits = []
        for h in response["hits"]["hits"]:
            explanation = ranking.explain_task(task=h["_source"], provider=provider, now=now)
            hits.append(Hit(int(h["_id"]), h["_source"], float(h["_score"]), explanation))
        hits.sort(key=lambda hit: (-round(hit.score, 4), hit.id))
        return hits
