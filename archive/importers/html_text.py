"""HTML descriptions of schedule exports as Markdown: paragraphs, lists, links and emphasis kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_LOOKS_HTML = re.compile(r"</?(p|br|ul|ol|li|a|em|strong|b|i|h[1-6]|div|span)\b[^>]*>", re.IGNORECASE)
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table", "tr"}
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**"}


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_HTML.search(text))


def html_to_markdown(text: str) -> str:
    """Markdown for an HTML fragment; plain text and Markdown come back with plain line ends only."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not looks_like_html(text):
        return text
    parser = _MarkdownWriter()
    parser.feed(text)
    parser.close()
    return parser.result()


class _MarkdownWriter(HTMLParser):
    """Collect Markdown blocks; a list item stays an item (`- ` or `1. `), never a paragraph of its own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.line: list[str] = []
        self.lists: list[list] = []  # one [tag, count] per open list
        self.prefix = ""
        self.link: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._flush()
            self.prefix = self._item_marker()
        elif tag in _BLOCKS:
            self._flush()
            self.prefix = "#### " if tag.startswith("h") and tag[1:].isdigit() else ""
        elif tag == "br":
            self._flush()
        elif tag in _EMPHASIS:
            self.line.append(_EMPHASIS[tag])
        elif tag == "a":
            self.link.append(dict(attrs).get("href") or "")
            self.line.append("[")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li" or tag in _BLOCKS:
            self._flush()
        elif tag in _EMPHASIS:
            self.line.append(_EMPHASIS[tag])
        elif tag == "a" and self.link:
            href = self.link.pop().strip()
            self.line.append(f"]({href})" if href.startswith(("http://", "https://", "mailto:")) else "]")

    def handle_data(self, data):
        self.line.append(re.sub(r"\s+", " ", data))

    def _item_marker(self) -> str:
        if not self.lists:
            return "- "
        self.lists[-1][1] += 1
        indent = "  " * (len(self.lists) - 1)
        kind, count = self.lists[-1]
        return f"{indent}{count}. " if kind == "ol" else f"{indent}- "

    def _flush(self) -> None:
        text = re.sub(r"\[\s*\]\([^)]*\)|\[\s*\]", "", "".join(self.line)).strip()
        self.line = []
        if text:
            self.blocks.append(("LIST" if self.prefix.lstrip()[:1] in ("-", *"0123456789") and self.prefix else "P",
                                self.prefix + text))
        self.prefix = ""

    def result(self) -> str:
        self._flush()
        out: list[str] = []
        for index, (kind, text) in enumerate(self.blocks):
            tight = kind == "LIST" and index and self.blocks[index - 1][0] == "LIST"
            out.append(("\n" if tight else "\n\n") + text if out else text)
        return "".join(out).strip()
