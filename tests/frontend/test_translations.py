"""The zh-Hans catalogue: complete, compiled, placeholders intact, and pages that speak Chinese.

The catalogue is LOCALE_PATHS[0]/zh_Hans/LC_MESSAGES/django.po; its header records the
makemessages command that regenerates it. Both the .po and the compiled .mo are committed
(CI may lack gettext), so the .mo must say what the .po says.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory, UserFactory
from tests.bids.factories import BidFactory, bid_operator
from tests.frontend.contracts_setup import (
    awarded_contract,
    deliver,
    fund,
    poster_owner,
    provider_user,
)
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory, task_owner

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_PATH = CATALOGUE / "django.po"
MO_PATH = CATALOGUE / "django.mo"


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    """The live entries (obsolete ones are kept by makemessages but never used)."""
    return [e for e in po if not e.obsolete]


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


# --- (a) complete ------------------------------------------------------------------------------


def test_the_header_is_simplified_chinese_with_one_plural_form(po: polib.POFile) -> None:
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "makemessages -l zh_Hans" in po.header


def test_every_message_is_translated_and_none_is_fuzzy(po: polib.POFile) -> None:
    live = entries(po)
    assert len(live) > 1000
    untranslated = [label(e) for e in live if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [label(e) for e in live if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_messages_have_exactly_the_one_chinese_form(po: polib.POFile) -> None:
    wrong = [label(e) for e in entries(po) if e.msgid_plural and sorted(e.msgstr_plural) != [0]]
    assert wrong == []


# --- (b) the .mo says what the .po says ---------------------------------------------------------


def test_the_compiled_catalogue_matches_the_po(po: polib.POFile) -> None:
    with MO_PATH.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    assert mo.info().get("plural-forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    differences = []
    for e in entries(po):
        if e.msgid_plural:
            for n in (1, 2, 5):
                got = (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                if got != e.msgstr_plural[0]:
                    differences.append((label(e), n, got))
        else:
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)
            if got != e.msgstr:
                differences.append((label(e), got))
    assert differences == []


def test_the_compiled_catalogue_has_no_message_the_po_lacks(po: polib.POFile) -> None:
    with MO_PATH.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    in_po = {(f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid) for e in entries(po)}
    in_mo = {key[0] if isinstance(key, tuple) else key for key in mo._catalog}  # type: ignore[attr-defined]
    assert in_mo - {""} == in_po


# --- (d) placeholders --------------------------------------------------------------------------

PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")
BRACE = re.compile(r"\{(\w*)\}")


def percent_placeholders(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in PERCENT.finditer(text):
        name, kind = match.groups()
        found["%%" if kind == "%" else f"%({name}){kind}" if name else f"%{kind}"] += 1
    return found


def brace_placeholders(text: str) -> set[str]:
    return set(BRACE.findall(text))


def forms(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs to compare: zh uses its one form for every count, so the
    translation must carry what the English plural carries."""
    if entry.msgid_plural:
        return [(entry.msgid_plural, entry.msgstr_plural[0])]
    return [(entry.msgid, entry.msgstr)]


def test_python_placeholders_are_kept(po: polib.POFile) -> None:
    wrong = []
    for e in entries(po):
        if "python-format" not in e.flags:
            continue
        for source, translation in forms(e):
            want, got = percent_placeholders(source), percent_placeholders(translation)
            # Named placeholders may move; %% (a literal percent) must stay escaped.
            if set(want) != set(got) or want["%%"] != got["%%"]:
                wrong.append((label(e), dict(want), dict(got)))
    assert wrong == []


def test_named_placeholders_format_without_error(po: polib.POFile) -> None:
    broken = []
    for e in entries(po):
        if "python-format" not in e.flags:
            continue
        for source, translation in forms(e):
            names = {m.group(1) for m in PERCENT.finditer(source) if m.group(1)}
            if not names:
                continue
            try:
                translation % dict.fromkeys(names, 1)
            except (KeyError, ValueError, TypeError) as exc:
                broken.append((label(e), repr(exc)))
    assert broken == []


def test_brace_placeholders_are_kept(po: polib.POFile) -> None:
    wrong = []
    for e in entries(po):
        for source, translation in forms(e):
            if brace_placeholders(source) != brace_placeholders(translation):
                wrong.append((label(e), translation))
    assert wrong == []


# --- (c) pages in zh-Hans ----------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The words a person (or a screen reader) meets: text and the labelling attributes."""

    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(response: Any) -> str:
    assert response.status_code == 200
    parser = VisibleText()
    parser.feed(html(response))
    return " ".join(" ".join(parser.parts).split())


# English words of our templates that a zh-Hans page must not show.
ENGLISH_UI_WORDS = (
    "Milestones",
    "Milestone",
    "Budget",
    "Bids",
    "Contract",
    "Contracts",
    "Dashboard",
    "Description",
    "Delivery",
    "Duration",
    "Amount",
    "Status",
    "Provider",
    "Poster",
    "Terms",
    "Skills",
    "Review",
    "Reviews",
    "Accept",
    "Withdraw",
    "Award",
    "Sign out",
    "Find tasks",
    "Post a task",
    "closes in",
    "Credit",
)


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH_UI_WORDS if re.search(rf"\b{re.escape(w)}\b", text)]


def chinese(user: Any = None) -> Client:
    return signed_in(user, language="zh-hans") if user else Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


# The factories' names are English ("Organization 3", "Provider 7: ..."): these parties are
# named in Chinese, so any English left on the pages comes from the interface.
def chinese_task() -> Any:
    poster = OrganizationFactory(
        name="山城智能家电有限公司", owner=UserFactory(name="刘洋"), verified=True
    )
    return TaskFactory(organization=poster)


def chinese_provider(name: str = "李明") -> Any:
    return ProviderProfileFactory(
        user=UserFactory(name=name), headline="工业视觉与嵌入式开发", bio="十年工业自动化经验。"
    )


def chinese_bid(task: Any, **fields: Any) -> Any:
    return BidFactory(task=task, provider=chinese_provider(fields.pop("name", "李明")), **fields)


def chinese_contract() -> Any:
    return awarded_contract(task=chinese_task(), provider=chinese_provider())


@pytest.mark.django_db
def test_the_task_page_speaks_chinese() -> None:
    task = chinese_task()
    chinese_bid(task)
    text = visible_text(chinese().get(f"/tasks/{task.pk}/"))
    for heading in ("任务描述", "所需技能", "里程碑计划", "预算", "投标截止", "条款", "需求方"):
        assert heading in text
    assert english_words(text) == []


@pytest.mark.django_db
def test_the_task_page_speaks_chinese_to_its_poster() -> None:
    task = chinese_task()
    chinese_bid(task)
    text = visible_text(chinese(task_owner(task)).get(f"/tasks/{task.pk}/"))
    for words in ("份有效投标", "比较投标", "取消任务", "里程碑计划"):
        assert words in text
    assert english_words(text) == []


@pytest.mark.django_db
def test_browsing_tasks_speaks_chinese() -> None:
    chinese_task()
    text = visible_text(chinese().get("/tasks/"))
    for words in ("查找任务", "筛选", "关键词", "排序方式", "预算", "投标截止", "1 个任务"):
        assert words in text
    assert english_words(text) == []


@pytest.mark.django_db
def test_comparing_bids_and_the_award_question_speak_chinese() -> None:
    task = chinese_task()
    bid = chinese_bid(task)
    chinese_bid(task, name="王芳", amount=70_000_00)
    client = chinese(task_owner(task))
    compare = visible_text(client.get(f"/tasks/{task.pk}/bids/"))
    for words in ("比较投标", "有效投标", "您的预算", "方案", "里程碑", "设为入围", "选定中标"):
        assert words in compare
    assert english_words(compare) == []
    award = visible_text(client.get(f"/bids/{bid.pk}/award/"))
    for words in ("确认选定中标方", "合同金额", "工期", "合计", "确认中标并生成合同"):
        assert words in award
    assert english_words(award) == []


@pytest.mark.django_db
def test_the_bid_form_speaks_chinese() -> None:
    task = chinese_task()
    bid = chinese_bid(task)
    text = visible_text(chinese(bid_operator(bid)).get(f"/tasks/{task.pk}/bid/"))
    for words in ("修改投标", "您的报价", "工期（天）", "您的里程碑", "密封投标", "任务详情"):
        assert words in text
    assert english_words(text) == []


@pytest.mark.django_db
def test_the_contract_page_speaks_chinese_to_both_sides() -> None:
    contract = fund(chinese_contract())
    deliver(contract, 1)
    poster_text = visible_text(chinese(poster_owner(contract)).get(f"/contracts/{contract.pk}/"))
    for words in ("合同总额", "里程碑", "合同双方", "条款", "验收期", "验收通过", "要求修改"):
        assert words in poster_text
    assert english_words(poster_text) == []
    provider_text = visible_text(chinese(provider_user(contract)).get(f"/contracts/{contract.pk}/"))
    for words in ("您是服务商", "您的下一步", "需求方验收中", "交付此里程碑", "提交交付"):
        assert words in provider_text
    assert english_words(provider_text) == []


@pytest.mark.django_db
def test_my_contracts_and_the_dashboard_speak_chinese() -> None:
    contract = fund(chinese_contract())
    user = provider_user(contract)
    listing = visible_text(chinese(user).get("/contracts/"))
    for words in ("合同", "进行中", "已完成", "全部", "需求方：", "您是服务商"):
        assert words in listing
    assert english_words(listing) == []
    dashboard = visible_text(chinese(user).get("/dashboard/"))
    for words in ("工作台", "合同", "全部合同", "我的信用"):
        assert words in dashboard
    assert english_words(dashboard) == []
