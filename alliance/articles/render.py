"""Article bodies: Markdown rendered to sanitised HTML, for clients that ask for HTML.

markdown-it-py (CommonMark) with raw HTML disabled turns the body into HTML; nh3 (the
Rust `ammonia` sanitiser) then keeps only an allow-list of tags and attributes and of
URL schemes, so that neither `<script>`, event attributes nor `javascript:` links reach a
reader, whatever the Markdown parser lets through. Links get `rel="noopener noreferrer"`.
No escaping is written by hand here.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    *("p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "a", "img"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}}
_SCHEMES = {"http", "https", "mailto"}


@functools.cache
def _parser() -> MarkdownIt:
    # "commonmark" with html off: raw HTML in the body is shown as text, not passed on.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_html(body: str) -> str:
    """The body as HTML safe to put in a page: no script, no event attribute, no
    `javascript:` (or any scheme but http, https, mailto) URL, no raw HTML."""
    html = _parser().render(body)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
    )
