"""A query text is understood once per build: searching with the remembered plan answers exactly what
searching with a plan worked out afresh answers, nothing a response changes leaks into the plan, and the
memory keeps within its bounds."""

from __future__ import annotations

import numpy as np
import pytest

from archive import load_corpus
from indexer import IndexStore, SearchRequest, Searcher, build_index
from indexer import query_plans
from indexer.query_plans import QueryPlans
from indexer.quote_search import QuoteRequest, open_quotes
from indexer.update import update_index

QUERIES = ["genomics", "EHDS", "european health data space", '"health data" consent', "AI NOT ethics", "genom*",
           "genomcis", "topic:ai trust", "topic:ai AND topic:ethics", "session:2 data", "speaker:nobody data",
           "zzzzqqq genomics", "consent~1", "(", "", "Løhde", "Anwendung", "data " * 40]


def _fresh(tools_owner) -> None:
    """Give the owner of `plans` (query tools or a quote index) a memory that knows no text yet."""
    plans = tools_owner.plans
    tools_owner.plans = QueryPlans(plans.table, plans.parser, plans.expander, plans.impacts)


@pytest.mark.parametrize("match", ["any", "all"])
def test_a_remembered_plan_answers_as_a_fresh_one(index_dir, match):
    searcher = Searcher(IndexStore(index_dir).handle())
    for q in QUERIES:
        request = SearchRequest(q=q, match=match, filters={"kind": ["talk"]} if "data" in q else {})
        first = searcher.search(request).as_dict()
        assert searcher.tools.plans.plan(q) is searcher.tools.plans.plan(q)  # remembered, not made again
        again = searcher.search(request).as_dict()
        _fresh(searcher.tools)
        fresh = searcher.search(request).as_dict()
        assert again == first == fresh, q


def test_quote_search_with_a_remembered_plan_answers_as_a_fresh_one(index_dir):
    handle = IndexStore(index_dir).handle()  # kept while its quotes are read
    quotes = open_quotes(handle)
    for q in QUERIES:
        first = quotes.search(QuoteRequest(q=q)).as_dict()
        again = quotes.search(QuoteRequest(q=q)).as_dict()
        _fresh(quotes)
        assert again == first == quotes.search(QuoteRequest(q=q)).as_dict(), q


def test_what_a_response_changes_does_not_reach_the_plan(index_dir):
    """A corrected search puts its notice first in the response's notices; the plan's own stay as they were."""
    searcher = Searcher(IndexStore(index_dir).handle())
    q = "genomcis " + "data " * 40  # corrected, and shortened (a notice of the plan's own)
    first = searcher.search(SearchRequest(q=q))
    assert first.corrected_from and len(first.notices) >= 2
    plan = searcher.tools.plans.plan(q)
    kept = list(plan.notices), list(plan.added), {k: list(v) for k, v in plan.filters.items()}
    first.notices.append("changed by a caller")
    first.also_searched.append("changed by a caller")
    for name in first.filters:
        first.filters[name].append("changed by a caller")
    assert searcher.search(SearchRequest(q=q)).notices == first.notices[:-1]
    assert (list(plan.notices), list(plan.added), {k: list(v) for k, v in plan.filters.items()}) == kept


def test_an_updated_build_starts_with_no_plans(small_corpus, tmp_path):
    """Plans read the build's facet values and synonyms: the build an edit publishes remembers none of the old ones."""
    root = tmp_path / "index"
    build_index(load_corpus(small_corpus), root)
    store = IndexStore(root)
    before = Searcher(store.handle())
    assert before.search(SearchRequest(q="zanzibarium")).total == 0
    talk = small_corpus / "conferences/dngc-2025/talks/dngc-2025-s2-tine-jess.md"
    talk.write_text(talk.read_text(encoding="utf-8").rstrip("\n") + " Zanzibarium\n", encoding="utf-8")
    update_index(load_corpus(small_corpus), root, ["dngc-2025-s2-tine-jess"])
    after = Searcher(store.handle())
    assert after.tools.plans is not before.tools.plans and not after.tools.plans._plans
    assert [r["id"] for r in after.search(SearchRequest(q="zanzibarium")).results] == ["dngc-2025-s2-tine-jess"]


def test_the_plans_stay_within_their_bounds(index_dir, monkeypatch):
    monkeypatch.setattr(query_plans, "PLANS", 50)
    monkeypatch.setattr(query_plans, "LEAVES", 2_000)
    searcher = Searcher(IndexStore(index_dir).handle())
    plans = searcher.tools.plans
    for number in range(300):
        words = " ".join(f"word{number}x{i}" for i in range(1 + number % 12))
        plans.plan(words)
        assert len(plans._plans) <= 50 and plans._leaves <= 2_000
        assert plans._leaves == sum(plan.size for plan in plans._plans.values())
    assert plans._plans  # still remembering after starting again


def test_leaving_out_the_words_a_build_lacks_changes_no_match_and_no_score(index_dir):
    """A plan evaluates its query less the words no document holds in their field; the full parsed query is the
    reference: the same documents with exactly the same scores."""
    searcher = Searcher(IndexStore(index_dir).handle())
    pruned = 0
    for q in QUERIES + ["Crohn", "registries", '"rare diseases" zzzzqqq', "Buchanan genomics", "Anwendungen"]:
        plan = searcher.tools.plans.plan(q)
        full, evaluated = searcher.evaluator.run(plan.parsed.query), searcher.evaluator.run(plan.evaluated)
        assert np.array_equal(evaluated.mask, full.mask) and np.array_equal(evaluated.scores, full.scores), q
        pruned += plan.evaluated is not plan.parsed.query
    assert pruned >= 5  # most words are absent from some of the seven fields


def test_forgotten_plans_are_made_afresh(index_dir):
    """What benchmarks/first_search.py relies on to time a text's first search."""
    handle = IndexStore(index_dir).handle()
    plans = Searcher(handle).tools.plans
    first = plans.plan("genomics")
    assert plans.plan("genomics") is first
    plans.forget()
    assert plans.plan("genomics") is not first
