"""Evaluate a parsed query over the precomputed postings: which documents match, and their scores.

Each node of the Whoosh query tree becomes a boolean vector (matches) and a score vector over all
documents, combined with numpy: an OR adds, an AND intersects, a NOT subtracts. Scores equal
Whoosh's BM25F, because the postings carry Whoosh's own per-term scores (see impacts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from .analysis import PAIR_SEPARATOR
from .impacts import ImpactIndex, pair_table
from .postings import Cursor

PAIRS_FIELD = "pairs"  # body word pairs; see schema.py
PHRASE_FIELDS = {"body": PAIRS_FIELD}
MAX_EXPANSIONS = 1000
MAX_POSITION_CHECKS = 2000  # phrase candidates checked one by one; past this Whoosh walks the postings  # prefix* and fuzzy~ terms looked up per query word


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
        self._phrases: dict[tuple, Matches] = {}  # this evaluator's phrases: ranking evaluates them again

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

    def nothing(self) -> Matches:
        return Matches(np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float64))

    def term(self, field: str, text: str) -> Matches:
        found = self.nothing()
        docs, scores = self.impacts.postings(field, text)
        found.mask[docs] = True
        found.scores[docs] = scores
        return found

    def _term(self, q: wq.Term) -> Matches:
        return self.term(q.fieldname, _text(q.text))

    def _or(self, q: wq.Or) -> Matches:
        found = self.nothing()
        for sub in q.subqueries:
            if type(sub) is wq.Term:  # the common case: add its postings in place, no whole-index arrays
                docs, scores = self.impacts.postings(sub.fieldname, _text(sub.text))
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
        """A phrase's matches, worked out once per evaluator (a Searcher's, so once per request)."""
        key = (q.fieldname, tuple(_text(w) for w in q.words), q.slop)
        known = self._phrases.get(key)
        if known is None:
            known = self._phrases[key] = self._phrase_matches(q)
        return Matches(known.mask.copy(), known.scores.copy())  # callers combine results in place

    def _phrase_matches(self, q: wq.Phrase) -> Matches:
        """A two-word phrase is one lookup of a word pair where the field has pairs; longer ones check candidates' positions."""
        words = [_text(w) for w in q.words]
        if not words:
            return self.nothing()
        if len(words) == 1:
            return self.term(q.fieldname, words[0])
        found = self._and(wq.And([wq.Term(q.fieldname, w) for w in words]))
        pairs = self._pairs_of(q.fieldname)
        if pairs and q.slop == 1:
            for first, second in zip(words, words[1:]):
                found.mask &= self.term(pairs, first + PAIR_SEPARATOR + second).mask
            if len(words) == 2:
                found.scores *= found.mask
                return found
        return self._verified(q, found)

    def _pairs_of(self, field: str) -> str | None:
        """The word-pair field or table of a field: Whoosh's pairs field for the body, the build's tables for others."""
        if field in PHRASE_FIELDS:
            return PHRASE_FIELDS[field]
        table = pair_table(field)
        return table if self.impacts.has_table(table) else None

    def _verified(self, q: wq.Phrase, candidates: Matches) -> Matches:
        """Keep the candidates whose word positions make the phrase (few candidates: read just theirs)."""
        docs = np.flatnonzero(candidates.mask)
        if len(docs) > MAX_POSITION_CHECKS or q.slop != 1:
            confirmed = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        else:
            confirmed = np.asarray(self._adjacent(q.fieldname, [_text(w) for w in q.words], docs), dtype=np.int64)
        keep = np.zeros(self.size, dtype=bool)
        keep[confirmed] = True
        candidates.mask &= keep
        candidates.scores *= candidates.mask
        return candidates

    def _adjacent(self, field: str, words: list[str], docs: np.ndarray) -> list[int]:
        """The documents (each holding every word) where the words stand at consecutive positions."""
        if not len(docs):
            return []
        reader = self.searcher.reader()
        cursors = [Cursor(reader, field, word) for word in words]
        found = []
        for docnum in docs.tolist():
            matchers = [cursor.seek(docnum) for cursor in cursors]
            if None in matchers:  # a deleted document's postings can outlive it in the impacts
                continue
            positions = [set(matcher.value_as("positions")) for matcher in matchers]
            if any(all(start + i in positions[i] for i in range(1, len(words))) for start in positions[0]):
                found.append(docnum)
        return found

    def _expanded(self, q: wq.MultiTerm) -> Matches:
        """prefix* and fuzzy~: the sum over the index terms the pattern matches."""
        field = q.fieldname
        found = self.nothing()
        for number, btext in enumerate(q._btexts(self.searcher.reader())):
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
        texts = [_text(t) for _, t in zip(range(MAX_EXPANSIONS), q._btexts(reader))]
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


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
