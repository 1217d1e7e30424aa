"""Facet counts for few matches are read from the matches' own rows: they must equal the counts over every row."""

from __future__ import annotations

import random

import numpy as np
import pytest

from indexer.facets import FacetTable
from indexer.store import IndexStore


@pytest.fixture(scope="module")
def table(index_dir) -> FacetTable:
    return IndexStore(index_dir).handle().facets


def buckets(table: FacetTable, facet: str, mask: np.ndarray, selected: list[str], few: int) -> list[tuple]:
    table.FEW = few  # this instance only: -1 sends every count through the dense path
    try:
        return [(b.value, b.label, b.count, b.selected, b.mentions, b.pinned)
                for b in table.count(facet, mask, selected, 5)]
    finally:
        del table.FEW


@pytest.mark.parametrize("size", [0, 1, 2, 5, 17, 64])
def test_few_matches_count_as_every_row_does(table, size):
    rng = random.Random(size)
    for _ in range(20):
        mask = np.zeros(table.size, dtype=bool)
        mask[rng.sample(range(table.size), size)] = True
        for facet in table.pairs:
            values = table.values[facet]
            selected = rng.sample(values, min(2, len(values))) + ["no-such-value"]
            dense = buckets(table, facet, mask, selected, -1)
            assert buckets(table, facet, mask, selected, 64) == dense
            assert buckets(table, facet, mask, [], 64) == buckets(table, facet, mask, [], -1)


def test_topic_buckets_count_mentions_on_both_paths(table):
    """The few-matches path must still count documents that only mention a topic."""
    docs = np.flatnonzero(table.mask(table.selection_mask("mentions", table.values.get("mentions", []))))
    assert len(docs), "the test corpus has talks that only mention a topic"
    mask = np.zeros(table.size, dtype=bool)
    mask[docs[:10]] = True
    few = buckets(table, "topic", mask, [], 64)
    assert any(mentions for _, _, _, _, mentions, _ in few)
    assert few == buckets(table, "topic", mask, [], -1)


def test_an_updated_table_keeps_its_rows_in_document_order_and_counts_both_ways_alike():
    """An update's rows are appended in document order, so the few-matches path needs no sorting; its counts
    still equal the dense path's after several updates with deletions."""
    rng = random.Random(7)
    topics, kinds = [f"t{n}" for n in range(6)], ["talk", "speaker", "session"]

    def docs(count):
        return [{"kind": [rng.choice(kinds)], "topic": rng.sample(topics, rng.randint(0, 3))} for _ in range(count)]

    table = FacetTable({"labels": {}, "docs": docs(40)})
    for _ in range(4):
        added = docs(rng.randint(5, 12))
        table = table.updated({"docs": added, "order": [float(table.size + n) for n in range(len(added))],
                               "deleted": rng.sample(range(table.size), 3)})
        for facet, (rows, _) in table.pairs.items():
            assert (np.diff(rows) >= 0).all(), facet
    for size in (1, 3, 9):
        mask = np.zeros(table.size, dtype=bool)
        mask[rng.sample(range(table.size), size)] = True
        for facet in table.pairs:
            assert buckets(table, facet, mask, [], 64) == buckets(table, facet, mask, [], -1)


def _tallied_buckets(table: FacetTable, facet: str, mask: np.ndarray) -> list[tuple]:
    hits = np.flatnonzero(mask)
    return [(b.value, b.label, b.count, b.selected, b.mentions, b.pinned)
            for b in table.count(facet, mask, [], 5, hits=hits, tallies=table.tally_all(hits))]


@pytest.mark.parametrize("size", [0, 1, 5, 64])
def test_every_facet_tallied_at_once_counts_as_each_facet_alone(table, size):
    rng = random.Random(size + 100)
    for _ in range(20):
        hits = np.sort(np.asarray(rng.sample(range(table.size), size), dtype=np.int64))
        together = table.tally_all(hits)
        assert set(together) == set(table.pairs)
        for facet in table.pairs:
            assert together[facet] == table._tally(facet, hits), facet
        mask = np.zeros(table.size, dtype=bool)
        mask[hits] = True
        for facet in table.pairs:
            assert _tallied_buckets(table, facet, mask) == buckets(table, facet, mask, [], -1), facet


def test_an_updated_table_tallies_at_once_as_it_counts_densely():
    rng = random.Random(11)

    def docs(count):
        return [{"kind": [rng.choice(["talk", "speaker"])], "topic": rng.sample(["a", "b", "c", "d"], rng.randint(0, 3))}
                for _ in range(count)]

    table = FacetTable({"labels": {}, "docs": docs(30)})
    for _ in range(3):
        added = docs(rng.randint(4, 9))
        table = table.updated({"docs": added, "order": [float(table.size + n) for n in range(len(added))],
                               "deleted": rng.sample(range(table.size), 2)})
    for size in (1, 4, 12):
        mask = np.zeros(table.size, dtype=bool)
        mask[rng.sample(range(table.size), size)] = True
        for facet in table.pairs:
            assert _tallied_buckets(table, facet, mask) == buckets(table, facet, mask, [], -1), facet


def _by_definition(table: FacetTable, facet: str, docs: list[int], selected: list[str], limit: int) -> list[tuple]:
    """The buckets as the facet sidebar defines them, worked out document by document: values the matches carry
    (topics also those they only mention), most first, then more carried than mentioned, then by label; then every
    selected or pinned value not listed, in that order; each flagged selected or pinned."""
    rows = [table.values_of(doc) for doc in docs]
    count = {v: sum(v in row.get(facet, []) for row in rows) for v in table.values[facet]}
    topic = facet == "topic" and "mentions" in table.pairs
    mentions = {v: sum(v in row.get("mentions", []) for row in rows) for v in table.values[facet]} if topic else {}
    label_rank = {v: r for r, v in enumerate(sorted(table.values[facet], key=lambda v: table.label(facet, v)))}
    weight = {v: count[v] + mentions.get(v, 0) for v in count}
    listed = sorted((v for v in weight if weight[v]), key=lambda v: (-weight[v], -count[v], label_rank[v]))[:limit]
    pinned = table.pinned.get(facet, [])
    listed += [v for v in dict.fromkeys([*selected, *pinned]) if v not in listed]
    return [(v, table.label(facet, v), count.get(v, 0), v in selected, mentions.get(v, 0) if topic else None,
             v in pinned) for v in listed]


@pytest.mark.parametrize("size", [1, 3, 40])
def test_buckets_are_what_the_sidebar_defines_on_both_paths(table, size):
    assert table.pinned.get("topic"), "the shipped taxonomy pins its core topics"
    rng = random.Random(size + 7)
    for _ in range(5):
        docs = sorted(rng.sample(range(table.size), size))
        mask = np.zeros(table.size, dtype=bool)
        mask[docs] = True
        hits = np.asarray(docs, dtype=np.int64)
        for facet in table.pairs:
            for selected in ([], rng.sample(table.values[facet], min(1, len(table.values[facet]))) + ["no-such-value"]):
                expected = _by_definition(table, facet, docs, selected, 5)
                assert buckets(table, facet, mask, selected, -1) == expected, (facet, selected)
                assert buckets(table, facet, mask, selected, 64) == expected, (facet, selected)
            tallied = [(b.value, b.label, b.count, b.selected, b.mentions, b.pinned) for b in
                       table.count(facet, mask, [], 5, hits=hits, tallies=table.tally_all(hits))]
            assert tallied == _by_definition(table, facet, docs, [], 5), facet
