"""Fetch stored records from the index by id or by kind, for pages and the listing API."""

from __future__ import annotations

import numpy as np

from .key_lookup import live_document
from .postings import column_value
from .result_column import result_fields
from .store import IndexHandle

TALK_KINDS = ("talk", "panel", "qa")
PAGE_DATA = "record"  # the column of page data (schema.py: not among what every search result loads)
QUOTED = "quoted"  # the column of what a talk's quotes show of it


def get_record(handle: IndexHandle, ident: str, kinds: tuple[str, ...]) -> dict | None:
    """The stored page data of one record, or None when the id is unknown or of another kind."""
    searcher = handle.searcher()
    docnum = live_document(searcher.reader(), "id", ident)  # Whoosh's document_number scores every segment
    if docnum is None or kind_of(searcher.stored_fields(docnum)) not in kinds:
        return None
    return column_value(searcher.reader(), PAGE_DATA, docnum)


def quoted_talk(handle: IndexHandle, talk_id: str) -> dict | None:
    """What a talk's quotes show of it (page_data.quoted_talk), or None when the build holds no such talk."""
    reader = handle.searcher().reader()
    docnum = live_document(reader, "id", talk_id)
    return None if docnum is None else column_value(reader, QUOTED, docnum)


def list_records(handle: IndexHandle, kinds: tuple[str, ...], page: int, per_page: int) -> tuple[int, list[dict]]:
    """One page of records of the given kinds, in programme order, with the total count."""
    table = handle.facets
    docnums = table.in_programme_order(np.flatnonzero(table.selection_mask("kind", list(kinds)))).tolist()
    chosen = docnums[(page - 1) * per_page: page * per_page]
    reader = handle.searcher().reader()
    return len(docnums), [column_value(reader, PAGE_DATA, n) for n in chosen]


def stored_topics(handle: IndexHandle) -> dict[str, tuple[str, list[str]]]:
    """Every live talk's and speaker's kind and topics as the build stores them (what `confarchive topics diff`
    compares with a corpus)."""
    searcher = handle.searcher()
    reader = searcher.reader()
    return {fields["id"]: (kind_of(fields), list(result_fields(reader, docnum)["payload"].get("topics", [])))
            for docnum, fields in reader.iter_docs() if kind_of(fields) not in ("session", None)}


def kind_of(stored: dict) -> str | None:
    """A document's kind, from the facet values stored with it."""
    return next(iter(stored.get("facets", {}).get("kind", [])), None)
