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
