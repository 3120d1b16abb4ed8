"""The two indices, `tasks` and `providers`, as elasticsearch-dsl documents.

Each is a versioned concrete index (`<prefix>-tasks-v<stamp>`) behind an alias (`<prefix>-tasks`)
that every read and write uses; a rebuild fills a new version and swaps the alias atomically
(search.indexing). Only core features of the server are used, so the same mappings work on the
integ-test distribution and on the official image:

- every text exists twice: `title` with the `standard` analyzer (CJK as single characters,
  English words) and `title_words` with the `whitespace` analyzer over jieba's words;
- skills are keywords (`skills`) and, for the level- and weight-aware match, a nested list of
  (skill, level) or (skill, weight) pairs scored with `field_value_factor` (no scripts).
"""

from __future__ import annotations

from typing import Any

from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    Float,
    InnerDoc,
    Integer,
    Keyword,
    Long,
    Nested,
    Text,
)

from search.es import index_name

TASKS = "tasks"
PROVIDERS = "providers"
KINDS = (TASKS, PROVIDERS)

INDEX_SETTINGS: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}


def Words() -> Text:
    """A field of space-separated jieba words (lowercased in Python)."""
    return Text(analyzer="whitespace")


class SkillWeight(InnerDoc):
    skill = Keyword()
    weight = Integer()


class SkillLevel(InnerDoc):
    skill = Keyword()
    level = Integer()


class TaskDocument(Document):
    title = Text(analyzer="standard")
    title_words = Words()
    summary = Text(analyzer="standard")
    summary_words = Words()
    description = Text(analyzer="standard")
    description_words = Words()
    skill_text = Text(analyzer="standard")
    skill_words = Words()
    organization_name = Text(analyzer="standard", fields={"raw": Keyword()})
    organization_words = Words()
    kind = Keyword()
    mode = Keyword()  # tender, contest or piece-work: a filter and a facet
    status = Keyword()
    visibility = Keyword()
    skills = Keyword()
    skills_mentioned = Keyword()
    categories = Keyword()
    skill_weights = Nested(SkillWeight)
    budget_min = Long()
    budget_max = Long()
    currency = Keyword()
    region = Keyword()
    province = Keyword()
    organization_id = Long()
    organization_verified = Boolean()
    invited_provider_ids = Long()
    bid_deadline = Date()
    delivery_deadline = Date()
    published_at = Date()
    digest = Keyword(index=False)

    class Index:
        name = TASKS
        settings = INDEX_SETTINGS


class ProviderDocument(Document):
    name = Text(analyzer="standard", fields={"raw": Keyword()})
    name_words = Words()
    headline = Text(analyzer="standard")
    headline_words = Words()
    bio = Text(analyzer="standard")
    bio_words = Words()
    skill_text = Text(analyzer="standard")
    skill_words = Words()
    skills = Keyword()
    skills_mentioned = Keyword()
    categories = Keyword()
    skill_levels = Nested(SkillLevel)
    region = Keyword()
    province = Keyword()
    availability = Keyword()
    verified = Boolean()
    is_firm = Boolean()
    organization_id = Long()
    day_rate = Long()
    rating = Float()
    reviews = Integer()
    completion_rate = Integer()
    on_time_rate = Integer()
    credit = Integer()
    contracts_completed = Integer()
    updated_at = Date()
    digest = Keyword(index=False)

    class Index:
        name = PROVIDERS
        settings = INDEX_SETTINGS


DOCUMENTS: dict[str, type[Document]] = {TASKS: TaskDocument, PROVIDERS: ProviderDocument}


def alias_name(kind: str) -> str:
    """The alias every read and write of `kind` goes through."""
    return index_name(kind)


def index_body(kind: str) -> dict[str, Any]:
    """Settings and mappings of a new concrete index of `kind`."""
    document = DOCUMENTS[kind]
    return {
        "settings": dict(INDEX_SETTINGS),
        "mappings": document._doc_type.mapping.to_dict(),
    }
