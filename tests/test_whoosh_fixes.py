"""indexer/whoosh_fixes.py against Whoosh's own code: the postings writer's field lengths read whole, the pool's
chunked runs, a term table's directory read in one call."""

from __future__ import annotations

import random

import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb import filetables
from whoosh.filedb.structfile import StructFile
from whoosh.writing import PostingPool, SegmentWriter

import indexer  # noqa: F401 (installs the fixes)
from indexer import whoosh_fixes
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
    assert SegmentWriter._flush_segment is whoosh_fixes._flush_segment


class WhooshsOwnPool(PostingPool):
    """The posting pool as Whoosh 2.7.4 wrote it: each posting pickled alone."""


for _name, _method in whoosh_fixes.WHOOSH_POOL_METHODS.items():
    setattr(WhooshsOwnPool, _name, _method)


def _every_posting(ix) -> list:
    with ix.reader() as reader:
        return [(field, term, docnum, weight, value)
                for field in sorted(reader.indexed_field_names())
                for term in reader.lexicon(field)
                for docnum, weight, value in _postings(reader, field, term)]


def _postings(reader, field, term):
    matcher = reader.postings(field, term)
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


def _write(folder, pool_class, texts) -> list:
    folder.mkdir()
    ix = index.create_in(str(folder), Schema(id=ID(stored=True), body=TEXT(phrase=True), title=TEXT(field_boost=2.0)))
    writer = ix.writer(limitmb=0.012, compound=False)  # a run every ~100 postings: over 128 runs, merged in stages
    writer.pool.__class__ = pool_class
    for number, text in enumerate(texts):
        writer.add_document(id=str(number), body=text, title=text[:30])
    writer.commit()
    return _every_posting(ix)


def test_the_chunked_runs_give_whoosh_s_own_postings(tmp_path):
    rng = random.Random(5)
    words = [f"w{n}" for n in range(300)]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(0, 60))) for _ in range(400)]
    ours = _write(tmp_path / "ours", PostingPool, texts)
    whooshs = _write(tmp_path / "whoosh", WhooshsOwnPool, texts)
    assert len(ours) > 3 * whoosh_fixes.RUN_CHUNK * 2  # several chunks per merged run
    assert ours == whooshs


def test_a_run_reads_back_every_posting_in_order_across_chunk_edges(tmp_path):
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(tmp_path)).create()
    chunk = whoosh_fixes.RUN_CHUNK
    for count in (0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 7):
        pool = PostingPool(storage, None)
        items = [("body", f"t{n:05d}".encode(), n, 1.0, None if n % 3 else b"\x01") for n in range(count)]
        path, handle = pool._new_run()
        pool._write_run(handle, iter(items))
        assert list(pool._read_run(path)) == items
        assert not storage.file_exists(path)  # removed once read, as Whoosh's runs are


def _hash_state(table) -> tuple:
    return (table.hashtype, table.startofdata, table.endofdata, table.tables, table.extras)


def test_a_term_table_opens_to_the_state_whoosh_s_own_opening_gives(segment, tmp_path):
    ix, _ = segment
    writer = ix.writer(compound=False)
    writer.add_document(id="late", body="another segment with other words")
    writer.commit(merge=False)
    names = [name for name in ix.storage.list() if name.endswith(".trm")]
    assert len(names) == 2
    for name in names:
        ours = filetables.HashReader.open(ix.storage, name)
        theirs = filetables.HashReader.__new__(filetables.HashReader)
        whoosh_fixes.WHOOSH_HASH_INIT(theirs, ix.storage.open_file(name), ix.storage.file_length(name))
        try:
            assert filetables.HashReader.__init__ is whoosh_fixes._open_hash_table
            assert _hash_state(ours) == _hash_state(theirs)
            assert len(ours.tables) == 256 and any(slots for _, slots in ours.tables)
            assert list(ours.keys()) == list(theirs.keys()) and list(ours.keys())
        finally:
            ours.close()
            theirs.close()
    bad = tmp_path / "bad.trm"
    bad.write_bytes(b"NOPE" + bytes(64))
    with open(bad, "rb") as handle, pytest.raises(filetables.FileFormatError):
        filetables.HashReader(StructFile(handle))
