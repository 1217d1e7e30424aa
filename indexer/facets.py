"""Facet counting against per-build tables (document number -> values), built once at index time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schema import FACET_FIELDS


MENTIONS = "mentions"  # per document, the topics it names without being about them (indexer/documents.py)
TOPIC_MODES = ("any", "all")


@dataclass(slots=True)
class FacetBucket:
    value: str
    label: str
    count: int
    selected: bool = False
    mentions: int | None = None  # topics only: documents that name the topic without being about it
    pinned: bool = False  # always listed (a core topic), never folded away under "more"

    def as_dict(self) -> dict:
        found = {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected}
        if self.mentions is not None:
            found["mentions"] = self.mentions
        return found


class FacetTable:
    """Each document's facet values, counted with numpy over a match mask.

    Per facet, one row per (document, value) pair: counting the values of the matching documents is
    a gather and a bincount in C, whatever the number of matches. When the matches are few (a phrase),
    only their own rows are gathered, through the same pairs sorted by document (`_by_document`).
    """

    SPARSE = 8  # gather only the matches' rows when there are this many times more rows than matches

    def __init__(self, data: dict):
        self.labels: dict[str, dict[str, str]] = data["labels"]
        self.notes: dict[str, str] = data.get("notes", {})  # facets only some conferences fill, and which
        self.pinned: dict[str, list[str]] = data.get("pinned", {})
        docs: list[dict[str, list[str]]] = data["docs"]  # not kept: as Python objects it is the largest part
        self.size = len(docs)
        # An updated build (indexer/update.py) appends documents and deletes the ones they replace, so
        # document numbers no longer follow the programme: `order` does, and `live` hides deleted ones.
        self.order = np.asarray(data.get("order") or range(self.size), dtype=np.float64)
        self.live = np.ones(self.size, dtype=bool)
        self.live[np.asarray(data.get("deleted", []), dtype=np.int64)] = False
        self.values: dict[str, list[str]] = {}
        self.numbers: dict[str, dict[str, int]] = {}  # value -> its number in the pair arrays
        self.names: dict[str, list[str]] = {}  # each value's label, in the same order
        self.label_order: dict[str, np.ndarray] = {}  # each value's rank when sorted by label
        self.pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.postings: dict[str, dict[str, np.ndarray]] = {}
        self._by_document: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._all_rows: tuple | None = None
        names = dict.fromkeys(FACET_FIELDS)
        for facets in docs:
            names.update(dict.fromkeys(facets))
        for name in names:
            self._add_facet(name, docs)

    def updated(self, delta: dict) -> "FacetTable":
        """A new table: this one plus an update's added documents, less its deleted ones (see facet_files.py).

        Arrays and the postings of values the update does not touch are shared with this table,
        which is left as it was: a server keeps serving from it until the new build is open.
        """
        added: list[dict[str, list[str]]] = delta["docs"]
        table = object.__new__(FacetTable)
        table.labels = delta.get("labels", self.labels)
        table.notes = delta.get("notes", self.notes)
        table.pinned = delta.get("pinned", self.pinned)
        table.size = self.size + len(added)
        table.order = np.concatenate([self.order, np.asarray(delta["order"], dtype=np.float64)])
        table.live = np.concatenate([self.live, np.ones(len(added), dtype=bool)])
        table.live[np.asarray(delta.get("deleted", []), dtype=np.int64)] = False
        table.values, table.numbers, table.names, table.label_order, table.pairs, table.postings = {}, {}, {}, {}, {}, {}
        table._by_document, table._all_rows = {}, None
        names = dict.fromkeys(self.pairs)
        for facets in added:
            names.update(dict.fromkeys(facets))
        for name in names:
            table._extend_facet(self, name, added)
        return table

    def _extend_facet(self, base: "FacetTable", name: str, added: list[dict]) -> None:
        numbers = dict(base.numbers.get(name, {}))
        new_docs: dict[str, list[int]] = {}
        extra = []  # (document, value number) in document order, after the base's: the pairs stay sorted by document
        for offset, facets in enumerate(added):
            for value in facets.get(name, ()):
                extra.append((base.size + offset, numbers.setdefault(value, len(numbers))))
                new_docs.setdefault(value, []).append(base.size + offset)
        old_docs, old_values = base.pairs.get(name, (np.zeros(0, np.int32), np.zeros(0, np.int32)))
        self.pairs[name] = (np.concatenate([old_docs, np.asarray([d for d, _ in extra], dtype=np.int32)]),
                            np.concatenate([old_values, np.asarray([n for _, n in extra], dtype=np.int32)]))
        postings = dict(base.postings.get(name, {}))
        for value, docs in new_docs.items():
            postings[value] = np.concatenate([postings.get(value, np.zeros(0, np.int32)),
                                              np.asarray(docs, dtype=np.int32)])
        self.values[name], self.numbers[name], self.postings[name] = list(numbers), numbers, postings
        if self.labels.get(name) == base.labels.get(name) and len(numbers) == len(base.numbers.get(name, ())):
            self.names[name], self.label_order[name] = base.names[name], base.label_order[name]  # nothing to relabel
        else:
            self.names[name] = [self.label(name, value) for value in numbers]
            self.label_order[name] = _ranks(self.names[name])

    def values_of(self, docnum: int) -> dict[str, list[str]]:
        """One document's facet values (slow: for tests and tools, not for searching)."""
        found: dict[str, list[str]] = {}
        for name, (docs, values) in self.pairs.items():
            for i in np.flatnonzero(docs == docnum):
                found.setdefault(name, []).append(self.values[name][values[i]])
        return found

    def _add_facet(self, name: str, all_docs: list[dict]) -> None:
        numbers: dict[str, int] = {}
        pair_docs, pair_values = [], []
        for docnum, facets in enumerate(all_docs):
            for value in facets.get(name, ()):
                pair_docs.append(docnum)
                pair_values.append(numbers.setdefault(value, len(numbers)))
        docs = np.asarray(pair_docs, dtype=np.int32)
        values = np.asarray(pair_values, dtype=np.int32)
        self.values[name] = list(numbers)
        self.numbers[name] = numbers
        self.names[name] = [self.label(name, value) for value in numbers]
        self.label_order[name] = _ranks(self.names[name])
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

    def _counts(self, facet: str, mask: np.ndarray) -> np.ndarray:
        """How many matching documents carry each value of the facet (by value number)."""
        docs, values = self.pairs[facet]
        hits = np.flatnonzero(mask)
        if len(hits) * self.SPARSE < len(docs):
            return np.bincount(self._values_of(facet, hits), minlength=len(self.values[facet]))
        return np.bincount(values[mask[docs]], minlength=len(self.values[facet]))

    def _values_of(self, facet: str, hits: np.ndarray) -> np.ndarray:
        """The value numbers of the given documents' rows (any order: they are only counted)."""
        starts, values = self._sorted_by_document(facet)
        first, lengths = starts[hits], starts[hits + 1] - starts[hits]
        within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return values[np.repeat(first, lengths) + within]

    def _sorted_by_document(self, facet: str) -> tuple[np.ndarray, np.ndarray]:
        """Where each document's rows start in the facet's rows sorted by document, and those rows' values;
        made on first use (two threads may both make it: the same arrays)."""
        found = self._by_document.get(facet)
        if found is None:
            docs, values = self.pairs[facet]
            if len(docs) > 1 and not (docs[1:] >= docs[:-1]).all():  # not made by this module (a full build's pairs
                values = values[np.argsort(docs, kind="stable")]  # and an update's added ones are in document order)
            starts = np.zeros(self.size + 1, dtype=np.int64)
            np.cumsum(np.bincount(docs, minlength=self.size), out=starts[1:])
            found = self._by_document[facet] = (starts, values)
        return found

    def selection_mask(self, facet: str, values: list[str]) -> np.ndarray:
        """Documents carrying any of the values (OR within one facet), as a boolean vector."""
        mask = np.zeros(self.size, dtype=bool)
        postings = self.postings.get(facet, {})
        for value in values:
            if value in postings:
                mask[postings[value]] = True
        return mask

    def in_programme_order(self, docnums: np.ndarray) -> np.ndarray:
        """The document numbers sorted into programme order."""
        return docnums[np.argsort(self.order[docnums], kind="stable")]

    def selection(self, facet: str, values: list[str]) -> set[int]:
        """Documents carrying any of the values, as a set of document numbers."""
        return set(np.flatnonzero(self.selection_mask(facet, values)).tolist())

    def strength_masks(self, values: list[str], mode: str = "any") -> tuple[np.ndarray, np.ndarray]:
        """Topic filters at two strengths: (documents about or mentioning them, documents about them).

        With mode "any" a document needs one of the topics, with "all" every one of them.
        """
        about = [self.selection_mask("topic", [v]) for v in values]
        either = [a | self.selection_mask(MENTIONS, [v]) for a, v in zip(about, values)]
        combine = np.logical_and.reduce if mode == "all" else np.logical_or.reduce
        if not values:
            return np.ones(self.size, dtype=bool), np.ones(self.size, dtype=bool)
        return combine(either), combine(about)

    def count(self, facet: str, docnums, selected: list[str], limit: int | None = None,
              hits: np.ndarray | None = None, tallies: dict[str, dict[int, int]] | None = None) -> list[FacetBucket]:
        """Buckets for one facet over the given documents, most frequent first, then by label.

        Selected and pinned values are always listed; topic buckets also count the documents that
        only mention the topic. `hits`: the documents' numbers, and `tallies`: `tally_all(hits)`, when the
        caller counts several facets over one set and has them already.
        """
        if tallies is not None and not selected and facet != "topic" and not self.pinned.get(facet):
            return self._plain_buckets(facet, tallies.get(facet, {}), limit)
        mask = self.mask(docnums)
        if facet not in self.pairs:
            return [FacetBucket(v, self.label(facet, v), 0, True) for v in selected]
        if hits is None:
            hits = np.flatnonzero(mask)
        if len(hits) <= self.FEW:
            counts, mentions, order = self._few_counts(facet, hits, tallies)
        else:
            counts, mentions, order = self._dense_counts(facet, mask)
        return self._buckets(facet, counts, mentions, order[:limit], selected)

    def _plain_buckets(self, facet: str, counts: dict[int, int], limit: int | None) -> list[FacetBucket]:
        """count()'s buckets for a facet without selected, pinned or mentioned values, from the hits' tally: made
        directly, as nine facets of a rare word's few results spent more in the general path than in counting."""
        values, names = self.values[facet], self.names[facet]
        if len(counts) < 2:
            return [FacetBucket(values[i], names[i], n) for i, n in counts.items()]
        # by count, then label, then number: the label ranks' order (_ranks sorts labels stably), without them
        order = sorted([(-n, names[i], i) for i, n in counts.items()])[:limit]
        return [FacetBucket(values[i], label, -n) for n, label, i in order]

    def _buckets(self, facet: str, counts, mentions, order: list[int], selected: list[str]) -> list[FacetBucket]:
        """The buckets of the values in `order`, then any selected or pinned value not among them."""
        values, names = self.values[facet], self.names[facet]
        chosen, pinned = set(selected), self.pinned.get(facet, [])
        marked = set(pinned)
        buckets = [FacetBucket(values[i], names[i], counts.get(i, 0), values[i] in chosen,
                               None if mentions is None else mentions.get(i, 0), values[i] in marked) for i in order]
        if not chosen and not pinned:
            return buckets
        shown = {b.value for b in buckets}
        numbers = self.numbers[facet]
        for value in dict.fromkeys([*selected, *pinned]):
            if value not in shown:
                number = numbers.get(value)
                buckets.append(FacetBucket(value, self.label(facet, value), 0 if number is None else counts.get(number, 0),
                                           value in chosen, None if mentions is None else
                                           (0 if number is None else mentions.get(number, 0)), value in marked))
        return buckets

    FEW = 64  # matches whose values are counted one by one: numpy's per-call cost outweighs its speed below this

    def _dense_counts(self, facet: str, mask: np.ndarray) -> tuple["_Counts", "_Counts | None", list[int]]:
        """(value number -> count, topic number -> documents only mentioning it, the values present in bucket
        order), counted with numpy over every row."""
        counts = self._counts(facet, mask)
        mentions = self._mention_counts(mask) if facet == "topic" else None
        weight = counts if mentions is None else counts + mentions
        present = np.flatnonzero(weight)
        order = present[np.lexsort((self.label_order[facet][present], -counts[present], -weight[present]))]
        return _Counts(counts), None if mentions is None else _Counts(mentions), order.tolist()

    def _few_counts(self, facet: str, hits: np.ndarray, tallies: dict[str, dict[int, int]] | None = None
                    ) -> tuple[dict[int, int], dict[int, int] | None, list[int]]:
        """As _dense_counts, read from each match's own rows (or from their `tallies`)."""
        tallied = (lambda name: tallies.get(name, {})) if tallies is not None else (lambda name: self._tally(name, hits))
        counts, mentions = tallied(facet), None
        if facet == "topic" and MENTIONS in self.pairs:
            topic_numbers, mention_values = self.numbers["topic"], self.values[MENTIONS]
            mentions = {}
            for number, n in tallied(MENTIONS).items():
                topic = topic_numbers.get(mention_values[number])
                if topic is not None:
                    mentions[topic] = mentions.get(topic, 0) + n
        weight = counts if not mentions else {
            i: counts.get(i, 0) + mentions.get(i, 0) for i in counts.keys() | mentions.keys()}
        if len(weight) < 2:
            return counts, mentions, list(weight)
        names = self.names[facet]  # by weight, count, then label and number: the label ranks' order (see _ranks)
        order = [i for _, _, _, i in sorted([(-w, -counts.get(i, 0), names[i], i) for i, w in weight.items()])]
        return counts, mentions, order

    def _tally(self, facet: str, hits: np.ndarray) -> dict[int, int]:
        """Per value number, how many of the documents `hits` carry it (values with none left out)."""
        starts, values = self._sorted_by_document(facet)
        tally: dict[int, int] = {}
        for doc in hits.tolist():
            a, b = starts.item(doc), starts.item(doc + 1)
            if a != b:
                for number in values[a:b].tolist():
                    tally[number] = tally.get(number, 0) + 1
        return tally

    def tally_all(self, hits: np.ndarray) -> dict[str, dict[int, int]]:
        """`_tally` of every facet at once (mentions included): one gather of the hits' rows of all facets, then
        one pass in Python. Counting nine facets one by one cost nine passes over the same few documents."""
        names, starts, keys = self._rows_by_document()
        tallies: dict[str, dict[int, int]] = {name: {} for name in names}
        found = [tallies[name] for name in names]
        for first, end in zip(starts[hits].tolist(), starts[hits + 1].tolist()):
            for key in keys[first:end].tolist():
                tally, number = found[key >> 32], key & 0xFFFFFFFF
                tally[number] = tally.get(number, 0) + 1
        return tallies

    def _rows_by_document(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every facet's rows in one array sorted by document: the facets' names, where each document's rows start,
        and each row's key (its facet's place in the names, shifted 32 bits, or-ed with its value number); made on
        first use (two threads may both make it: the same arrays)."""
        if self._all_rows is None:
            names = list(self.pairs)
            if not names:
                return names, np.zeros(self.size + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
            docs = np.concatenate([self.pairs[name][0] for name in names]).astype(np.int64)
            keys = np.concatenate([(np.int64(place) << 32) | self.pairs[name][1].astype(np.int64)
                                   for place, name in enumerate(names)])
            order = np.argsort(docs, kind="stable")
            starts = np.zeros(self.size + 1, dtype=np.int64)
            np.cumsum(np.bincount(docs, minlength=self.size), out=starts[1:])
            self._all_rows = (names, starts, keys[order])
        return self._all_rows

    def _mention_counts(self, mask: np.ndarray) -> np.ndarray | None:
        """Per topic value (numbered as in the topic facet), the documents that only mention it."""
        if MENTIONS not in self.pairs:
            return None
        found = self._counts(MENTIONS, mask)
        aligned = np.zeros(len(self.values["topic"]), dtype=found.dtype)
        for value, number in self.numbers[MENTIONS].items():
            if value in self.numbers["topic"]:
                aligned[self.numbers["topic"][value]] = found[number]
        return aligned


class _Counts:
    """A count per value number, read like the few-matches path's dicts (only the values shown are read)."""

    def __init__(self, counts: np.ndarray):
        self.counts = counts

    def get(self, number: int, default: int = 0) -> int:
        return int(self.counts[number]) if 0 <= number < len(self.counts) else default


def _ranks(labels: list[str]) -> np.ndarray:
    """Each label's position in alphabetical order."""
    ranks = np.empty(len(labels), dtype=np.int64)
    ranks[sorted(range(len(labels)), key=labels.__getitem__)] = np.arange(len(labels))
    return ranks
