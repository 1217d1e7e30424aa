"""Exploring beyond a query: related talks (more like this) and the sessions-by-topics overview."""

from __future__ import annotations

from dataclasses import dataclass

from .lookup import TALK_KINDS
from .result_column import result_fields
from .store import IndexHandle

RELATED_COUNT = 5


def related_talks(handle: IndexHandle, ident: str, count: int = RELATED_COUNT) -> list[dict]:
    """Talks whose summaries share the most distinctive words with this one."""
    searcher = handle.searcher()
    docnum = searcher.document_number(id=ident)
    if docnum is None:
        return []
    talks = handle.facets.selection("kind", list(TALK_KINDS)) - {docnum}
    reader = searcher.reader()
    text = result_fields(reader, docnum)["body"]  # the body is not a stored field (result_column.py)
    if not text.strip():  # Whoosh would read an empty text from the stored fields, which hold no body
        return []
    hits = searcher.more_like(docnum, "body", text=text, top=count, numterms=12, filter=talks)
    return [result_fields(reader, hit.docnum)["payload"] for hit in hits]


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
