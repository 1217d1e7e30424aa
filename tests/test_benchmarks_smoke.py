"""The benchmark code works end to end on a tiny corpus: structure only, never timings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# benchmarks/ sits beside tests/ and is not an installed package: make the project root importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import load_corpus  # noqa: E402
from benchmarks import fts5_baseline, report, run, synthetic  # noqa: E402
from benchmarks.measure import percentile  # noqa: E402
from benchmarks.queries import CLASSES, Query  # noqa: E402

SIZE = 30


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """One tiny benchmark run: 2 queries per class, one pass, no HTTP, throughput, edit or profile."""
    options = run.Options(per_class=2, repeat=1, http=False, edit_size=None, throughput_size=None, profile_size=None)
    cache = tmp_path_factory.mktemp("bench")
    return cache, run.measure_size(SIZE, cache, options)


def test_generator_writes_a_corpus_that_loads_with_topics(tmp_path):
    corpus = load_corpus(synthetic.generate(SIZE, tmp_path / "corpus", seed=3))
    assert len(corpus.talks) == SIZE
    assert {t.kind for t in corpus.talks.values()} <= {"talk", "panel", "qa"}
    assert any(t.topics for t in corpus.talks.values())
    assert all(s.appearances for s in corpus.speakers.values())
    assert (tmp_path / "corpus" / "taxonomy.yaml").read_text() == (synthetic.SHIPPED_CORPUS / "taxonomy.yaml").read_text()


def test_generator_is_seeded(tmp_path):
    first = synthetic.generate(20, tmp_path / "a", seed=5)
    second = synthetic.generate(20, tmp_path / "b", seed=5)
    files = sorted(p.relative_to(first) for p in first.rglob("*.md"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.md"))
    assert all((first / f).read_text() == (second / f).read_text() for f in files)


def test_every_class_has_a_row_with_ratios(measured):
    _, result = measured
    rows = {row["class"]: row for row in report.latency_rows(result)}
    expected = [c for c in CLASSES if c != "quotes"]
    assert set(expected) <= set(rows)
    for cls in expected:
        assert rows[cls]["n"] == 2
        assert rows[cls]["ratio_inproc"].endswith("×")
        assert rows[cls]["http_p95"] is None


def test_build_figures_are_recorded(measured):
    _, result = measured
    build = result["build"]
    assert build["talks"] == SIZE
    assert build["documents"] > SIZE
    assert build["whoosh_mb"] > 0 and build["fts5_mb"] > 0


def test_report_and_chart_render(measured):
    _, result = measured
    results = {"command": "python -m benchmarks.run --sizes 50", "machine": {"cores": 2},
               "sizes": {str(SIZE): result}, "not_run": ["HTTP: skipped"]}
    markdown = report.render_markdown(results, "benchmarks.svg")
    assert f"## Search latency at {SIZE} talks (ms)" in markdown
    assert "| faceted: word + 2 filters | 2 |" in markdown
    assert "- HTTP: skipped" in markdown
    svg = report.render_svg(results)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert markdown.startswith("# Benchmarks\n") and report.FINDINGS.read_text().strip() in markdown  # the analysis


def test_the_alt_generator_s_report_says_so_and_points_to_the_analysis(measured):
    _, result = measured
    results = {"command": "python -m benchmarks.run --generator alt", "machine": {"cores": 2}, "generator": "alt",
               "sizes": {str(SIZE): result}}
    markdown = report.render_markdown(results, "benchmarks-alt.svg")
    assert markdown.startswith("# Benchmarks on the alt generator's corpora\n")
    assert "synthetic_alt.py" in markdown
    assert "[benchmarks.md](benchmarks.md#where-the-time-goes)" in markdown
    assert report.FINDINGS.read_text().strip()[:200] not in markdown


def test_fts5_baseline_answers_the_same_shape(measured):
    cache, _ = measured
    searcher = fts5_baseline.FtsSearcher(cache / f"fts5-{SIZE}.sqlite")
    try:
        found = searcher.search("", {"kind": ["talk"]})
    finally:
        searcher.close()
    kinds = dict(found.facets["kind"])
    assert found.total == kinds["talk"]  # a facet's own filter does not narrow its own counts
    assert {"talk", "session", "speaker"} <= set(kinds)
    assert len(found.results) == min(found.total, 20)
    assert all(r["kind"] == "talk" for r in found.results)


def test_the_quote_baseline_answers_what_the_quote_index_answers(measured):
    """Built beside the records' baseline from the same sentences: the quote facets counted, quotes returned."""
    from indexer.quotes_index import QUOTE_FACETS

    cache, result = measured
    assert result["build"]["fts5_quotes_mb"] > 0
    baseline = fts5_baseline.Baseline(cache / f"fts5-{SIZE}.sqlite")
    try:
        assert baseline.quotes is not None
        assert baseline.answers(Query("quotes", "data", {}))
        found = baseline.run(Query("quotes", "data", {}))
        every = baseline.quotes.search("", {})
    finally:
        baseline.close()
    assert set(found.facets) == set(QUOTE_FACETS)
    assert 0 < found.total < every.total and len(found.results) == min(found.total, 20)
    assert all("data" in r["text"].lower() and "<mark>" in r["snippet"] for r in found.results)
    assert all(r["id"] and r["talk"] for r in found.results)  # the quote index's own sentence records


@pytest.mark.parametrize("text, expected", [
    ("genome", '"genome"'),
    ("What is the role of data?", '"what" OR "role" OR "data"'),
    ('"whole genome" sequencing', '"whole genome" OR "sequencing"'),
    ("", ""),
])
def test_fts5_match_expression(text, expected):
    assert fts5_baseline.match_expression(text) == expected


def test_percentile_interpolates():
    assert percentile([0.1, 0.2, 0.3, 0.4], 50) == pytest.approx(0.25)
    assert percentile([0.1, 0.2, 0.3, 0.4], 100) == pytest.approx(0.4)


def test_latency_only_times_a_built_index_with_its_fts5_baseline(measured):
    """The tool for sizes too slow to rebuild: in-process, FTS5 and a real server, build figures carried over."""
    import json

    from benchmarks import latency_only

    cache, result = measured
    raw = cache / "built.json"
    raw.write_text(json.dumps(result), encoding="utf-8")
    latency_only.main(["--size", str(SIZE), "--build-from", str(raw), "--cache", str(cache), "--per-class", "1",
                       "--repeat", "1", "--threads", "2"])
    out = json.loads((cache / f"results-{SIZE}.json").read_text(encoding="utf-8"))
    assert out["build"] == result["build"]
    assert set(out["latency"]) == {"whoosh", "fts5", "http"}
    assert {"rare term", "phrase", "faceted: word + 2 filters"} <= set(out["latency"]["fts5"])
    assert all(row["n"] == 1 for row in out["latency"]["http"].values())


def test_engines_timed_side_by_side_take_their_passes_in_turn():
    """Each engine warms up on a class, then the timed passes alternate engine by engine; an engine is timed only on
    the queries it answers, and a class it answers none of has no row."""
    from benchmarks.measure import time_side_by_side
    from benchmarks.queries import Query

    calls: list[tuple[str, str]] = []
    engines = {name: (lambda q, name=name: calls.append((name, q.q)), wanted)
               for name, wanted in (("a", lambda q: True), ("b", lambda q: q.cls != "quotes"))}
    queries = [Query("rare term", "x"), Query("rare term", "y"), Query("quotes", "z")]
    timed = time_side_by_side(queries, engines, repeat=2)
    assert calls == [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"),  # warm-up
                     ("a", "x"), ("b", "x"),  # one untimed search each after the idle wait
                     ("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"),
                     ("a", "z"), ("a", "z"), ("a", "z"), ("a", "z")]
    assert timed["a"]["rare term"]["n"] == 4 and timed["b"]["rare term"]["n"] == 4
    assert timed["a"]["quotes"]["n"] == 2 and "quotes" not in timed["b"]


def test_the_issue_16_summary_marks_a_missed_target_and_a_generator_not_measured():
    from benchmarks import issue16

    search = {"measured_at": "then", "latency": {"whoosh": {"rare term": {"p95_ms": 0.5}, "phrase": {"p95_ms": 2.0}},
                                               "fts5": {"rare term": {"p95_ms": 0.4}, "phrase": {"p95_ms": 3.0}}}}
    summary = issue16.summary({"size": 10_000, "default": {"speed": None, "search": search}, "alt": {}})
    assert "| rare term: Whoosh p95 ≤ FTS5 p95 | 0.50 vs 0.40 ms **(not met)** | not measured |" in summary
    assert "| phrase: Whoosh p95 ≤ FTS5 p95 | 2.00 vs 3.00 ms | not measured |" in summary
    assert summary.rstrip().endswith("Not every target is met: see the rows marked.")
    met = {"measured_at": "then", "latency": {"whoosh": {"phrase": {"p95_ms": 2.0}}, "fts5": {"phrase": {"p95_ms": 3.0}}}}
    assert issue16.summary({"size": 10_000, "default": {"search": met}, "alt": {}}).rstrip().endswith(
        "Every target measured is met, but some were not measured on: alt.")
    partly = {"measured_at": "then", "latency": {"whoosh": {"rare term": {"p95_ms": 0.3}},
                                                 "fts5": {"rare term": {"p95_ms": 0.4}}}}
    summary = issue16.summary({"size": 10_000, "default": {"search": met}, "alt": {"search": partly}})
    assert "| phrase: Whoosh p95 ≤ FTS5 p95 | 2.00 vs 3.00 ms | not measured |" in summary
    assert summary.rstrip().endswith("some were not measured on: default, alt.")


def test_first_search_times_a_fresh_plan_a_remembered_one_and_fts5(measured, capsys):
    from benchmarks import first_search

    cache, _ = measured
    first_search.main(["--size", str(SIZE), "--cache", str(cache), "--words", "3", "--passes", "2"])
    rows = [line.split("|") for line in capsys.readouterr().out.splitlines()[2:]]
    assert [row[1].strip() for row in rows] == list(first_search.WAYS)
    assert all(int(row[2]) == 6 and float(row[3]) > 0 for row in rows)
