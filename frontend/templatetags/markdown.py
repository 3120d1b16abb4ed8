"""Markdown for text people write (task descriptions), rendered and then sanitised.

Markdown passes raw HTML through, so its output is never trusted: nh3 (the Rust `ammonia`
sanitiser) keeps only a small allow-list of tags and attributes, drops every event handler,
style and script, allows only http, https and mailto links, and marks links rel="nofollow
noopener". Only the output of this filter may be marked safe in a template.
"""

from __future__ import annotations

from typing import Any

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]
MAX_SOURCE = 40_000


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML (a plain string; the filter marks it safe)."""
    source = str(text or "")[:MAX_SOURCE]
    html = markdown_lib.markdown(source, extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


@register.filter(name="markdown")
def markdown_filter(value: Any) -> SafeString:
    """{{ task.description|markdown }}: the sanitised HTML of a Markdown text."""
    return mark_safe(render_markdown(value))  # noqa: S308 - nh3 sanitised it just above
