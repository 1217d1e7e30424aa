"""Issue 16's benchmark tools work end to end on tiny corpora: structure only, never timings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# benchmarks/ sits beside tests/ and is not an installed package: make the project root importable.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import load_corpus  # noqa: E402
from benchmarks import edits, index_speed, issue16, phrases, synthetic_alt  # noqa: E402

SIZE = 40


def test_alt_generator_writes_a_valid_corpus_with_its_own_distributions(tmp_path):
    out = synthetic_alt.generate(SIZE, tmp_path / "corpus", seed=4)
    check = subprocess.run([sys.executable, "-m", "confarchive", "validate", "--corpus", str(out)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    corpus = load_corpus(out)
    assert len(corpus.talks) == SIZE
    assert max(len(t.speakers) for t in corpus.talks.values()) > 2
    assert any(t.topics for t in corpus.talks.values())
    assert all(s.appearances for s in corpus.speakers.values())


def test_alt_generator_is_seeded(tmp_path):
    first = synthetic_alt.generate(15, tmp_path / "a", seed=5)
    second = synthetic_alt.generate(15, tmp_path / "b", seed=5)
    files = sorted(p.relative_to(first) for p in first.rglob("*.md"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.md"))
    assert all((first / f).read_text() == (second / f).read_text() for f in files)


def test_phrases_are_runs_of_common_words_from_the_texts():
    texts = ["Alpha beta gamma delta epsilon. Zeta eta.", "alpha beta gamma delta epsilon zeta",
             "Alpha beta gamma delta epsilon theta"]
    queries = phrases.sample_phrases(texts, per_length=2)
    assert {q.cls for q in queries} == {phrases.phrase_class(n) for n in phrases.LENGTHS}
    joined = [" ".join(phrases.TOKEN.findall(t.lower())) for t in texts]
    for query in queries:
        words = query.q.strip('"')
        assert len(words.split()) == int(query.cls.split()[2])
        assert any(words in text for text in joined)


def test_form_parser_submits_what_a_browser_would():
    html = """<form method="post" action="/other"><input name="x" value="no"></form>
    <form method="post" action="/curate/talks/t1/edit"><input type="hidden" name="csrf_token" value="tok">
    <input name="title" value="A &amp; B"><select name="kind"><option value="talk">talk</option>
    <option value="panel" selected>panel</option></select>
    <input type="checkbox" name="topics_add" value="ai" checked><input type="checkbox" name="topics_add" value="x">
    <textarea name="body">\nLine one\nline two</textarea><button type="submit" name="action" value="save">S</button>
    </form>"""
    assert edits.form_fields(html, "/curate/talks/t1/edit") == [
        ["csrf_token", "tok"], ["title", "A & B"], ["kind", "panel"], ["topics_add", "ai"],
        ["body", "Line one\nline two"]]


def test_index_speed_runs_end_to_end(tmp_path):
    """Both generators at a tiny size: build, phrases and one save per scenario through a real server."""
    out = tmp_path / "report.md"
    results = index_speed.main(["--sizes", "25", "--generators", "default,alt", "--per-length", "2", "--repeat", "1",
                                "--saves", "1", "--save-timeout", "120", "--import-events", "5",
                                "--cache", str(tmp_path / "cache"),
                                "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    for run in results["runs"].values():
        assert run["build"]["documents"] > 25 and run["build"]["fts5_mb"] > 0
        assert run["build"]["tree_peak_rss_mb"] > 0
        for key in ("same_talk", "different_talks"):
            assert run["edits"][key]["ok"] == 1, run["edits"][key]
            assert run["edits"][key]["before"]["rss_mb"] > 0
        assert set(run["phrases"]["whoosh"]) == set(run["phrases"]["fts5"])
        imported = run["import"]
        assert imported["talks_imported"] == 5 and imported["segments_after"] == imported["segments_before"] + 1
        assert imported["records_found"] >= 5 and imported["index_documents"] >= 5
    assert "## alt generator, 25 talks" in text and "### Targets" in text
    rows = [line for line in text.splitlines() if line.startswith("| a 5-talk conference imported without a full build")]
    assert len(rows) == 2 and all("segments 1 → 2" in row and row.endswith("| yes |") for row in rows)
    summary = issue16.summary(issue16.gather(tmp_path / "cache", None, size=25))  # docs/benchmarks.md's section
    assert "## Issue 16 at 25 talks, both generators" in summary
    row = next(line for line in summary.splitlines() if line.startswith("| a 5-talk conference imported"))
    assert row.count("segments 1 → 2") == 2  # a column per generator, from each run's raw results
    assert "| phrase of 2 common words: Whoosh p95 ≤ FTS5 p95 |" in summary
    talks = list((tmp_path / "cache").glob("corpus-*/conferences/*/talks/*.md"))
    assert talks and not [t for t in talks if "zqx" in t.read_text(encoding="utf-8")]  # edits went to copies
