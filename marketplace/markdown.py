"""Markdown for text people write (task descriptions, proposals), rendered and then sanitised.

One renderer for the pages (the `markdown` template filter) and the API (`*_html` fields).

Markdown passes raw HTML through, so its output is never trusted: nh3 (the Rust `ammonia`
sanitiser) keeps only a small allow-list of tags and attributes, drops every event handler,
style and script, allows only http, https and mailto links, and marks links rel="nofollow
noopener". Only the output of this filter may be marked safe in a template.
"""

from __future__ import annotations

import markdown as markdown_lib
import nh3

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
