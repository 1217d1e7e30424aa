"""Evaluate a parsed query over the precomputed postings: which documents match, and their scores.

Each node of the Whoosh query tree becomes a boolean vector (matches) and a score vector over all
documents, combined with numpy: an OR adds, an AND intersects, a NOT subtracts. Scores equal
Whoosh's BM25F, because the postings carry Whoosh's own per-term scores (see impacts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from .impacts import POSITION_BITS, ImpactIndex
from .postings import expansions

MAX_EXPANSIONS = 1000  # prefix* and fuzzy~ terms looked up per query word
_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


@dataclass
class Matches:
    mask: np.ndarray  # bool per document: does it match
    scores: np.ndarray  # float per document; zero where it does not match

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.mask))


class Evaluator:
    """Evaluate query trees against one build's postings; the searcher answers what postings cannot."""

    def __init__(self, impacts: ImpactIndex, searcher, live: np.ndarray):
        self.impacts = impacts
        self.searcher = searcher
        self.size = impacts.documents
        self.live = live
        self._phrases: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}  # this evaluator's phrases: ranking evaluates them again

    def run(self, q: wq.Query) -> Matches:
        """The documents a query matches (deleted ones left out) and their scores."""
        found = self.evaluate(q)
        found.mask &= self.live
        return found

    def evaluate(self, q: wq.Query) -> Matches:
        if isinstance(q, wq.Every):
            return Matches(np.ones(self.size, dtype=bool), np.zeros(self.size, dtype=np.float64))
        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            return self.nothing()
        handler = self._HANDLERS.get(type(q))
        if handler is None:
            handler = next((h for kind, h in self._HANDLERS.items() if isinstance(q, kind)), Evaluator._fallback)
        found = handler(self, q)
        boost = getattr(q, "boost", 1.0)
        if boost != 1.0:
            found.scores = found.scores * boost
        return found

    def matching(self, *queries: wq.Query) -> np.ndarray:
        """The documents any of the queries matches (deleted ones included), unscored; words and phrases straight
        from their hits, into one array (a query's words each have a query per field)."""
        mask = np.zeros(self.size, dtype=bool)
        for q in queries:
            hits = self._hits(q)
            if hits is None:
                mask |= self.evaluate(q).mask
            elif len(hits[0]):
                mask[_index(hits[0])] = True
        return mask

    def _hits(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray] | None:
        """A word's or a phrase's documents and scores, without whole-index arrays; None for any other query."""
        if type(q) is wq.Term:
            return self.impacts.postings(q.fieldname, _text(q.text))
        if type(q) is wq.Phrase:
            return self.phrase_hits(q)
        return None

    def nothing(self) -> Matches:
        return Matches(np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float64))

    def term(self, field: str, text: str) -> Matches:
        found = self.nothing()
        docs, scores = self.impacts.postings(field, text)
        docs = _index(docs)
        found.mask[docs] = True
        found.scores[docs] = scores
        return found

    def _term(self, q: wq.Term) -> Matches:
        return self.term(q.fieldname, _text(q.text))

    def _or(self, q: wq.Or) -> Matches:
        found = self.nothing()
        for sub in q.subqueries:
            hits = self._hits(sub)
            if hits is not None:  # the common case: add its hits in place, no whole-index arrays
                docs, scores = hits
                if not len(docs):  # a word most fields lack
                    continue
                docs = _index(docs)
                found.mask[docs] = True
                found.scores[docs] += scores * np.float64(sub.boost) if sub.boost != 1.0 else scores
                continue
            part = self.evaluate(sub)
            found.mask |= part.mask
            found.scores += part.scores
        return found

    def _and(self, q: wq.And) -> Matches:
        parts = [self.evaluate(sub) for sub in q.subqueries]
        if not parts:
            return self.nothing()
        mask = np.logical_and.reduce([p.mask for p in parts])
        return Matches(mask, np.where(mask, sum(p.scores for p in parts), 0.0))

    def _and_not(self, q: wq.AndNot) -> Matches:
        positive, negative = self.evaluate(q.a), self.evaluate(q.b)
        mask = positive.mask & ~negative.mask
        return Matches(mask, np.where(mask, positive.scores, 0.0))

    def _and_maybe(self, q: wq.AndMaybe) -> Matches:
        required, optional = self.evaluate(q.a), self.evaluate(q.b)
        return Matches(required.mask, np.where(required.mask, required.scores + optional.scores, 0.0))

    def _require(self, q: wq.Require) -> Matches:
        scored, required = self.evaluate(q.a), self.evaluate(q.b)
        mask = scored.mask & required.mask
        return Matches(mask, np.where(mask, scored.scores, 0.0))

    def _not(self, q: wq.Not) -> Matches:
        inner = self.evaluate(q.query)
        return Matches(~inner.mask, np.zeros(self.size, dtype=np.float64))

    def _phrase(self, q: wq.Phrase) -> Matches:
        docs, scores = self.phrase_hits(q)
        docs = _index(docs)
        found = self.nothing()
        found.mask[docs] = True
        found.scores[docs] = scores
        return found

    def phrase_hits(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """A phrase's documents (ascending) and scores, worked out once per evaluator (a Searcher's, so once per
        request: ranking evaluates them again). Kept as the hits only: a phrase matches few documents, and whole-index
        arrays per field were most of a long phrase's cost."""
        key = (q.fieldname, tuple(_text(w) for w in q.words), q.slop)
        known = self._phrases.get(key)
        if known is None:
            known = self._phrases[key] = self._phrase_hits(q)
        return known

    def _phrase_hits(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """The documents where the words stand one after another (or, with slop, near each other in order), from
        the build's word positions; scored as the words are. A phrase in a field without positions is left to
        Whoosh."""
        words = [_text(w) for w in q.words]
        if not words:
            return _NO_DOCS, _NO_SCORES
        if len(words) == 1:
            return self.impacts.postings(q.fieldname, words[0])
        if not self.impacts.has_positions(q.fieldname):
            docs = np.unique(np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64))
        elif q.slop == 1:
            docs = self._adjacent(q.fieldname, words)
        else:
            docs = self._near(q.fieldname, words, q.slop)
        if not len(docs):  # most fields of a phrase: the words' scores would all be multiplied by zero
            return _NO_DOCS, _NO_SCORES
        return self._summed_at(q.fieldname, words, docs)

    def _summed_at(self, field: str, words: list[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The documents among `docs` holding every word, scored by the sum of the words' scores, added in the
        words' order as an And of the words adds them; looked up at those documents only, not over the index."""
        total = np.zeros(len(docs), dtype=np.float64)
        holding = np.ones(len(docs), dtype=bool)
        for word in words:
            word_docs, scores = self.impacts.postings(field, word)
            if not len(word_docs):
                return _NO_DOCS, _NO_SCORES
            places = np.minimum(np.searchsorted(word_docs, docs), len(word_docs) - 1)
            holding &= word_docs[places] == docs
            total += scores[places]
        return docs[holding], total[holding]

    def _adjacent(self, field: str, words: list[str]) -> np.ndarray:
        """Documents (ascending, once each) where word i stands at position p + i for some p: the words' keys,
        each shifted back by its place, intersected (rarest first)."""
        keyed = []
        for place, word in enumerate(words):
            keys = self.impacts.positions(field, word)
            if not len(keys):  # most fields lack some word of a long phrase: no need to look up the rest
                return _NO_DOCS
            keyed.append((keys, place))
        keyed.sort(key=lambda pair: len(pair[0]))
        common = None
        for keys, place in keyed:
            shifted = keys - place if place else keys
            common = shifted if common is None else sorted_intersection(common, shifted)
            if not len(common):
                return _NO_DOCS
        docs = common >> POSITION_BITS  # ascending, since the keys are
        return docs[np.concatenate(([True], docs[1:] != docs[:-1]))]

    def _near(self, field: str, words: list[str], slop: int) -> np.ndarray:
        """Documents (ascending, once each) where each word stands 1 to `slop` positions after the one before it,
        as Whoosh's Phrase with slop matches (SpanNear2: ordered, at least one position apart): the chains'
        last positions, extended word by word from the nearest chain before each of the next word's keys, in the
        same document (a slop may be larger than a document)."""
        chain = None
        for word in words:
            keys = self.impacts.positions(field, word)
            if not len(keys):
                return _NO_DOCS
            if chain is not None:
                before = np.searchsorted(chain, keys, side="left") - 1  # the last chain end before each key
                reached = before >= 0
                ends = chain[before[reached]]
                reached[reached] = (keys[reached] - ends <= slop) & (keys[reached] >> POSITION_BITS == ends >> POSITION_BITS)
                keys = keys[reached]
                if not len(keys):
                    return _NO_DOCS
            chain = keys
        docs = chain >> POSITION_BITS  # ascending, since the keys are
        return docs[np.concatenate(([True], docs[1:] != docs[:-1]))]

    def _expanded(self, q: wq.MultiTerm) -> Matches:
        """prefix* and fuzzy~: the sum over the index terms the pattern matches."""
        field = q.fieldname
        found = self.nothing()
        for number, btext in enumerate(expansions(q, self.searcher.reader())):
            if number >= MAX_EXPANSIONS:
                break
            part = self.term(field, _text(btext))
            found.mask |= part.mask
            found.scores += part.scores
        return found

    def _fallback(self, q: wq.Query) -> Matches:
        """Anything else the parser may produce: Whoosh finds the documents; they carry no score."""
        found = self.nothing()
        found.mask[np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)] = True
        return found

    _HANDLERS = {wq.Term: _term, wq.Or: _or, wq.And: _and, wq.AndNot: _and_not, wq.AndMaybe: _and_maybe,
                 wq.Require: _require, wq.Not: _not, wq.Phrase: _phrase, wq.MultiTerm: _expanded}


def sorted_intersection(small: np.ndarray, large: np.ndarray) -> np.ndarray:
    """The values of `small` also in `large`, both sorted and without repeats: a binary search per value of the
    smaller array, so the cost follows the rarest word of a phrase, not the commonest."""
    if len(small) > len(large):
        small, large = large, small
    if not len(small) or not len(large):
        return small[:0]
    places = np.searchsorted(large, small)
    places[places == len(large)] = len(large) - 1
    return small[large[places] == small]


def intersect(base: np.ndarray, others) -> np.ndarray:
    """Documents in base and in every one of the others (boolean vectors); base is left as it was."""
    result = base.copy()
    for other in others:
        result &= other
    return result


def leaf_queries(q: wq.Query) -> list[wq.Query]:
    """The word, phrase, prefix* and fuzzy~ queries a query is made of, leaving out what it negates."""
    if isinstance(q, (wq.Term, wq.Phrase, wq.MultiTerm)):
        return [q]
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return leaf_queries(q.a)
    return [leaf for child in q.children() for leaf in leaf_queries(child)]


def leaf_words(q: wq.Query) -> list[str]:
    """The words of one leaf query: a phrase's words, or the (prefix) text of the others."""
    return [_text(w) for w in q.words] if isinstance(q, wq.Phrase) else [_text(q.text)]


def query_terms(q: wq.Query, reader=None) -> list[tuple[str, str]]:
    """The (field, word) pairs a query names, phrases and (given a reader) prefix* and fuzzy~ expansions included."""
    if isinstance(q, wq.MultiTerm):
        if reader is None:
            return []
        texts = [_text(t) for _, t in zip(range(MAX_EXPANSIONS), expansions(q, reader))]
        return [(q.fieldname, text) for text in texts]
    if isinstance(q, wq.Term):
        return [(q.fieldname, _text(q.text))]
    if isinstance(q, wq.Phrase):
        return [(q.fieldname, _text(w)) for w in q.words]
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return query_terms(q.a, reader)
    found = []
    for child in q.children():
        found += query_terms(child, reader)
    return list(dict.fromkeys(found))


def _index(docs: np.ndarray) -> np.ndarray:
    """Document numbers as numpy's own index type: postings keep them as int32 (half the disk), and numpy converts
    an int32 index on every use, which cost more than the indexing (1.3 against 0.25 µs for one document)."""
    return docs.astype(np.intp, copy=False)


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
