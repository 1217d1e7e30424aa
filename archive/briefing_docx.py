"""The briefing as a Word document (python-docx): quotes with endnote-style numbered references.

python-docx has no footnote API, so each quote carries a superscript number that points to a numbered
note under "Notes" at the end (endnote style), followed by the reference list and the sources.
"""

from __future__ import annotations

import html
import io
import re

from docx import Document
from docx.shared import Pt

from .briefing import Briefing

_ITALIC = re.compile(r"(<i>.*?</i>)", re.S)
_TAG = re.compile(r"<[^>]+>")


def briefing_docx(briefing: Briefing) -> bytes:
    """The .docx file's bytes."""
    doc = Document()
    doc.core_properties.title = briefing.title
    doc.core_properties.comments = briefing.statement
    doc.add_heading(briefing.title, level=0)
    doc.add_paragraph(briefing.statement).runs[0].italic = True
    doc.add_paragraph(f"References in {briefing.style_label} style. Made {briefing.made}.")
    for entry in briefing.entries:
        _add_quote(doc, entry)
    doc.add_heading("Notes", level=1)
    for entry in briefing.entries:
        _add_rich(doc.add_paragraph(f"{entry.number}. "), entry.reference_html)
    doc.add_heading("References", level=1)
    for reference, _ in briefing.references:
        _add_rich(doc.add_paragraph(), reference)
    doc.add_heading("Sources and rights", level=1)
    for line in briefing.sources:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _add_quote(doc, entry) -> None:
    quote = doc.add_paragraph(style="Quote")
    quote.add_run(f"“{entry.quote}”")
    marker = quote.add_run(str(entry.number))
    marker.font.superscript = True
    meta = doc.add_paragraph()
    meta.add_run(f"{entry.attribution} · {entry.talk} · {entry.session} · {entry.date}").font.size = Pt(9)


def _add_rich(paragraph, fragment: str) -> None:
    """Citeproc HTML as runs: <i> becomes italic, everything else plain text."""
    for part in _ITALIC.split(fragment):
        if part:
            paragraph.add_run(html.unescape(_TAG.sub("", part))).italic = part.startswith("<i>") or None
