"""Positions packed as integers (postings.PackedPositions) against Whoosh's own Positions format, same documents."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import index
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema

from indexer.analysis import text_analyzer
from indexer.postings import PackedPositions, field_position_keys, positioned_text

WORDS = [f"w{n}" for n in range(40)] + ["genome", "genomes", "data", "the", "of"]


def _texts(count: int = 300) -> list[str]:
    rng = random.Random(11)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 200))) for _ in range(count)]


def _index(folder, text_field):
    folder.mkdir()
    ix = index.create_in(str(folder), Schema(id=ID(stored=True), body=text_field))
    writer = ix.writer(compound=False)
    for number, text in enumerate(_texts()):
        writer.add_document(id=str(number), body=text)
    writer.commit()
    return ix


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    root = tmp_path_factory.mktemp("positions")
    packed = _index(root / "packed", positioned_text(analyzer=text_analyzer(), field_boost=1.5))
    whooshs = _index(root / "whoosh", TEXT(analyzer=text_analyzer(), phrase=True, field_boost=1.5))
    assert type(packed.schema["body"].format) is PackedPositions
    assert type(whooshs.schema["body"].format) is not PackedPositions
    yield packed, whooshs
    packed.close()
    whooshs.close()


def test_every_posting_reads_back_the_same_positions_frequency_and_weight(indexes):
    packed, whooshs = indexes
    with packed.reader() as ours, whooshs.reader() as theirs:
        terms = list(theirs.lexicon("body"))
        assert terms == list(ours.lexicon("body")) and len(terms) > 30
        for term in terms:
            a, b = ours.postings("body", term), theirs.postings("body", term)
            while b.is_active():
                assert a.id() == b.id()
                assert a.value_as("positions") == b.value_as("positions")
                assert a.value_as("frequency") == b.value_as("frequency") and a.weight() == b.weight()
                a.next()
                b.next()
            assert not a.is_active()


def test_the_build_s_position_keys_equal_those_read_from_whoosh_s_format(indexes):
    packed, whooshs = indexes
    with packed.reader() as ours, whooshs.reader() as theirs:
        mine = list(field_position_keys(ours.leaf_readers()[0][0], "body", 7, 24))
        expected = list(field_position_keys(theirs.leaf_readers()[0][0], "body", 7, 24))
    assert [t for t, _ in mine] == [t for t, _ in expected]
    for (_, a), (_, b) in zip(mine, expected):
        assert a.dtype == np.int64 and a.tolist() == b.tolist()
    assert sum(len(k) for _, k in mine) > 10_000  # positions spanning several blocks per term


def test_whoosh_s_own_phrase_queries_find_the_same_documents(indexes):
    packed, whooshs = indexes
    rng = random.Random(3)
    found_some = 0
    with packed.searcher() as ours, whooshs.searcher() as theirs:
        for _ in range(150):
            words = [rng.choice(WORDS[:12]) for _ in range(rng.choice((2, 3)))]
            q = wq.Phrase("body", words)
            expected = sorted(theirs.docs_for_query(q))
            assert sorted(ours.docs_for_query(q)) == expected, words
            found_some += bool(expected)
    assert found_some > 20
