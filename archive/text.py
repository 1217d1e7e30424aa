"""Markdown bodies as sanitised HTML for display and as plain text for indexing."""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4",
                "hr", "sup", "sub", "abbr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h\d|blockquote|pre)>|<br\s*/?>")


_local = threading.local()


def _markdown() -> markdown.Markdown:
    """One parser per thread, reset between texts: building a parser costs more than a short render."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    return parser


@lru_cache(maxsize=16384)
def to_html(text: str) -> str:
    """Render Markdown and sanitise it: Python-Markdown passes raw HTML through, so nh3 strips it."""
    rendered = _markdown().reset().convert(text)
    return nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


@lru_cache(maxsize=16384)
def to_plain(text: str) -> str:
    """Plain text of a Markdown body, paragraphs separated by blank lines, for indexing and quoting."""
    rendered = to_html(text)
    rendered = _BLOCK_END.sub("\n\n", rendered)
    plain = html.unescape(_TAG.sub("", rendered))
    paragraphs = [re.sub(r"[ \t]*\n[ \t]*", " ", p.strip()) for p in plain.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)
