"""The one table of export formats: name, label, media type, file extension, writer and where each is offered.

The web pages, the API and the CLI all list and write formats from here, by the same names. A writer
takes the quotes (or talks) as Citables and the options, and returns text or, for binary formats,
bytes. `json` has no writer here: it is the API's own shape, written by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from . import citations
from .briefing import build_briefing
from .briefing_docx import briefing_docx
from .citations import Citable
from .search_exports import search_csv, search_json
from .styles import DEFAULT_STYLE


@dataclass(frozen=True)
class ExportOptions:
    base_url: str = ""
    style: str = DEFAULT_STYLE
    title: str = ""


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    media_type: str
    extension: str
    write: Optional[Callable[[list[Citable], ExportOptions], "str | bytes"]]
    offered: tuple[str, ...] = ()  # "quote" (citation.exports), "basket", "talk" (cite.<name>), "search" (its results)
    old_name: str = ""  # an older spelling the CLI still accepts (`--format markdown`)
    styled: bool = False  # the writer uses the reference style, so links to it carry `style=`
    write_talk: Optional[Callable[[list[Citable], ExportOptions], str]] = None  # a talk's cite.<name>, when not `write`
    write_search: Optional[Callable[[str, list[dict], int], str]] = None  # (query, results, omitted): for "search"

    @property
    def binary(self) -> bool:
        return self.media_type.startswith("application/vnd.openxmlformats")


def _text(writer):
    return lambda items, options: writer(items, options.base_url)


def _talk_markdown(items: list[Citable], options: ExportOptions) -> str:
    """A talk's one citation as a Markdown line, where quotes get a list of quotations."""
    return citations.citation_markdown(items[0], options.base_url) + "\n"


def _docx(items: list[Citable], options: ExportOptions) -> bytes:
    return briefing_docx(build_briefing(items, options.style, options.base_url, options.title))


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("json", "JSON", "application/json", "json", None, ("quote", "search"), write_search=search_json),
    ExportFormat("csv", "CSV", "text/csv", "csv", _text(citations.quotes_csv), ("quote", "basket", "search"),
                 write_search=search_csv),
    ExportFormat("md", "Markdown", "text/markdown", "md", _text(citations.quotes_markdown), ("quote", "basket", "talk"),
                 old_name="markdown", write_talk=_talk_markdown),
    ExportFormat("txt", "Plain text", "text/plain", "txt", _text(citations.quotes_text), ("talk",)),
    ExportFormat("ris", "RIS", "application/x-research-info-systems", "ris", _text(citations.ris),
                 ("quote", "basket", "talk")),
    ExportFormat("bib", "BibTeX", "application/x-bibtex", "bib", _text(citations.bibtex), ("quote", "basket", "talk")),
    ExportFormat("csl", "CSL-JSON", "application/vnd.citationstyles.csl+json", "csl.json", _text(citations.csl_json),
                 ("quote", "talk")),
    ExportFormat("docx", "Word briefing",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", _docx,
                 ("quote", "basket"), styled=True),
)}


_UNWRITTEN = [f.name for f in FORMATS.values() if ("search" in f.offered) != (f.write_search is not None)]
if _UNWRITTEN:  # a format offered for searches writes them, and only such a format has a search writer
    raise RuntimeError(f"formats {_UNWRITTEN}: offered for searches without write_search, or the other way round")


class UnknownFormat(ValueError):
    """A format name not in the table; the message lists the known ones."""


def get_format(name: str) -> ExportFormat:
    """The format by its name (or an older spelling)."""
    for fmt in FORMATS.values():
        if name in (fmt.name, fmt.old_name):
            return fmt
    raise UnknownFormat("format must be one of: " + ", ".join(FORMATS))


def offered(place: str) -> list[ExportFormat]:
    """The formats offered in one place ("quote", "basket", "talk", "search"), in table order."""
    return [f for f in FORMATS.values() if place in f.offered]
