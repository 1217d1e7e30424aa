"""From a request to the set of matching documents: query, field filters, facet filters, topic strength, coverage.

Shared by the record search and the quote search, so both account for every word of a query the
same way and filter topics the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .coverage import Coverage, measure, remaining_query
from .expansion import SynonymExpander
from .facets import FacetTable
from .query import ParsedQuery, extract_field_filters, parse_user_query, shorten
from .retrieval import Evaluator, Matches, intersect


@dataclass
class Selection:
    parsed: ParsedQuery
    text: str  # the query's words, field filters taken out, before synonym expansion
    filters: dict[str, list[str]]
    topic_mode: str
    found: Matches
    coverage: Coverage
    selections: dict[str, np.ndarray]  # per facet filter, the documents it lets through
    about: np.ndarray | None  # with a topic filter: the documents about (not only mentioning) the topics
    matching: np.ndarray  # what the query (and `match`) lets through, before facet filters
    hits: np.ndarray
    matched_all: int | None  # with several concepts: how many hits match every one (before match=all)
    unmatched: list[str]
    notices: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.hits))

    @property
    def remaining(self) -> str | None:
        """The query without its dead words, when some words do match."""
        if not self.unmatched or len(self.unmatched) >= len(self.coverage.concepts):
            return None
        return remaining_query(self.text, self.unmatched) or None

    def ranking(self) -> np.ndarray:
        """Relevance order: about a selected topic before only mentioning it, then every concept before some."""
        scores = self.coverage.rank(self.found.scores)
        if self.about is None:
            return scores
        return scores + self.about * (float(scores.max(initial=0.0)) + 1.0)

    def tiers(self) -> np.ndarray | None:
        """For programme order: 0 for documents about a selected topic, 1 for those only mentioning it."""
        return None if self.about is None else (~self.about).astype(np.int8)


def select(request, table: FacetTable, parser, expander: SynonymExpander, evaluator: Evaluator,
           facets: tuple[str, ...], explain_synonyms: bool = True) -> Selection:
    """Parse the query (field filters, synonyms), match it, and apply the facet filters and `match`."""
    notices: list[str] = []
    all_of: set[str] = set()
    text, query_filters = extract_field_filters(shorten(request.q, notices), table, notices, all_of)
    filters = {name: _unique(request.filters.get(name, []) + query_filters.get(name, []))
               for name in facets if request.filters.get(name) or query_filters.get(name)}
    topic_mode = "all" if "topic" in all_of else request.topic_mode
    expanded, added = expander.expand(text) if text else ("", [])
    parsed = parse_user_query(parser, expanded)
    found = evaluator.run(parsed.query)
    if added and explain_synonyms and not _adds_matches(parser, evaluator, found, text):
        added = []
    selections = {name: table.selection_mask(name, values) for name, values in filters.items() if name != "topic"}
    about = None
    if "topic" in filters:
        selections["topic"], about = table.strength_masks(filters["topic"], topic_mode)
    allowed = intersect(table.live, selections.values())
    coverage = measure(expander, evaluator, parsed.query, text, found.mask, getattr(parser, "analysed", None))
    matching = found.mask & coverage.all_mask if request.match == "all" else found.mask
    matched_all = int(np.count_nonzero(found.mask & allowed & coverage.all_mask)) if coverage.several else None
    unmatched = coverage.unmatched(allowed) if not parsed.is_browse else []
    return Selection(parsed, text, filters, topic_mode, found, coverage, selections, about, matching,
                     matching & allowed, matched_all, unmatched, notices + parsed.notices, added)


def _adds_matches(parser, evaluator: Evaluator, found: Matches, text: str) -> bool:
    """Did the synonym expansion change which documents match? Only then is it worth mentioning."""
    plain = evaluator.run(parse_user_query(parser, text).query)
    return not np.array_equal(found.mask, plain.mask)


def unmatched_notice(unmatched: list[str], total: int, filtered: bool = False, what: str = "record") -> str:
    """One sentence naming the words that match nothing, and what the results then are."""
    words = " or ".join(f"“{w}”" for w in unmatched)
    where = " with these filters" if filtered else ""
    rest = f"; these {what}s match the other words" if total else ""
    return f"No {what}{where} mentions {words}{rest}."


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
