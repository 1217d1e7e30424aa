"""Which of a query's concepts each document matches: to rank, to keep only full matches, and to name dead words.

A concept is a word of the query as typed, or all the words of a synonym group ("EHDS" and "European
Health Data Space" are one). Words the query negates are not concepts. A result list that silently
matches only some of the words looks more relevant than it is, so the response names every concept
that matches nothing, counts the documents that match all of them, and ranks those first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence
from functools import cached_property

import numpy as np
from whoosh import query as wq

from .analysis import LANGUAGE_FIELDS
from .expansion import SynonymExpander
from .retrieval import Evaluator, leaf_queries, leaf_words

COORD_FLOOR = 0.3  # weight left to a document that matches only a small share of the query's concepts
MATCH_MODES = ("any", "all")
Analysed = Callable[[str, str], Sequence[str]]
STRICT_CONCEPTS = 5  # up to this many concepts, documents with all of them rank first; longer questions rely on share


@dataclass
class Concept:
    word: str  # as the user typed it
    mask: np.ndarray  # the documents that match it


@dataclass
class Coverage:
    concepts: list[Concept]
    size: int
    whole: bool = False  # one concept, whose documents are exactly those the query matched

    @property
    def several(self) -> bool:
        """Whether 'match all' means anything: a one-concept query is matched all or not at all."""
        return len(self.concepts) > 1

    @cached_property
    def counts(self) -> np.ndarray:
        """How many of the concepts each document matches."""
        counts = np.zeros(self.size, dtype=np.int32)
        for concept in self.concepts:
            counts += concept.mask
        return counts

    @cached_property
    def all_mask(self) -> np.ndarray:
        """The documents that match every concept (all documents when there are none)."""
        return self.counts == len(self.concepts)

    def unmatched(self, within: np.ndarray, hits: np.ndarray | None = None) -> list[str]:
        """The concepts (as typed) that no document of `within` matches. `hits`: the query's matches within it, when
        known; the whole query's one concept is unmatched exactly when there are none."""
        if self.whole and hits is not None:
            return [] if hits.any() else [self.concepts[0].word]
        return [c.word for c in self.concepts if not (c.mask & within).any()]

    def rank(self, scores: np.ndarray) -> np.ndarray:
        """Scores that put documents matching every concept first, then weigh the rest by their share.

        BM25F alone lets a frequent word outweigh a document that has every concept once.
        """
        if not self.several:
            return scores
        share = self.counts / len(self.concepts)
        scaled = scores * (COORD_FLOOR + (1 - COORD_FLOOR) * share)
        if len(self.concepts) > STRICT_CONCEPTS:
            return scaled
        return scaled + self.all_mask * (float(scaled.max(initial=0.0)) + 1.0)


@dataclass(frozen=True)
class ConceptLeaves:
    """Which leaves of a parsed query stand for which concept: the same for every search of the same text in
    one build, so worked out once (query_plans.py) and evaluated per search."""

    words: list[str]  # each concept as typed, by concept number
    leaves: dict[int, list]  # concept number -> its leaf queries (concepts with none are left out)
    whole: bool  # the query is one concept's words or phrases OR-ed: it matches exactly that concept's documents


def concept_leaves(expander: SynonymExpander, schema, query, text: str,
                   analysed: Analysed | None = None) -> ConceptLeaves:
    """Group the parsed query's leaves by the concept of `text` (the query before synonym expansion) they match.

    `analysed(field, word)`: the terms a field's analyzer makes of a word, remembered (query.QueryParser).
    """
    words = expander.concept_words(text) if text else []
    concept_of = _concept_lookup([tokens for _, tokens in words], expander.analyzer)
    leaves: dict[int, list] = {}
    whole = {tokens: number for number, (_, tokens) in enumerate(words)}
    local = _language_owners(schema, words, analysed)
    every_leaf = leaf_queries(query)
    for leaf in every_leaf:
        found_words = leaf_words(leaf)
        field = getattr(leaf, "fieldname", None)
        if field in local:  # a word stemmed for another language: the typed word it came from
            numbers = {local[field][w] for w in found_words if w in local[field]}
        elif frozenset(found_words) in whole:  # a quoted phrase is one concept
            numbers = {whole[frozenset(found_words)]}
        else:  # a phrase of separately typed words covers each of them
            numbers = {c for c in map(concept_of, found_words) if c is not None}
        for number in numbers:
            leaves.setdefault(number, []).append(leaf)
    one = len(leaves) == 1 and len(next(iter(leaves.values()))) == len(every_leaf) and _plain_or(query)
    return ConceptLeaves([word for word, _ in words], leaves, one)


def evaluate_concepts(concepts: ConceptLeaves, evaluator: Evaluator, matched: np.ndarray | None = None) -> Coverage:
    """Each concept's documents. `matched`: the live documents the query matches, when known; a query that is
    one concept's words or phrases OR-ed together matches exactly that concept's, so they are not looked up again."""
    if matched is not None and concepts.whole:
        (number, _), = concepts.leaves.items()
        return Coverage([Concept(concepts.words[number], matched)], evaluator.size, whole=True)
    return Coverage([Concept(concepts.words[n], evaluator.matching(*concepts.leaves[n]) & evaluator.live)
                     for n in sorted(concepts.leaves)], evaluator.size)


def measure(expander: SynonymExpander, evaluator: Evaluator, query, text: str,
            matched: np.ndarray | None = None, analysed: Analysed | None = None) -> Coverage:
    """Evaluate each concept of `text` (the query before synonym expansion) over the parsed query's leaves."""
    return evaluate_concepts(concept_leaves(expander, evaluator.searcher.schema, query, text, analysed),
                             evaluator, matched)


def _plain_or(query) -> bool:
    """A word or phrase, or words and phrases OR-ed together: what it matches is the union of its leaves' matches."""
    leaf_types = (wq.Term, wq.Phrase)
    return type(query) in leaf_types or (type(query) is wq.Or and all(type(q) in leaf_types for q in query.subqueries))


def _language_owners(schema, words: list[tuple[str, frozenset[str]]],
                     analysed: Analysed | None = None) -> dict[str, dict[str, int]]:
    """For each field stemmed for another language: its stems of each typed concept, to the concept's number."""
    owners: dict[str, dict[str, int]] = {}
    stems = analysed or (lambda name, word: [token.text for token in schema[name].analyzer(word)])
    for field, _ in LANGUAGE_FIELDS.values():
        if field in schema:
            owners[field] = {stem: number for number, (word, _) in reversed(list(enumerate(words)))
                             for stem in stems(field, word)}
    return owners


def remaining_query(text: str, unmatched: list[str]) -> str:
    """The query without the words that match nothing, for a one-click search on the rest."""
    rest = text
    for word in unmatched:
        rest = rest.replace(word, " ", 1)
    return " ".join(rest.split())


def _concept_lookup(concepts: list[frozenset[str]], analyzer):
    """A function from an index word to the number of the concept it belongs to (or None)."""
    owner: dict[str, int] = {}
    for index, concept in enumerate(concepts):
        for token in concept:
            owner.setdefault(token, index)  # a word typed first keeps its own concept

    def concept_of(text: str):
        if text in owner:
            return owner[text]
        stems = [t.text for t in analyzer(text)]  # names are indexed unstemmed; the concepts hold stems
        return owner.get(stems[0]) if stems else None
    return concept_of
