"""Chinese and English text for search: jieba words and the skills' aliases.

The Elasticsearch we test on has no CJK analyzer (its `standard` analyzer splits Chinese into
single characters), so text is segmented here, in Python, with jieba and a custom dictionary
built from the skills taxonomy: 机器视觉 stays one word. The words, lowercased, go into a field
analysed by the built-in `whitespace` analyzer (and into the database backend's stored words).

A skill is known by several names: its Chinese name, its English label, its slug and common
abbreviations. `skills_in(text)` finds every skill a text names by any of them, so a task that
says "machine vision" and a query for 机器视觉 resolve to the same skill, at index time and at
query time alike.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import cached_property

import jieba

from accounts.selectors import skills_grouped

jieba.setLogLevel(logging.WARNING)

# Abbreviations and other names the taxonomy does not spell (slug -> extra aliases). The
# Chinese name, the English label, the slug and an abbreviation in the label's parentheses
# ("Advanced driver assistance (ADAS)") are aliases already.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "machine-vision": ("视觉检测", "工业视觉"),
    "computer-vision-ai": ("cv", "computer vision", "图像识别"),
    "machine-learning": ("ml", "深度学习", "deep learning", "人工智能", "ai"),
    "natural-language-processing": ("nlp", "大模型", "llm"),
    "industrial-iot": ("iiot", "iot", "物联网"),
    "plc-programming": ("plc",),
    "mes": ("mes",),
    "battery-management": ("bms", "电池管理"),
    "industrial-robotics": ("机器人", "robotics"),
    "cnc-machining": ("cnc",),
    "pcb-design": ("pcb", "电路板设计"),
    "fpga": ("fpga",),
    "ic-design": ("芯片设计", "chip design"),
    "rf-engineering": ("rf",),
    "ui-ux-design": ("ui设计", "ux", "交互设计"),
    "3d-modelling": ("三维建模", "3d modelling", "3d modeling"),
    "cloud-devops": ("devops", "云计算"),
    "web-development": ("web开发", "网站开发"),
    "mobile-apps": ("app开发", "移动开发"),
    "mini-programs": ("小程序", "mini program"),
    "emc-testing": ("emc",),
    "ccc-certification": ("3c认证", "ccc"),
    "big-data": ("大数据", "data analytics"),
    "gis": ("gis",),
    "nvh": ("nvh",),
    "autosar": ("autosar",),
    "adas": ("adas", "辅助驾驶", "智能驾驶"),
    "solar-pv": ("光伏", "pv"),
    "carbon-accounting": ("碳核算", "碳排放"),
    "patent-drafting": ("专利", "patent"),
    "tcm-research": ("tcm", "中医药"),
    "digital-twin": ("数字孪生",),
}

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
# How long a process keeps the taxonomy it read (the taxonomy changes with a data migration).
LEXICON_TTL_SECONDS = 300.0


@dataclass(frozen=True)
class SkillInfo:
    slug: str
    name_zh: str
    name_en: str
    category: str
    category_zh: str
    category_en: str
    aliases: tuple[str, ...]


class Lexicon:
    """The skills taxonomy as search sees it: aliases, categories and a jieba tokenizer."""

    def __init__(self, skills: list[SkillInfo]) -> None:
        self.skills = {s.slug: s for s in skills}
        self.by_alias: dict[str, str] = {}
        for skill in skills:
            for alias in skill.aliases:
                self.by_alias.setdefault(alias.lower(), skill.slug)
        self.categories: dict[str, list[str]] = {}
        for skill in skills:
            self.categories.setdefault(skill.category, []).append(skill.slug)

    @cached_property
    def tokenizer(self) -> jieba.Tokenizer:
        tokenizer = _base_tokenizer()
        for alias in self.by_alias:
            if _CJK.search(alias):
                # A high frequency makes the taxonomy's words win over jieba's own splits.
                tokenizer.add_word(alias, freq=200000)
        return tokenizer

    @cached_property
    def alias_pattern(self) -> re.Pattern[str] | None:
        if not self.by_alias:
            return None
        parts = []
        for alias in sorted(self.by_alias, key=len, reverse=True):
            escaped = re.escape(alias)
            # Latin aliases match whole words only ("ai" is not in "maintain").
            parts.append(escaped if _CJK.search(alias) else rf"(?<![a-z0-9]){escaped}(?![a-z0-9])")
        return re.compile("|".join(parts))


_lock = threading.Lock()
_cached: tuple[float, Lexicon] | None = None
_tokenizer: jieba.Tokenizer | None = None


def _base_tokenizer() -> jieba.Tokenizer:
    """One jieba tokenizer per process (loading its dictionary takes a second or two); the
    taxonomy's words are added to it, and adding a word twice changes nothing."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


def lexicon() -> Lexicon:
    """The taxonomy's lexicon, read from the database at most every few minutes per process."""
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _cached[0] < LEXICON_TTL_SECONDS:
            return _cached[1]
    built = Lexicon(_read_skills())
    with _lock:
        _cached = (now, built)
    return built


def lexicon_reset() -> None:
    """Forget the cached taxonomy (tests that change skills, the rebuild command)."""
    global _cached
    with _lock:
        _cached = None


def _read_skills() -> list[SkillInfo]:
    skills = []
    for category, members in skills_grouped():
        for skill in members:
            aliases = {skill.name_zh, skill.name_en, skill.slug, skill.slug.replace("-", " ")}
            abbreviation = re.search(r"\(([^)]+)\)", skill.name_en)
            if abbreviation:
                aliases.add(abbreviation.group(1))
                aliases.add(skill.name_en[: abbreviation.start()].strip())
            aliases.update(EXTRA_ALIASES.get(skill.slug, ()))
            skills.append(
                SkillInfo(
                    slug=skill.slug,
                    name_zh=skill.name_zh,
                    name_en=skill.name_en,
                    category=category.slug,
                    category_zh=category.name_zh,
                    category_en=category.name_en,
                    aliases=tuple(sorted(a.lower() for a in aliases if a)),
                )
            )
    return skills


def words(text: str) -> list[str]:
    """The lowercased jieba words of `text`, without spaces and punctuation."""
    if not text:
        return []
    tokens = lexicon().tokenizer.lcut(text.lower(), HMM=True)
    return [t.strip() for t in tokens if t.strip() and _WORD.search(t)]


def segmented(text: str) -> str:
    """`words(text)` joined by spaces: what the `*_words` fields and the database store."""
    return " ".join(words(text))


def skills_in(text: str) -> list[str]:
    """The slugs of the skills `text` names by any alias, in order of first mention."""
    pattern = lexicon().alias_pattern
    if not text or pattern is None:
        return []
    by_alias = lexicon().by_alias
    found: dict[str, None] = {}
    for match in pattern.finditer(text.lower()):
        found.setdefault(by_alias[match.group(0)], None)
    return list(found)


def skill_names(slugs: list[str]) -> str:
    """Every name of these skills, for the text fields (so "machine vision" finds 机器视觉)."""
    skills = lexicon().skills
    names: list[str] = []
    for slug in slugs:
        skill = skills.get(slug)
        if skill is not None:
            names.extend(skill.aliases)
    return " ".join(names)
