"""The `markdown` template filter: the kernel's sanitising renderer (marketplace/markdown.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from marketplace.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: Any) -> SafeString:
    """{{ task.description|markdown }}: the sanitised HTML of a Markdown text."""
    return mark_safe(render_markdown(value))  # noqa: S308 - nh3 sanitised it just above
