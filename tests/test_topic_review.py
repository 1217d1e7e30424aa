"""`confarchive topics explain` and `topics changes`: why a record has its topics, and what a taxonomy edit does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import load_corpus
from archive.topic_review import compare, explain_record, snapshot
from archive.writer import update_text
from confarchive.cli import main
from indexer import build_index

SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BRITT_TALK = "dngc-2025-s1-britt-elmedal-laursen"
TAXONOMY = """\
topics:
  - id: genomics
    label: Genomics
    threshold: 2
    rules:
      - {terms: [genom*, wgs], weight: 1.0}
      - {phrases: [whole genome sequencing], weight: 2.0}
  - id: cancer
    label: Cancer
    threshold: 1
    rules:
      - {terms: [oncolog*], weight: 1.5}
  - id: ethics
    label: Ethics
    threshold: 2
    rules:
      - {terms: [ethic*, consent], weight: 1.0}
  - id: ai
    label: Artificial intelligence
    threshold: 1
    rules:
      - {terms: [ai], weight: 1.0}
"""


@pytest.fixture
def small(corpus_copy) -> Path:
    """The corpus under a four-topic taxonomy whose scores are easy to count by hand."""
    (corpus_copy / "taxonomy.yaml").write_text(TAXONOMY, encoding="utf-8")
    return corpus_copy


def _run(corpus: Path, *args):
    return CliRunner().invoke(main, ["topics", *args, "--corpus", str(corpus)])


def test_explain_shows_rules_words_scores_and_thresholds(small):
    result = _run(small, "explain", BRITT_TALK)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{BRITT_TALK} (talk): A clinical perspective on integrating genomic data into oncology practice\n"
        "Topics: genomics, cancer\n"
        "\n"
        "genomics (Genomics): assigned: score 5 ≥ threshold 2\n"
        "  +5  [terms genom*, wgs] weight 1: genomic ×2, wgs ×3\n"
        "\n"
        "cancer (Cancer): assigned: score 3 ≥ threshold 1\n"
        "  +3  [terms oncolog*] weight 1.5: oncology ×2\n"
        "\n"
        "No rule matched: ethics, ai\n")


def test_explain_shows_overrides(small):
    talk = small / "conferences/dngc-2025/talks" / f"{BRITT_TALK}.md"
    talk.write_text(update_text(talk.read_text(encoding="utf-8"), {"topics": {"add": ["ai", "nope"],
                                                                              "remove": ["cancer"]}}),
                    encoding="utf-8")
    result = _run(small, "explain", BRITT_TALK)
    assert result.exit_code == 0, result.output
    assert "Topics: genomics, ai\n" in result.output
    assert "cancer (Cancer): removed by the record's override (topics.remove); score 3 ≥ threshold 1\n" in result.output
    assert "ai (Artificial intelligence): added by the record's override (topics.add); score 0 < threshold 1\n" in result.output
    assert result.output.endswith(
        "Notes:\n  - the override names topic 'nope', which the taxonomy does not define (ignored)\n")


def test_explain_a_speaker_with_all_topics_as_json(small):
    result = _run(small, "explain", "klaus-hoeyer", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["id"], data["kind"], data["topics"]) == ("klaus-hoeyer", "speaker", ["ethics"])
    ethics = next(r for r in data["reasons"] if r["id"] == "ethics")
    assert (ethics["added"], ethics["by_rules"], ethics["assigned"], ethics["score"]) == (True, False, True, 0)
    assert [r["id"] for r in data["reasons"]] == ["genomics", "cancer", "ethics", "ai"]


def test_explain_agrees_with_the_tagging_for_every_record(corpus):
    for ident in [*corpus.talks, *corpus.speakers]:
        explanation = explain_record(corpus, ident)
        assert [r.id for r in explanation.reasons if r.assigned] == explanation.topics, ident


def test_explain_unknown_id(small):
    result = _run(small, "explain", "nobody")
    assert (result.exit_code, result.output) == (1, "Error: no talk or speaker has the id 'nobody'\n")


@pytest.fixture
def published(small, tmp_path) -> Path:
    """An index built from the small-taxonomy corpus, as `confarchive build` publishes it."""
    index = tmp_path / "index"
    build_index(load_corpus(small), index)
    return index


def test_no_changes_right_after_a_build(small, published):
    result = _run(small, "changes", "--index", str(published))
    assert result.exit_code == 0, result.output
    assert result.output == (f"Before: the published index in {published}\n"
                             f"After: the corpus in {small}, tagged now\n0 record(s) changed topics.\n")


def test_changes_after_editing_the_taxonomy(small, published):
    before = snapshot(load_corpus(small))
    edited = TAXONOMY.replace("{terms: [ai], weight: 1.0}", "{terms: [ai, wgs], weight: 1.0}")
    (small / "taxonomy.yaml").write_text(edited, encoding="utf-8")
    expected = [c.id for c in compare(before, snapshot(load_corpus(small)))]
    assert BRITT_TALK in expected
    result = _run(small, "changes", "--index", str(published))
    assert result.exit_code == 0, result.output
    assert f"{len(expected)} record(s) changed topics:\n" in result.output
    assert f"  talk     {BRITT_TALK}: +ai\n" in result.output
    data = json.loads(_run(small, "changes", "--index", str(published), "--json").output)
    assert [c["id"] for c in data["changes"]] == expected
    assert all(c["added"] == ["ai"] and c["removed"] == [] for c in data["changes"])


def test_changes_against_an_old_taxonomy_file_or_corpus_copy(small, tmp_path):
    old = tmp_path / "old-taxonomy.yaml"
    old.write_text(TAXONOMY.replace("threshold: 1\n    rules:\n      - {terms: [oncolog*]",
                                    "threshold: 9\n    rules:\n      - {terms: [oncolog*]"), encoding="utf-8")
    result = _run(small, "changes", "--before", str(old), "--json")
    assert result.exit_code == 0, result.output
    changes = {c["id"]: (c["added"], c["removed"]) for c in json.loads(result.output)["changes"]}
    assert changes[BRITT_TALK] == (["cancer"], [])
    versus_shipped = _run(small, "changes", "--before", str(SHIPPED_CORPUS))
    assert versus_shipped.output.startswith(f"Before: the corpus in {SHIPPED_CORPUS}\n")


def test_new_and_removed_records_are_reported():
    before = {"a": ("talk", ["ai"]), "b": ("speaker", ["ethics"]), "c": ("talk", ["x", "y"])}
    after = {"a": ("talk", ["ai"]), "c": ("talk", ["y", "x"]), "d": ("qa", [])}
    assert [(c.id, c.describe()) for c in compare(before, after)] == [
        ("d", "new record (no topics)"), ("b", "no longer in the corpus (had ethics)")]


def test_changes_without_an_index(small, tmp_path):
    result = _run(small, "changes", "--index", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.output == (f"Error: No index in {tmp_path / 'none'}. "
                             f"Build it with `confarchive build --index {tmp_path / 'none'}`.\n")


def test_a_broken_taxonomy_file_is_reported(small, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics: [{id: x, label: X, threshold: high}]\n", encoding="utf-8")
    result = _run(small, "changes", "--before", str(bad))
    assert result.exit_code == 1
    assert result.output == f"Error: cannot read {bad}: {bad}:1: error: threshold must be a number, not 'high'\n"


def test_snapshot_covers_talks_and_speakers(corpus):
    taken = snapshot(corpus)
    assert len(taken) == len(corpus.talks) + len(corpus.speakers)
    assert taken[BRITT_TALK] == ("talk", corpus.talks[BRITT_TALK].topics)


def test_a_taxonomy_file_that_is_not_utf8_is_reported(small, tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes('topics: [{id: x, label: "Café"}]\n'.encode("latin-1"))
    result = _run(small, "changes", "--before", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot read {bad}: ")
    assert f"{bad}:1: error: file is not UTF-8 text (invalid continuation byte) (save it as UTF-8)" in result.output
