"""The form renderer writes selects exactly as Django's stock templates do, only faster."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from accounts.models import Skill, SkillCategory
from frontend.forms_tasks import TaskFilterForm
from marketplace.form_renderer import FormRenderer, select_html

STOCK = DjangoTemplates()
FAST = FormRenderer()


def both(widget: forms.Widget, name: str, value: Any) -> tuple[str, str]:
    return (
        widget.render(name, value, renderer=STOCK),
        widget.render(name, value, renderer=FAST),
    )


def taken(widget: forms.Widget, name: str, value: Any) -> bool:
    """Whether the fast path wrote it (so an equal pair is not the templates twice)."""
    context = widget.get_context(name, value, attrs=None)
    return select_html(context["widget"]) is not None


CASES: list[tuple[str, forms.Widget, Any]] = [
    (
        "plain, one selected, awkward text",
        forms.Select(
            attrs={"class": "mk-select", "required": True, "disabled": False, "data-x": 'a"b'},
            choices=[("", "—"), ("a&b", "Fish & <chips>"), ('q"uote', "it's")],
        ),
        "a&b",
    ),
    (
        "groups with lazy labels",
        forms.Select(
            choices=[
                ("", gettext_lazy("All skills")),
                (gettext_lazy("Region"), [("cq", "重庆"), ("sc", "四川")]),
                ("Other <group>", [("x", gettext_lazy("Keywords"))]),
            ]
        ),
        "sc",
    ),
    (
        "several selected",
        forms.SelectMultiple(choices=[("1", "one"), ("2", "two"), ("3", "three")]),
        ["1", "3"],
    ),
    ("nothing chosen, integer values", forms.Select(choices=[(1, "one"), (2, "two")]), None),
    ("null boolean", forms.NullBooleanSelect(), True),
    ("safe label", forms.Select(choices=[("s", mark_safe("<b>bold</b>"))]), "s"),
]


@pytest.mark.parametrize(("case", "widget", "value"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_select_reads_as_the_stock_templates_write_it(
    case: str, widget: forms.Widget, value: Any, language: str
) -> None:
    with translation.override(language):
        assert taken(widget, "field", value)
        stock, fast = both(widget, "field", value)
    assert fast == stock


def test_a_label_that_is_not_text_goes_through_the_templates() -> None:
    widget = forms.Select(choices=[(1, 1000), (2, 2.5)])
    assert not taken(widget, "n", 1)
    stock, fast = both(widget, "n", 1)
    assert fast == stock


def test_the_browse_filters_read_as_before() -> None:
    category = SkillCategory(name_zh="软件 & 数据", name_en="Software & data")
    skills = [
        Skill(slug="python", name_zh="Python", name_en="Python"),
        Skill(slug="ml", name_zh="机器学习", name_en="Machine learning"),
    ]
    groups = [(category, skills)]
    for data in ({}, {"skill": "ml", "kind": "research", "region": "CN-CQ", "sort": "budget"}):
        with translation.override("zh-hans"):
            stock = TaskFilterForm(data or None, groups=groups, renderer=STOCK)
            fast = TaskFilterForm(data or None, groups=groups, renderer=FAST)
            assert [str(f) for f in fast] == [str(f) for f in stock]
            assert 'value="ml" selected' in str(fast["skill"]) or not data
