"""Facet counting against per-build tables (document number -> values), built once at index time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schema import FACET_FIELDS


@dataclass
class FacetBucket:
    value: str
    label: str
    count: int
    selected: bool = False

    def as_dict(self) -> dict:
        return {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected}


class FacetTable:
    """Each document's facet values, counted with numpy over a match mask.

    Per facet, one row per (document, value) pair: counting the values of the matching documents is
    a gather and a bincount in C, whatever the number of matches.
    """

    def __init__(self, data: dict):
        self.labels: dict[str, dict[str, str]] = data["labels"]
        self.docs: list[dict[str, list[str]]] = data["docs"]
        self.size = len(self.docs)
        self.values: dict[str, list[str]] = {}
        self.pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.postings: dict[str, dict[str, np.ndarray]] = {}
        names = dict.fromkeys(FACET_FIELDS)
        for facets in self.docs:
            names.update(dict.fromkeys(facets))
        for name in names:
            self._add_facet(name)

    def _add_facet(self, name: str) -> None:
        numbers: dict[str, int] = {}
        pair_docs, pair_values = [], []
        for docnum, facets in enumerate(self.docs):
            for value in facets.get(name, ()):
                pair_docs.append(docnum)
                pair_values.append(numbers.setdefault(value, len(numbers)))
        docs = np.asarray(pair_docs, dtype=np.int32)
        values = np.asarray(pair_values, dtype=np.int32)
        self.values[name] = list(numbers)
        self.pairs[name] = (docs, values)
        order = np.argsort(values, kind="stable")
        bounds = np.searchsorted(values[order], np.arange(len(numbers) + 1))
        self.postings[name] = {value: docs[order[bounds[i]:bounds[i + 1]]] for value, i in numbers.items()}

    def label(self, facet: str, value: str) -> str:
        return self.labels.get(facet, {}).get(value, value)

    def known(self, facet: str, value: str) -> bool:
        return value in self.postings.get(facet, {})

    def mask(self, docnums) -> np.ndarray:
        """A boolean match vector from document numbers (or the vector itself)."""
        if isinstance(docnums, np.ndarray) and docnums.dtype == bool:
            return docnums
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        return mask

    def _counts(self, facet: str, mask: np.ndarray) -> dict[str, int]:
        if facet not in self.pairs:
            return {}
        docs, values = self.pairs[facet]
        counts = np.bincount(values[mask[docs]], minlength=len(self.values[facet]))
        names = self.values[facet]
        return {names[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def selection_mask(self, facet: str, values: list[str]) -> np.ndarray:
        """Documents carrying any of the values (OR within one facet), as a boolean vector."""
        mask = np.zeros(self.size, dtype=bool)
        postings = self.postings.get(facet, {})
        for value in values:
            if value in postings:
                mask[postings[value]] = True
        return mask

    def selection(self, facet: str, values: list[str]) -> set[int]:
        """Documents carrying any of the values, as a set of document numbers."""
        return set(np.flatnonzero(self.selection_mask(facet, values)).tolist())

    def count(self, facet: str, docnums, selected: list[str], limit: int | None = None) -> list[FacetBucket]:
        """Buckets for one facet over the given documents, most frequent first, selections always shown."""
        counter = self._counts(facet, self.mask(docnums))
        buckets = [FacetBucket(v, self.label(facet, v), n, v in selected)
                   for v, n in sorted(counter.items(), key=lambda item: (-item[1], self.label(facet, item[0])))]
        if limit is not None:
            buckets = buckets[:limit]
        shown = {b.value for b in buckets}
        buckets += [FacetBucket(v, self.label(facet, v), counter.get(v, 0), True) for v in selected if v not in shown]
        return buckets
