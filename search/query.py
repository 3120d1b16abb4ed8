"""What a search asks and what it answers, the same for both backends.

`TaskQuery` and `ProviderQuery` are plain values (pages, the API and saved searches build them);
a backend answers with `Results`: the page of hits, the total, facets with counts and whether
search is degraded. The matching rules written in Python here (`text_matches`, the filters) are
the database backend's, and the Elasticsearch backend's queries say the same in its language;
the behaviour tests run on both.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search import text
from search.ranking import Explanation

PAGE_SIZE = 12
MAX_PAGE = 50
# Words a query may carry that say nothing (the index keeps them; a query need not match them).
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "我",
        "我们",
        "需要",
        "一个",
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "by",
    ]
)
TASK_SORTS = ("relevance", "newest", "deadline", "budget")
PROVIDER_SORTS = ("relevance", "rating", "credit", "newest")

# The fields of a document a hit carries: what pages and the API show of it, and what the
# ranking's explanation reads (search.ranking). Both backends return exactly these (the
# Elasticsearch backend as `_source` filtering, so the words and texts stay on the server).
TASK_HIT_FIELDS: tuple[str, ...] = (
    "id", "title", "summary", "kind", "mode", "visibility", "skills", "skill_weights",
    "budget_min", "budget_max", "currency", "region", "province", "organization_name",
    "organization_verified", "bid_deadline", "published_at",
)  # fmt: skip
PROVIDER_HIT_FIELDS: tuple[str, ...] = (
    "id", "name", "headline", "is_firm", "skills", "skill_levels", "region", "province",
    "availability", "verified", "rating", "reviews", "credit", "completion_rate",
    "on_time_rate", "contracts_completed", "updated_at",
)  # fmt: skip
# The directory also shows (and highlights) the start of a provider's bio; matching does not.
PROVIDER_DIRECTORY_FIELDS: tuple[str, ...] = (*PROVIDER_HIT_FIELDS, "bio")


def hit_doc(doc: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The part of `doc` a hit carries (fields it lacks stay out, as with `_source`)."""
    return {f: doc[f] for f in fields if f in doc}


@dataclass(frozen=True)
class Terms:
    """A query's text as the indices see it: its words, its phrase and the skills it names."""

    raw: str
    words: tuple[str, ...]
    phrase: str
    skills: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> Terms:
        raw = " ".join(raw.split())[:100]
        found = [w for w in text.words(raw) if w not in STOP_WORDS]
        return cls(
            raw=raw,
            words=tuple(dict.fromkeys(found))[:12],
            phrase=raw.lower(),
            skills=tuple(text.skills_in(raw)),
        )

    def __bool__(self) -> bool:
        return bool(self.words or self.skills or self.phrase)


@dataclass(frozen=True)
class TaskQuery:
    text: str = ""
    kinds: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()  # tender, contest, piecework
    skills: tuple[str, ...] = ()
    category: str = ""
    budget_min: int | None = None  # fen: the task's budget reaches at least this
    budget_max: int | None = None  # fen: the task's budget starts at most at this
    region: str = ""
    deadline_before: date | None = None  # bids close on or before this day
    verified: bool = False  # posted by a verified organization
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE
    ids: tuple[int, ...] = ()  # restrict to these tasks (a saved search checks one new task)

    def to_params(self) -> dict[str, Any]:
        params = asdict(self)
        params.pop("page"), params.pop("page_size"), params.pop("ids")
        if params["sort"] == "relevance":
            params.pop("sort")
        params["deadline_before"] = (
            self.deadline_before.isoformat() if self.deadline_before else None
        )
        return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items() if v}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TaskQuery:
        deadline = params.get("deadline_before")
        return cls(
            text=str(params.get("text", "")),
            kinds=tuple(params.get("kinds", ())),
            modes=tuple(params.get("modes", ())),
            skills=tuple(params.get("skills", ())),
            category=str(params.get("category", "")),
            budget_min=params.get("budget_min"),
            budget_max=params.get("budget_max"),
            region=str(params.get("region", "")),
            deadline_before=date.fromisoformat(deadline) if deadline else None,
            verified=bool(params.get("verified", False)),
            sort=str(params.get("sort", "relevance")),
        )


@dataclass(frozen=True)
class ProviderQuery:
    text: str = ""
    skills: tuple[str, ...] = ()
    category: str = ""
    region: str = ""
    verified: bool = False
    availability: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class Hit:
    id: int
    doc: dict[str, Any]
    score: float = 0.0
    explanation: Explanation | None = None


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    degraded: bool = False

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.page_size)))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def region_matches(doc_region: str, wanted: str) -> bool:
    """A province code (xx0000) matches the whole province; a district matches itself."""
    if not wanted:
        return True
    if wanted.endswith("0000"):
        return bool(doc_region) and doc_region[:2] == wanted[:2]
    return doc_region == wanted


def category_skills(category: str) -> list[str]:
    return text.lexicon().categories.get(category, []) if category else []


def wanted_skills(skills: tuple[str, ...], category: str) -> list[str]:
    """The skills a filter accepts: those named, and every skill of the category."""
    return sorted(set(skills) | set(category_skills(category)))


# --- The rules in Python (the database backend) -----------------------------------------------


def text_matches(terms: Terms, *, words: str, raw: str, doc: dict[str, Any]) -> bool:
    """Every word of the query is a word of the document, or the query is a phrase of its text,
    or the document has a skill the query names by any alias."""
    if not terms:
        return True
    if terms.words and all(f" {w} " in words for w in terms.words):
        return True
    if terms.phrase and terms.phrase in raw:
        return True
    named = set(terms.skills)
    return bool(named & (set(doc.get("skills", ())) | set(doc.get("skills_mentioned", ()))))


def _mark_pattern(terms: Terms) -> re.Pattern[str] | None:
    needles = set(terms.words)
    skills = text.lexicon().skills
    for slug in terms.skills:
        if slug in skills:
            needles.update(skills[slug].aliases)
    needles = {n for n in needles if n.strip()}
    if not needles:
        return None
    ordered = sorted(needles, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in ordered), re.IGNORECASE)


def highlight(value: str, terms: Terms, *, limit: int = 240) -> SafeString:
    """`value` escaped, cut to `limit` characters around the first match, matches in <mark>."""
    pattern = _mark_pattern(terms) if terms else None
    if pattern is None:
        cut = value[:limit] + ("…" if len(value) > limit else "")
        return mark_safe(escape(cut))  # noqa: S308 (escaped just now)
    first = pattern.search(value)
    start = max(0, (first.start() if first else 0) - limit // 3)
    part = value[start : start + limit]
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(part):
        out.append(escape(part[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(part[pos:]))
    prefix = "…" if start else ""
    suffix = "…" if start + limit < len(value) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 (every part escaped)
