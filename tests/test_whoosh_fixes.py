"""The postings writer's field lengths, read whole (indexer/whoosh_fixes.py), against Whoosh's own per-document reads."""

from __future__ import annotations

import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import ID, TEXT, Schema
from whoosh.writing import SegmentWriter

import indexer  # noqa: F401 (installs the fixes)
from indexer.whoosh_fixes import _DecodedLengths

TEXTS = ["", "one", "two words", "a longer text of several words " * 40, "x " * 3000, "short again"]


@pytest.fixture()
def segment(tmp_path):
    ix = index.create_in(str(tmp_path), Schema(id=ID(stored=True), body=TEXT(), title=TEXT()))
    writer = ix.writer(compound=False)  # as the builds write them
    for number, text in enumerate(TEXTS):
        writer.add_document(id=str(number), body=text, **({"title": text[:20]} if number % 2 else {}))
    writer.commit()
    with ix.reader() as reader:
        yield ix, reader.segment()


def test_every_length_equals_whoosh_s_own_per_document_answer(segment):
    ix, seg = segment
    perdoc = W3PerDocReader(ix.storage, seg)
    try:
        decoded = _DecodedLengths(perdoc)
        assert decoded.doc_field_length(3, "body") > 100 and decoded.doc_field_length(1, "title") is not None
        for field in ("body", "title", "id", "nosuchfield"):
            for docnum in range(len(TEXTS) + 1):  # Whoosh answers one past the last document too
                assert decoded.doc_field_length(docnum, field) == perdoc.doc_field_length(docnum, field), (field, docnum)
        with pytest.raises(IndexError):
            decoded.doc_field_length(len(TEXTS) + 1, "body")
    finally:
        perdoc.close()


def test_the_segment_writer_uses_the_lengths_read_whole():
    from indexer import whoosh_fixes

    assert SegmentWriter._flush_segment is whoosh_fixes._flush_segment
