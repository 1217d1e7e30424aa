"""A briefing: chosen quotes with who, where and when, numbered notes with formatted references, and sources.

One Briefing object feeds both the Word document (briefing_docx.py) and the HTML/print view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from .citations import ARCHIVE_NAME, Citable, attribution, csl_item, long_date, rights_statement, session_label, \
    source_title
from .styles import STYLES, formatted

STATEMENT = ("The archive holds summaries written about the talks, not transcripts: each quotation below is a "
             "sentence of a summary, not the speaker's own words.")
DEFAULT_TITLE = "Briefing: quotes from conference talk summaries"


@dataclass(frozen=True)
class Entry:
    """One quote with its note number and its reference in the chosen style."""

    number: int
    quote: str
    attribution: str
    speakers: tuple[str, ...]
    talk: str
    session: str
    date: str
    url: str
    reference_html: str
    reference_text: str


@dataclass
class Briefing:
    title: str
    style: str
    style_label: str
    statement: str
    entries: list[Entry]
    references: list[tuple[str, str]]  # (html, text) per talk, in the style's order
    sources: list[str] = field(default_factory=list)
    made: str = ""


def build_briefing(items: list[Citable], style: str, base_url: str, title: str = "") -> Briefing:
    """Number the quotes, format each reference in `style`, and list each talk once in the references."""
    accessed = date.today().isoformat()
    entries = [_entry(n, c, style, base_url, accessed) for n, c in enumerate(items, 1)]
    talks = {c.url.split("#")[0]: c for c in items}
    refs = [csl_item(_whole_talk(c), base_url, accessed) for c in talks.values()]
    references = sorted(((f["html"], f["text"]) for f in (formatted(r, style) for r in refs)),
                        key=lambda pair: pair[1].lower())
    return Briefing(title=title or DEFAULT_TITLE, style=style, style_label=STYLES[style], statement=STATEMENT,
                    entries=entries, references=references, sources=_sources(items), made=long_date(accessed))


def _entry(number: int, c: Citable, style: str, base_url: str, accessed: str) -> Entry:
    item = csl_item(c, base_url, accessed)
    reference = formatted(item, style)  # cached: the same quote in the same style renders once per process
    return Entry(number=number, quote=c.quote or c.title, attribution=attribution(c), speakers=c.speakers,
                 talk=c.title + (" (title supplied by the archive)" if c.title_editorial else ""),
                 session=session_label(c).capitalize() + (f": {c.session_title}" if c.session_title else ""),
                 date=long_date(c.date), url=item["URL"], reference_html=reference["html"],
                 reference_text=reference["text"])


def _whole_talk(c: Citable) -> Citable:
    """The talk a quote comes from, as the reference list cites it."""
    return replace(c, id=c.url.split("#")[0].rsplit("/", 1)[-1] or c.id, url=c.url.split("#")[0], quote="",
                   before="", after="")


def _sources(items: list[Citable]) -> list[str]:
    """One provenance and rights line per conference quoted."""
    lines = {}
    for c in items:
        where = c.source_url if c.source_url.startswith("http") else f"source page address {c.source_url or 'not recorded'}"
        lines[source_title(c)] = (f"{source_title(c)} ({c.organiser}): {where}; retrieved "
                                  f"{c.retrieved or 'not recorded'}; summaries by {c.summaries_by or 'not recorded'}. "
                                  f"{rights_statement(c) or 'Rights not recorded.'} Reproduced in {ARCHIVE_NAME}.")
    return list(lines.values())
