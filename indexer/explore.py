"""Exploring beyond a query: related talks (more like this) and the sessions-by-topics overview."""

from __future__ import annotations

from dataclasses import dataclass

from .lookup import TALK_KINDS
from .result_column import result_fields
from .store import IndexHandle

RELATED_COUNT = 5
RELATED_REMEMBERED = 4096  # talks whose related talks an open build keeps; then forgotten at once


def related_talks(handle: IndexHandle, ident: str, count: int = RELATED_COUNT) -> list[dict]:
    """Talks whose summaries share the most distinctive words with this one; found once per open build (Whoosh's
    more-like-this search costs about 7 ms at 10,000 talks, on every view of a talk page), read each time."""
    remembered = handle.attached("related talks", lambda _: {})
    found = remembered.get((ident, count))
    if found is None:
        if len(remembered) >= RELATED_REMEMBERED:
            remembered.clear()
        found = remembered[(ident, count)] = _related_documents(handle, ident, count)
    reader = handle.searcher().reader()
    return [result_fields(reader, docnum)["payload"] for docnum in found]


def _related_documents(handle: IndexHandle, ident: str, count: int) -> tuple[int, ...]:
    searcher = handle.searcher()
    docnum = searcher.document_number(id=ident)
    if docnum is None:
        return ()
    talks = handle.facets.selection("kind", list(TALK_KINDS)) - {docnum}
    text = result_fields(searcher.reader(), docnum)["body"]  # the body is not a stored field (result_column.py)
    if not text.strip():  # Whoosh would read an empty text from the stored fields, which hold no body
        return ()
    hits = searcher.more_like(docnum, "body", text=text, top=count, numterms=12, filter=talks)
    return tuple(hit.docnum for hit in hits)


@dataclass
class OverviewCell:
    session: str
    topic: str
    count: int


def session_topic_matrix(handle: IndexHandle, limit: int | None = None) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """Counts of talks, panels and Q&As per (session, topic), with sessions and topics in display order;
    the first `limit` sessions only, when given (the page must stay small on a large archive)."""
    table = handle.facets
    talks = table.selection("kind", list(TALK_KINDS))
    sessions = [s["id"] for s in handle.meta.get("catalogue", {}).get("sessions", [])][:limit]
    topics = [t["id"] for t in handle.meta.get("catalogue", {}).get("topics", [])]
    counts = {}
    for session in sessions:
        in_session = talks & table.selection("session", [session])
        for topic in topics:
            counts[(session, topic)] = len(in_session & table.selection("topic", [topic]))
    return sessions, topics, counts
