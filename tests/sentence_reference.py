"""The independent reference for the quote index's derived postings: its sentence documents indexed by Whoosh
itself, the old way, with the main index's analysis and the same deleted documents."""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from indexer.analysis import text_analyzer


def sentence_index(quotes, folder: Path):
    """A Whoosh index of the quote index's sentences in its document order, with its deletions (not merged away,
    so Whoosh's statistics count them as the quote index's do)."""
    searcher = quotes.searcher()
    folder.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(folder), Schema(id=ID(stored=True), text=TEXT(analyzer=text_analyzer(), phrase=True)))
    with ix.writer() as writer:
        for docnum in range(searcher.doc_count_all()):
            fields = searcher.stored_fields(docnum)
            writer.add_document(id=fields["id"], text=fields["text"])
    deleted = [n for n in range(searcher.doc_count_all()) if searcher.reader().is_deleted(n)]
    if deleted:
        writer = ix.writer()
        for docnum in deleted:
            writer.delete_document(docnum)
        writer.commit(merge=False)
    return ix
