"""`confarchive speakers merge KEEP DROP`: one person, every reference rewritten, nothing lost, even when interrupted."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import inspect_corpus, load_corpus
from archive.frontmatter import parse
from archive.writer import render, update_text
from confarchive.cli import main

ROOT = Path(__file__).resolve().parent.parent
KEEP, DROP = "britt-elmedal-laursen", "britt-elmedal"
TALK = "conferences/dngc-2025/talks/dngc-2025-s1-britt-elmedal-laursen.md"
PANEL = "conferences/dngc-2025/talks/dngc-2025-s3-dilemma-1.md"
DUPLICATE = {
    "id": DROP, "name": "Britt Elmedal", "honorific": "Dr.", "aliases": ["B. Elmedal"],
    "topics": {"add": ["ai"], "remove": []},
    "appearances": [{"conference": "dngc-2025", "session": "dngc-2025-s3", "listed_name": "Britt Elmedal",
                     "role": "Consultant", "organisation": "Aarhus University Hospital",
                     "organisations": ["Aarhus University Hospital"], "country": "Denmark", "bio": None,
                     "source": {"section": "Session 3 / Meet the speakers", "lines": "1-2"}}],
}


def _edit(path: Path, **changes) -> None:
    path.write_text(update_text(path.read_text(encoding="utf-8"), changes), encoding="utf-8")


@pytest.fixture
def split(corpus_copy) -> Path:
    """The corpus with Britt split in two: a second record that one talk and one panel point to."""
    (corpus_copy / "speakers" / f"{DROP}.md").write_text(render(DUPLICATE, "A second bio of Britt."), encoding="utf-8")
    _edit(corpus_copy / TALK, speakers=[DROP])
    _edit(corpus_copy / PANEL, speakers=["regina-becker", DROP, "richard-rosenquist-brandell", KEEP])
    return corpus_copy


def _merge(corpus: Path, *args):
    return CliRunner().invoke(main, ["speakers", "merge", *args, "--corpus", str(corpus)])


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_validator_suggests_the_merge(split):
    _, problems = inspect_corpus(split)
    assert any(p.hint == f"merge them with `confarchive speakers merge {DROP} {KEEP}`" for p in problems)


def test_merge_rewrites_every_reference_and_keeps_everything(split):
    result = _merge(split, KEEP, DROP)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Merged speaker '{DROP}' into '{KEEP}':\n"
        f"  2 talk(s) now list {KEEP}: dngc-2025-s1-britt-elmedal-laursen, dngc-2025-s3-dilemma-1\n"
        f"  {DROP}'s names and appearances move to corpus/speakers/{KEEP}.md\n"
        f"  corpus/speakers/{DROP}.md is removed\n"
        "Validation of the changed files: 0 error(s), 0 warning(s)\n")
    corpus = load_corpus(split)
    assert DROP not in corpus.speakers and not (split / "speakers" / f"{DROP}.md").exists()
    assert corpus.talks["dngc-2025-s1-britt-elmedal-laursen"].speakers == [KEEP]
    assert corpus.talks["dngc-2025-s3-dilemma-1"].speakers == ["regina-becker", KEEP, "richard-rosenquist-brandell"]
    britt = corpus.speakers[KEEP]
    assert (britt.name, britt.honorific, britt.aliases) == ("Britt Elmedal Laursen", "Dr.", ["Britt Elmedal", "B. Elmedal"])
    assert [(a.session, a.bio) for a in britt.appearances] == [("dngc-2025-s1", ""),
                                                               ("dngc-2025-s3", "A second bio of Britt.")]
    assert britt.bio.startswith("She is a clinical oncologist")
    assert britt.topic_overrides.add == ("ai",) and "ai" in britt.topics


def test_merge_keeps_the_kept_files_comments(corpus_copy):
    result = _merge(corpus_copy, "klaus-hoeyer", "gry-hasselbalch")
    assert result.exit_code == 0, result.output
    text = (corpus_copy / "speakers" / "klaus-hoeyer.md").read_text(encoding="utf-8")
    assert "  # Override: his bio describes research on the social and political implications" in text
    klaus = load_corpus(corpus_copy).speakers["klaus-hoeyer"]
    assert klaus.aliases == ["Gry Hasselbalch"]
    assert klaus.appearances[-1].bio.startswith("She is a scholar in data, AI ethics and power")


def test_dry_run_shows_the_diff_and_writes_nothing(split):
    before = _tree(split)
    result = _merge(split, KEEP, DROP, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"--- a/corpus/{TALK}\n+++ b/corpus/{TALK}\n" in result.output
    assert f"-- {DROP}\n+- {KEEP}\n" in result.output
    assert f"--- a/corpus/speakers/{DROP}.md\n+++ /dev/null\n" in result.output
    assert "+- B. Elmedal\n" in result.output
    assert result.output.endswith("Dry run: nothing was written.\n")
    assert _tree(split) == before


@pytest.mark.parametrize("args, message", [
    ([KEEP, KEEP], f"Error: cannot merge speaker '{KEEP}' into itself\n"),
    ([KEEP, "nobody"], "Error: unknown speaker 'nobody': see the files in {corpus}/speakers\n"),
])
def test_bad_merges_are_refused(corpus_copy, args, message):
    result = _merge(corpus_copy, *args)
    assert (result.exit_code, result.output) == (1, message.format(corpus=corpus_copy))


def test_a_corpus_with_errors_is_not_merged(split):
    _edit(split / TALK, speakers=[DROP, "ghost"])
    before = _tree(split)
    result = _merge(split, KEEP, DROP)
    assert result.exit_code == 1
    assert f"corpus/{TALK}:9: error: speakers refers to unknown speaker 'ghost'" in result.output
    assert _tree(split) == before


def test_a_failed_write_midway_puts_every_file_back(split, monkeypatch):
    before = _tree(split)
    real_replace, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error", str(dst))
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", flaky)
    result = _merge(split, KEEP, DROP)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.output.startswith("Error: writing failed (")
    assert result.output.endswith("Input/output error; the files were left as they were before\n")
    assert _tree(split) == before


def test_a_merge_killed_midway_loses_nothing_and_can_be_run_again(split):
    """The process dies right after the first file is replaced: no cleanup, no restore."""
    drop_file = split / "speakers" / f"{DROP}.md"
    drop_before, keep_before = drop_file.read_bytes(), (split / "speakers" / f"{KEEP}.md").read_bytes()
    script = textwrap.dedent(f"""
        import os
        real = os.replace
        def replace_then_die(src, dst):
            real(src, dst)
            os._exit(9)
        os.replace = replace_then_die
        from confarchive.cli import main
        main(["speakers", "merge", {KEEP!r}, {DROP!r}, "--corpus", {str(split)!r}])
    """)
    assert subprocess.run([sys.executable, "-c", script], cwd=ROOT).returncode == 9
    assert drop_file.read_bytes() == drop_before
    assert (split / "speakers" / f"{KEEP}.md").read_bytes() == keep_before
    corpus = load_corpus(split)  # still valid: the rewritten talk points at a speaker that exists
    assert corpus.talks["dngc-2025-s1-britt-elmedal-laursen"].speakers == [KEEP]
    assert corpus.talks["dngc-2025-s3-dilemma-1"].speakers[1] == DROP
    again = _merge(split, KEEP, DROP)
    assert again.exit_code == 0, again.output
    final = load_corpus(split)
    assert DROP not in final.speakers
    assert final.talks["dngc-2025-s3-dilemma-1"].speakers == ["regina-becker", KEEP, "richard-rosenquist-brandell"]
    assert final.speakers[KEEP].aliases == ["Britt Elmedal", "B. Elmedal"]


def test_other_mentions_are_listed(split):
    notes = split / "conferences/dngc-2025/talks/dngc-2025-s1-qa.md"
    _edit(notes, notes=f"Britt (speakers/{DROP}.md) asked the first question.")
    result = _merge(split, KEEP, DROP)
    assert result.exit_code == 0, result.output
    assert ("Still mentioned as text (check by hand):\n"
            "  - conferences/dngc-2025/talks/dngc-2025-s1-qa.md\n") in result.output
    assert parse(notes.read_text(encoding="utf-8")).meta["notes"].startswith("Britt (speakers/britt-elmedal.md)")
