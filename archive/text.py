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


# what makes a text more than paragraphs of words for Markdown: a character with a meaning (emphasis, links, code,
# HTML, entities, escapes, headers), whitespace but spaces and newlines, control characters; a line that starts
# with a space (indented code), a list, header or rule mark, or a number with a full stop; a line ending in a space
_MARKUP = re.compile(r"[*_`\[\]<>&\\#|~{}]|[^\S \n]|[\x00-\x09\x0b-\x1f\x7f]|(?m:^(?:[ =+-]|\d+[.)])|[ ]$)")


def plain_paragraphs(text: str) -> str | None:
    """What Python-Markdown renders of a text that holds no Markdown, worked out directly: each run of lines
    between blank lines is one <p>; None for any other text. Most summaries and bios are such text, and
    rendering them was a twentieth of each build process (tests/test_text.py compares every case)."""
    if _MARKUP.search(text):
        return None
    paragraphs, lines = [], []
    for line in (*text.split("\n"), ""):
        if line:
            lines.append(line)
        elif lines:
            paragraphs.append("<p>" + "\n".join(lines) + "</p>")
            lines = []
    return "\n".join(paragraphs)


@lru_cache(maxsize=16384)
def to_html(text: str) -> str:
    """Render Markdown and sanitise it: Python-Markdown passes raw HTML through, so nh3 strips it."""
    rendered = plain_paragraphs(text)
    if rendered is None:
        rendered = _markdown().reset().convert(text)
    return nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def forget_rendered() -> None:
    """Empty to_html's and to_plain's caches: a build renders each text only while making its documents, and
    keeping every text of 10,000 talks twice over costs each build process tens of megabytes."""
    to_html.cache_clear()
    to_plain.cache_clear()


_LIST_TAG = re.compile(r"</?(ul|ol|li)>")
_ITEM_END, _LIST_START = "\x00", "\x01"


def _flatten_lists(rendered: str) -> str:
    """Make each list one paragraph whose items are joined by '; ', so an item is never a sentence alone."""
    out, depth, pos = [], 0, 0
    for match in _LIST_TAG.finditer(rendered):
        out.append(rendered[pos:match.start()])
        pos = match.end()
        tag = match.group(0)
        if tag in ("<ul>", "<ol>"):
            depth += 1
            out.append(f"<p>{_LIST_START}" if depth == 1 else _ITEM_END)
        elif tag in ("</ul>", "</ol>"):
            depth -= 1
            out.append("</p>" if depth == 0 else "")
        elif tag == "</li>":
            out.append(_ITEM_END)
    out.append(rendered[pos:])
    return "".join(out)


def _join_items(paragraph: str) -> str:
    parts = [p.strip() for p in paragraph.replace(_LIST_START, "").split(_ITEM_END) if p.strip()]
    return "".join(p + ("" if i == len(parts) - 1 else " " if p[-1] in ".!?;:" else "; ")
                   for i, p in enumerate(parts))


def _paragraphs(plain: str) -> list[str]:
    """Paragraphs of plain text; a list joins the paragraph before it when that one ends with a colon."""
    out: list[str] = []
    for raw in plain.split("\n\n"):
        paragraph = _join_items(re.sub(r"[ \t]*\n[ \t]*", " ", raw.strip()))
        if raw.strip().startswith(_LIST_START) and out and out[-1].endswith(":") and paragraph:
            out[-1] = f"{out[-1]} {paragraph}"
        elif paragraph:
            out.append(paragraph)
    return out


@lru_cache(maxsize=16384)
def to_plain(text: str) -> str:
    """Plain text of a Markdown body, paragraphs separated by blank lines, for indexing and quoting."""
    rendered = to_html(text)
    if "<li>" in rendered:
        rendered = _flatten_lists(rendered)
    rendered = _BLOCK_END.sub("\n\n", rendered)
    plain = html.unescape(_TAG.sub("", rendered))
    return "\n\n".join(_paragraphs(plain))
