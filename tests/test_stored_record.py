"""indexer.postings.stored_record and column_bytes against Whoosh's own stored_fields and column readers, on one
segment and on several."""

from __future__ import annotations

import pytest
from whoosh import index
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema

from indexer.postings import _MAPPED, _MappedBytes, column_bytes, column_value, stored_record

SCHEMA = Schema(id=ID(stored=True, unique=True), body=TEXT(stored=True), payload=STORED())


def _index(folder, segments: int):
    ix = index.create_in(str(folder), SCHEMA)
    number = 0
    for _ in range(segments):
        writer = ix.writer()
        for _ in range(3):
            writer.add_document(id=f"d{number}", body=f"text of {number} " * (number + 1),
                                payload={"n": number, "names": ["Å", "b"]})
            number += 1
        writer.commit(merge=False)
    return ix


@pytest.mark.parametrize("segments", [1, 4])
def test_every_document_s_stored_fields_are_whoosh_s(tmp_path, segments):
    ix = _index(tmp_path, segments)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert reader.is_atomic() == (segments == 1)
        for docnum in range(reader.doc_count_all()):
            assert stored_record(reader, docnum) == searcher.stored_fields(docnum)
    ix.close()


def test_a_document_past_the_end_or_before_the_start_is_refused(tmp_path):
    ix = _index(tmp_path, 2)
    with ix.searcher() as searcher:
        with pytest.raises((IndexError, ValueError)):
            stored_record(searcher.reader(), searcher.reader().doc_count_all())
        with pytest.raises((IndexError, ValueError)):
            stored_record(searcher.reader(), -1)
    ix.close()


def test_a_deleted_document_reads_as_whoosh_reads_it_and_a_closed_reader_is_refused(tmp_path):
    ix = _index(tmp_path, 3)
    writer = ix.writer()
    writer.delete_by_term("id", "d4")
    writer.commit(merge=False)  # the deletion stays in its segment
    searcher = ix.searcher()
    reader = searcher.reader()
    deleted = [n for n in range(reader.doc_count_all()) if reader.is_deleted(n)]
    assert deleted and not reader.is_atomic()
    for docnum in deleted:
        assert stored_record(reader, docnum) == searcher.stored_fields(docnum)
    leaf = next(leaf for leaf, _ in reader.leaf_readers())
    searcher.close()
    with pytest.raises(ValueError):
        stored_record(leaf, 0)
    ix.close()


def _columned(folder, segments: int, compound: bool = False, offsets_from: int = 2**15):
    """An index with a bytes column, several segments and a deleted document (`offsets_from`: the segment size
    from which Whoosh writes each value's offset instead of deriving it from the lengths)."""
    schema = Schema(id=ID(stored=True, unique=True), value=COLUMN(VarBytesColumn(write_offsets_cutoff=offsets_from)))
    ix = index.create_in(str(folder), schema)
    for segment in range(segments):
        writer = ix.writer(compound=compound)
        for number in range(segment * 3, segment * 3 + 3):
            writer.add_document(id=f"d{number}", value=f"value {number} å".encode() * (number + 1))
        writer.commit(merge=False)
    writer = ix.writer()
    writer.delete_by_term("id", "d1")
    writer.commit(merge=False)
    return ix


@pytest.mark.parametrize("offsets_from", [2**15, 2])  # offsets derived (small segments) or stored (large ones)
@pytest.mark.parametrize("compound", [False, True])  # the builds write separate files: read through a memory map
@pytest.mark.parametrize("segments", [1, 4])
def test_column_bytes_are_whoosh_s_column_values(tmp_path, segments, compound, offsets_from):
    ix = _columned(tmp_path, segments, compound, offsets_from)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        public = reader.column_reader("value")
        values = [column_bytes(reader, "value", VarBytesColumn(), n) for n in range(reader.doc_count_all())]
        assert values == [public[n] for n in range(reader.doc_count_all())]
        readers = [type(leaf._perdoc._readers[(_MAPPED, "value")]) for leaf, _ in reader.leaf_readers()]
        assert all((kind is _MappedBytes) != compound for kind in readers), readers
        assert all(leaf._perdoc._readers["value"].had_stored_offsets == (offsets_from == 2)
                   for leaf, _ in reader.leaf_readers())
        assert len(set(values)) == reader.doc_count_all()  # every document its own value, none mixed up
        with pytest.raises((IndexError, ValueError)):
            column_bytes(reader, "value", VarBytesColumn(), -1)
        with pytest.raises(KeyError):
            column_bytes(reader, "id", VarBytesColumn(), 0)  # a field without a column
    ix.close()


@pytest.mark.parametrize("segments", [1, 3])
def test_column_values_are_whoosh_s_translated_column_values(tmp_path, segments):
    schema = Schema(id=ID(stored=True, unique=True), page=COLUMN(PickleColumn(CompressedBytesColumn())))
    ix = index.create_in(str(tmp_path), schema)
    for segment in range(segments):
        writer = ix.writer(compound=False)
        for number in range(segment * 3, segment * 3 + 3):
            writer.add_document(id=f"d{number}", page={"n": number, "title": "Ærø " * number})
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        public = reader.column_reader("page")
        assert [column_value(reader, "page", n) for n in range(reader.doc_count_all())] == \
            [public[n] for n in range(reader.doc_count_all())] == [{"n": n, "title": "Ærø " * n} for n in range(segments * 3)]
    ix.close()


def test_a_mapped_column_is_unmapped_when_its_reader_closes(tmp_path):
    ix = _columned(tmp_path, 2)
    searcher = ix.searcher()
    reader = searcher.reader()
    column_bytes(reader, "value", VarBytesColumn(), 0)
    maps = [leaf._perdoc._readers[(_MAPPED, "value")].buffer for leaf, _ in reader.leaf_readers()
            if (_MAPPED, "value") in leaf._perdoc._readers]
    assert maps and not any(m.closed for m in maps)
    searcher.close()
    assert all(m.closed for m in maps)
    ix.close()
