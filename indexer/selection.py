"""From a request to the set of matching documents: query, field filters, facet filters, topic strength, coverage.

Shared by the record search and the quote search, so both account for every word of a query the
same way and filter topics the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .coverage import Coverage, evaluate_concepts, remaining_query
from .query import ParsedQuery, parse_user_query
from .query_plans import QueryPlan, QueryPlans
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
    plan: QueryPlan | None = None  # the text's plan, shared with every search of the text: read only

    def __post_init__(self):
        self.hit_numbers = np.flatnonzero(self.hits)  # ascending: found once for the page, the facets and the total

    @property
    def total(self) -> int:
        return len(self.hit_numbers)

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


def select(request, plans: QueryPlans, evaluator: Evaluator, facets: tuple[str, ...],
           explain_synonyms: bool = True) -> Selection:
    """Match the query's plan (field filters, synonyms, parsed once per text) and apply the facet filters and `match`."""
    plan, table = plans.plan(request.q), plans.table
    filters = {name: _unique(request.filters.get(name, []) + plan.filters.get(name, []))
               for name in facets if request.filters.get(name) or plan.filters.get(name)}
    topic_mode = "all" if "topic" in plan.all_of else request.topic_mode
    parsed = plan.parsed
    found = evaluator.run(plan.evaluated)
    added = plan.added
    if added and explain_synonyms:
        if plan.adds_matches is None:
            plan.adds_matches = _adds_matches(plans.parser, evaluator, found, plan.text)
        added = added if plan.adds_matches else []
    selections = {name: table.selection_mask(name, values) for name, values in filters.items() if name != "topic"}
    about = None
    if "topic" in filters:
        selections["topic"], about = table.strength_masks(filters["topic"], topic_mode)
    allowed = intersect(table.live, selections.values())
    coverage = evaluate_concepts(plan.concepts, evaluator, found.mask)
    matching = found.mask & coverage.all_mask if request.match == "all" else found.mask
    matched_all = int(np.count_nonzero(found.mask & allowed & coverage.all_mask)) if coverage.several else None
    hits = matching & allowed
    unmatched = coverage.unmatched(allowed, hits) if not parsed.is_browse else []
    return Selection(parsed, plan.text, filters, topic_mode, found, coverage, selections, about, matching,
                     hits, matched_all, unmatched, plan.notices + parsed.notices, list(added), plan)


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
