"""The one table of export formats: name, label, media type, file extension and writer.

The web pages, the API and the CLI all list and write formats from here. A writer takes the quotes (or
talks) as Citables and the options, and returns text or, for binary formats, bytes. `json` has no writer
here: it is the API's own shape, written by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from . import citations
from .briefing import build_briefing
from .briefing_docx import briefing_docx
from .citations import Citable
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
    cli_name: str = ""  # the CLI's older spelling, where it differs

    @property
    def binary(self) -> bool:
        return self.media_type.startswith("application/vnd.openxmlformats")


def _text(writer):
    return lambda items, options: writer(items, options.base_url)


def _docx(items: list[Citable], options: ExportOptions) -> bytes:
    return briefing_docx(build_briefing(items, options.style, options.base_url, options.title))


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("json", "JSON", "application/json", "json", None),
    ExportFormat("csv", "CSV", "text/csv", "csv", _text(citations.quotes_csv)),
    ExportFormat("md", "Markdown", "text/markdown", "md", _text(citations.quotes_markdown), cli_name="markdown"),
    ExportFormat("txt", "Plain text", "text/plain", "txt", _text(citations.quotes_text)),
    ExportFormat("ris", "RIS", "application/x-research-info-systems", "ris", _text(citations.ris)),
    ExportFormat("bib", "BibTeX", "application/x-bibtex", "bib", _text(citations.bibtex)),
    ExportFormat("csl", "CSL-JSON", "application/vnd.citationstyles.csl+json", "csl.json", _text(citations.csl_json)),
    ExportFormat("docx", "Word briefing",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", _docx),
)}


class UnknownFormat(ValueError):
    """A format name not in the table; the message lists the known ones."""


def get_format(name: str) -> ExportFormat:
    """The format by its name (or its CLI spelling)."""
    for fmt in FORMATS.values():
        if name in (fmt.name, fmt.cli_name):
            return fmt
    raise UnknownFormat("format must be one of: " + ", ".join(FORMATS))


def cli_names() -> list[str]:
    return [f.cli_name or f.name for f in FORMATS.values()]
