"""`confarchive new`: commented skeletons that name what is missing and pass once it is filled in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import load_corpus
from archive.frontmatter import parse
from archive.loader import CONFERENCE_KEYS, SESSION_KEYS, SPEAKER_KEYS, TALK_KEYS
from confarchive.cli import main


@pytest.fixture
def run(corpus_copy):
    """Run `confarchive ARGS --corpus <copy>` and return the result."""
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [*args, "--corpus", str(corpus_copy)])
    return invoke


def _fill(path: Path, values: dict, body: str) -> None:
    """Do what a librarian does: write each empty REQUIRED value, then the body."""
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text, count = re.subn(rf"^(\s*){key}:\s*$", rf"\g<1>{key}: {value}", text, flags=re.M)
        assert count, f"no empty '{key}:' line in {path.name}"
    path.write_text(text + body + "\n", encoding="utf-8")


CASES = [
    ("conference", ["new", "conference", "nordic-2026"], "conferences/nordic-2026/conference.md",
     ["missing required field 'title'", "missing required field 'organiser'", "missing required field 'date'",
      "empty body: write the introduction"],
     {"title": "Nordic data", "organiser": "Nordic Council", "date": "2026-03-01"}),
    ("session", ["new", "session", "dngc-2025-s5", "--conference", "dngc-2025"],
     "conferences/dngc-2025/sessions/dngc-2025-s5.md",
     ["missing required field 'title'", "empty body: write the session's purpose"], {"title": "Closing"}),
    ("talk", ["new", "talk", "dngc-2025-s4-extra", "--conference", "dngc-2025", "--session", "dngc-2025-s4",
              "--speaker", "sue-hill"], "conferences/dngc-2025/talks/dngc-2025-s4-extra.md",
     ["missing required field 'title'", "empty body: write the summary"], {"title": "An extra talk"}),
    ("speaker", ["new", "speaker", "jane-doe", "--conference", "dngc-2025", "--session", "dngc-2025-s2"],
     "speakers/jane-doe.md", ["missing required field 'name'", "missing required field 'listed_name'"],
     {"name": "Jane Doe", "listed_name": "Jane Doe"}),
]


@pytest.mark.parametrize("kind, args, rel, todo, values", CASES, ids=[c[0] for c in CASES])
def test_skeleton_names_what_to_fill_and_then_validates(run, corpus_copy, kind, args, rel, todo, values):
    result = run(*args)
    assert result.exit_code == 0, result.output
    path = corpus_copy / rel
    assert result.output.startswith(f"Created {path}\nStill to fill in (as `confarchive validate` reports it):\n")
    for message in todo:
        assert message in result.output
    assert run("validate").exit_code == 1
    _fill(path, values, body="Text written by the librarian.")
    validated = run("validate")
    assert validated.exit_code == 0, validated.output
    assert load_corpus(corpus_copy)


def test_a_named_speaker_passes_at_once(run, corpus_copy):
    result = run("new", "speaker", "jane-doe", "--conference", "dngc-2025", "--name", "Jane O'Doe: PhD")
    assert result.exit_code == 0, result.output
    assert "warning: speaker 'Jane O'Doe: PhD' has no bio" in result.output
    assert load_corpus(corpus_copy).speakers["jane-doe"].appearances[0].listed_name == "Jane O'Doe: PhD"


def test_talk_goes_last_in_its_session_and_conference_gets_its_date(run, corpus_copy):
    run("new", "talk", "dngc-2025-s1-extra", "--conference", "dngc-2025", "--session", "dngc-2025-s1")
    talk = parse((corpus_copy / "conferences/dngc-2025/talks/dngc-2025-s1-extra.md").read_text(encoding="utf-8"))
    assert talk.meta["order"] == 11
    assert talk.meta["session"] == "dngc-2025-s1"
    run("new", "conference", "nordic-2026", "--title", "Nordic: data", "--date", "2026-03-01")
    conference = parse((corpus_copy / "conferences/nordic-2026/conference.md").read_text(encoding="utf-8"))
    assert (conference.meta["title"], str(conference.meta["date"])) == ("Nordic: data", "2026-03-01")


@pytest.mark.parametrize("skeleton, keys", [("CONFERENCE", CONFERENCE_KEYS), ("SESSION", SESSION_KEYS),
                                            ("TALK", TALK_KEYS), ("SPEAKER", SPEAKER_KEYS)])
def test_every_field_is_explained_by_a_comment_and_allowed(skeleton, keys):
    from archive import skeletons

    lines = getattr(skeletons, skeleton).splitlines()
    field = re.compile(r"^[a-z_]+:")
    fields = [(i, line.split(":")[0]) for i, line in enumerate(lines) if field.match(line)]
    assert {name for _, name in fields} <= keys
    for index, name in fields:
        above = index - 1
        while field.match(lines[above]):  # a comment may introduce a group of related fields
            above -= 1
        assert lines[above].startswith("#"), f"'{name}' has no comment above it"


def test_never_overwrites(run, corpus_copy):
    path = corpus_copy / "speakers" / "sue-hill.md"
    before = path.read_bytes()
    result = run("new", "speaker", "sue-hill", "--conference", "dngc-2025")
    assert result.exit_code == 1
    assert result.output == "Error: speaker 'sue-hill' already exists (corpus/speakers/sue-hill.md); choose another id\n"
    assert path.read_bytes() == before


def test_an_unloaded_file_in_the_way_is_not_overwritten(run, corpus_copy):
    path = corpus_copy / "speakers" / "jane-doe.md"
    path.write_text("not front matter at all\n", encoding="utf-8")
    result = run("new", "speaker", "jane-doe", "--conference", "dngc-2025")
    assert result.exit_code == 1
    assert result.output == f"Error: {path} already exists; it was not overwritten\n"
    assert path.read_text(encoding="utf-8") == "not front matter at all\n"


@pytest.mark.parametrize("args, message", [
    (["new", "speaker", "Jane", "--conference", "dngc-2025"],
     "Error: 'Jane' is not a valid id: use lowercase letters, digits and single hyphens\n"),
    (["new", "talk", "x-talk", "--conference", "nope"], "Error: unknown conference 'nope' (known: dngc-2025)\n"),
    (["new", "talk", "x-talk", "--conference", "dngc-2025", "--session", "s9"],
     "Error: unknown session 's9' (known: dngc-2025-s1, dngc-2025-s2, dngc-2025-s3, dngc-2025-s4)\n"),
    (["new", "conference", "dngc-2025"],
     "Error: conference 'dngc-2025' already exists (corpus/conferences/dngc-2025/conference.md); choose another id\n"),
])
def test_bad_input_gets_a_clear_message(run, args, message):
    result = run(*args)
    assert (result.exit_code, result.output) == (1, message)


def test_unknown_speaker_is_refused(run):
    result = run("new", "talk", "x-talk", "--conference", "dngc-2025", "--speaker", "nobody")
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown speaker 'nobody' (known: aarno-palotie, ")


def test_bad_date_is_a_usage_error(run):
    result = run("new", "conference", "nordic-2026", "--date", "1 March")
    assert result.exit_code == 2
    assert "'1 March' does not match the format '%Y-%m-%d'" in result.output
