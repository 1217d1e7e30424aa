"""indexer/key_lookup.py against Whoosh's own answer (docs_for_query) over indexes grown segment by segment."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from whoosh import index, query as wq
from whoosh.fields import ID, STORED, Schema

from indexer import key_lookup
from indexer.key_lookup import live_document, live_documents

KEYS = [f"k{n}" for n in range(8)]
SCHEMA = Schema(id=ID(stored=True, unique=False), talk=ID(stored=True), n=STORED())

# a step: add documents with these talk keys (one commit, a segment of its own), or delete every document of a key
steps = st.lists(st.one_of(
    st.tuples(st.just("add"), st.lists(st.sampled_from(KEYS), min_size=1, max_size=6)),
    st.tuples(st.just("delete"), st.sampled_from(KEYS))), min_size=1, max_size=12)


def _whoosh_s(searcher, field: str, key: str) -> list[int]:
    return sorted(searcher.docs_for_query(wq.Term(field, key)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=steps, small=st.sampled_from([0, 3, 5000]), compound=st.booleans())
def test_live_documents_are_whoosh_s_own_answer_after_any_adds_and_deletes(tmp_path_factory, monkeypatch, script, small,
                                                                           compound):
    """`small` 0 asks every segment by hash, 5000 reads every segment's keys whole, 3 mixes both; the builds write
    separate segment files (compound=False), whose keys are kept; a compound segment is always asked by hash."""
    monkeypatch.setattr(key_lookup, "SMALL", small)
    folder = tmp_path_factory.mktemp("ix")
    ix = index.create_in(str(folder), SCHEMA)
    number = 0
    try:
        for action, what in script:
            writer = ix.writer(compound=compound)
            if action == "add":
                for talk in what:
                    writer.add_document(id=f"d{number}", talk=talk, n=number)
                    number += 1
            else:
                writer.delete_by_term("talk", what)
            writer.commit(merge=False)  # a segment per step, deletions kept in the earlier ones
            with ix.searcher() as searcher:
                found = live_documents(searcher.reader(), "talk", KEYS + ["absent"])
                assert found == {key: _whoosh_s(searcher, "talk", key) for key in KEYS + ["absent"]}
                ids = [f"d{n}" for n in range(number + 1)]
                by_id = live_documents(searcher.reader(), "id", ids)
                assert by_id == {ident: _whoosh_s(searcher, "id", ident) for ident in ids}
                for ident in ids:
                    expected = searcher.document_number(id=ident)
                    assert live_document(searcher.reader(), "id", ident) == expected
    finally:
        ix.close()


def test_an_empty_index_has_no_documents_for_any_key(tmp_path):
    ix = index.create_in(str(tmp_path), SCHEMA)
    with ix.searcher() as searcher:
        assert live_documents(searcher.reader(), "talk", ["k0"]) == {"k0": []}
    ix.close()


def test_a_small_segment_s_keys_are_read_once(tmp_path, monkeypatch):
    ix = index.create_in(str(tmp_path), SCHEMA)
    writer = ix.writer(compound=False)
    writer.add_document(id="d0", talk="k0", n=0)
    writer.commit()
    reads = []
    with ix.searcher() as searcher:
        leaf = searcher.reader()
        original = type(leaf).lexicon
        monkeypatch.setattr(type(leaf), "lexicon", lambda self, field: reads.append(field) or original(self, field))
        for _ in range(3):
            assert live_documents(leaf, "talk", ["k0", "k1"]) == {"k0": [0], "k1": []}
    assert reads == ["talk"]
    ix.close()


def _segment_per_document(folder, talks: list[str]):
    """An index with one document per segment, as a build after one-record saves has (d0 with talks[0], ...)."""
    folder.mkdir(exist_ok=True)
    ix = index.create_in(str(folder), SCHEMA)
    for n, talk in enumerate(talks):
        writer = ix.writer(compound=False)
        writer.add_document(id=f"d{n}", talk=talk, n=n)
        writer.commit(merge=False)
    return ix


@pytest.mark.parametrize("field", ["id", "talk"])
def test_keys_kept_are_bounded(tmp_path, monkeypatch, field):
    monkeypatch.setattr(key_lookup, "KEPT", 2)
    ix = _segment_per_document(tmp_path, ["k0", "k1", "k2", "k3"])
    with ix.searcher() as searcher:
        live_documents(searcher.reader(), field, ["k0"])
    assert len(key_lookup._kept) <= 2
    ix.close()


def test_an_open_reader_answers_after_its_folder_is_deleted(tmp_path):
    """A replaced build's folder may be removed while a request still reads it: the open files still answer."""
    import shutil

    folder = tmp_path / "build"
    ix = _segment_per_document(folder, ["k0", "k1", "k0"])
    with ix.searcher() as searcher:
        expected = {key: _whoosh_s(searcher, "talk", key) for key in ("k0", "k1")}
        shutil.rmtree(folder)
        assert live_documents(searcher.reader(), "talk", ["k0", "k1"]) == expected
        assert live_document(searcher.reader(), "id", "d2") == 2
    ix.close()
