"""What a query's text asks for, worked out once per open build and remembered, like a prepared statement.

Reading the text (its length budget, `topic:` filters, synonyms, the parsed Whoosh query, which leaves
stand for which typed concept, the words to mark in snippets) depends only on the text and the build, and
cost about a third of a rare word's search at 10,000 talks (benchmarks/findings.md, fifteenth run). Paging,
refining by facets, a page and its API call and the spelling retry all search the same text again. What
the text matches is not remembered: every search evaluates it.
"""

from __future__ import annotations

import threading

from whoosh import query as wq

from .coverage import ConceptLeaves, concept_leaves
from .expansion import SynonymExpander
from .facets import FacetTable
from .query import ParsedQuery, extract_field_filters, parse_user_query, shorten
from .impacts import ImpactIndex
from .retrieval import leaf_queries, leaf_words, query_terms

PLANS = 4096  # texts remembered per build; then forgotten at once and refilled
LEAVES = 100_000  # and at most this many word and phrase queries in them (a long question has hundreds), ~25 MB


class QueryPlan:
    """One query text, understood. Shared by every search of the text: read it, never change it."""

    __slots__ = ("text", "filters", "notices", "all_of", "added", "parsed", "evaluated", "concepts", "size", "_terms",
                 "adds_matches")

    def __init__(self, text: str, filters: dict[str, list[str]], notices: list[str], all_of: set[str],
                 added: list[str], parsed: ParsedQuery, concepts: ConceptLeaves, evaluated):
        self.text = text  # the words, field filters taken out, before synonym expansion
        self.filters = filters  # facet filters the text names (`topic:ai`)
        self.notices = notices  # what reading the text changed (shortened, a filter left out, syntax)
        self.all_of = all_of  # facets the text asks to match all values of (`topic:a AND topic:b`)
        self.added = added  # synonyms the expansion added
        self.parsed = parsed
        self.evaluated = evaluated  # the query to evaluate: the parsed one less the words this build does not hold
        self.concepts = concepts
        self.size = len(leaf_queries(parsed.query))  # what remembering it costs, in leaf queries
        self._terms: list[tuple[str, str]] | None = None
        self.adds_matches: bool | None = None  # whether the synonyms change what matches; known after one search

    def terms(self, reader) -> list[tuple[str, str]]:
        """The (field, word) pairs the query names, prefix* and fuzzy~ expansions included (for marking)."""
        if self._terms is None:
            self._terms = query_terms(self.parsed.query, reader)
        return self._terms


class QueryPlans:
    """The plans of one build's query texts, for one kind of index (records or quotes)."""

    def __init__(self, table: FacetTable, parser, expander: SynonymExpander, impacts: ImpactIndex):
        self.table, self.parser, self.expander, self.impacts = table, parser, expander, impacts
        self._plans: dict[str, QueryPlan] = {}
        self._leaves = 0
        self._lock = threading.Lock()

    def plan(self, q: str) -> QueryPlan:
        found = self._plans.get(q)
        if found is None:
            found = self.understand(q)
            with self._lock:
                if len(self._plans) >= PLANS or self._leaves + found.size > LEAVES:
                    self._plans.clear()
                    self._leaves = 0
                if q not in self._plans:
                    self._leaves += found.size
                self._plans[q] = found
        return found

    def forget(self) -> None:
        """Drop every plan: the next search of each text makes its plan afresh (benchmarks/first_search.py)."""
        with self._lock:
            self._plans.clear()
            self._leaves = 0

    def understand(self, q: str) -> QueryPlan:
        """The plan of `q` worked out afresh."""
        notices: list[str] = []
        all_of: set[str] = set()
        text, filters = extract_field_filters(shorten(q, notices), self.table, notices, all_of)
        expanded, added = self.expander.expand(text) if text else ("", [])
        parsed = parse_user_query(self.parser, expanded)
        analysed = getattr(self.parser, "analysed", None)
        concepts = concept_leaves(self.expander, self.parser.schema, parsed.query, text, analysed)
        return QueryPlan(text, filters, notices, all_of, added, parsed, concepts,
                         without_absent_words(parsed.query, self.impacts))


def without_absent_words(query: wq.Query, impacts: ImpactIndex) -> wq.Query:
    """A word, or words and phrases OR-ed, less the words no document of the build holds in their field: they add
    to no score and match nothing, and a rare word is absent from most of the seven fields a word is sought in.
    Any other query is kept as it is."""
    def held(q: wq.Query) -> bool:
        return type(q) is not wq.Term or len(impacts.postings(q.fieldname, leaf_words(q)[0])[0]) > 0

    if type(query) is wq.Term:
        return query if held(query) else wq.NullQuery
    if type(query) is not wq.Or or not all(type(q) in (wq.Term, wq.Phrase) for q in query.subqueries):
        return query
    kept = [q for q in query.subqueries if held(q)]
    if not kept:
        return wq.NullQuery
    if len(kept) == 1 and query.boost == 1.0:
        return kept[0]
    return wq.Or(kept, boost=query.boost) if len(kept) < len(query.subqueries) else query
