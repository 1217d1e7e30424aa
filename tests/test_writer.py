"""The corpus writer: exact round trips, comments kept, and no write ever half-done or lost."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive.frontmatter import parse
from archive.writer import Change, WriteError, apply_changes, read_text, render, update_text, write_file

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "corpus"

ROUND_TRIP_CASES = [
    ({"id": "x", "date": dt.date(2025, 9, 8)}, "Body."),
    ({"start_time": "08:45", "end_time": "18:30", "n": 3, "f": 1.5, "b": True, "none": None}, "x"),
    ({"tricky": ["yes", "no", "null", "1.0", "2025-09-08", "a: b", "- x", "#hash", "'quoted'", ""]}, "x"),
    ({"text": "line one\n# not a comment\n\n  indented\n"}, "x"),
    ({"text": "trailing spaces  \nand a tab\t\nend"}, "x"),
    ({"name": "Sophie Løhde", "quote": "“Trust” – it’s key", "emoji": "🧬"}, "Danish ø and “quotes”."),
    ({"nested": {"add": [], "remove": ["ethics"]}, "list": [{"a": 1, "b": [1, 2]}]}, "x"),
    ({"long": "word " * 400}, "x"),
    ({"id": "x"}, "Body with a\n---\nline that looks like a delimiter\n\n---"),
    ({"id": "x"}, ""),
    ({}, "Only a body."),
]


@pytest.mark.parametrize("meta, body", ROUND_TRIP_CASES)
def test_render_round_trips_exactly(meta, body):
    doc = parse(render(meta, body))
    assert doc.meta == meta
    assert doc.body == body.strip("\n")


CORPUS_FILES = sorted([*SHIPPED.glob("speakers/*.md"), *SHIPPED.glob("conferences/*/**/*.md")])


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_shipped_file_renders_back_to_the_same_data(path):
    doc = parse(path.read_text(encoding="utf-8"))
    again = parse(render(doc.meta, doc.body))
    assert (again.meta, again.body) == (doc.meta, doc.body)


def test_render_keeps_unicode_and_long_lines_readable():
    text = render({"name": "Bodil Ørkild", "bio": "x " * 200}, "Body")
    assert "name: Bodil Ørkild\n" in text
    assert len(text.splitlines()) == 5


def test_multiline_text_is_a_literal_block():
    assert render({"policy": "one\ntwo"}, "b") == "---\npolicy: |-\n  one\n  two\n---\nb\n"


# --- update_text: change only what changed --------------------------------------------------------

KLAUS = SHIPPED / "speakers" / "klaus-hoeyer.md"


def test_update_keeps_comments_and_untouched_lines():
    old = KLAUS.read_text(encoding="utf-8")
    new = update_text(old, {"aliases": ["K. Hoeyer"]})
    assert "# Override: his bio describes research" in new
    assert old.replace("aliases: []\n", "aliases:\n- K. Hoeyer\n") == new


def test_update_of_a_commented_key_keeps_its_comments_above_it():
    old = KLAUS.read_text(encoding="utf-8")
    new = update_text(old, {"topics": {"add": ["ethics", "ai"], "remove": []}})
    assert "# (ethical, legal and social issues) without any of the ethics" in new
    assert parse(new).meta["topics"] == {"add": ["ethics", "ai"], "remove": []}
    assert new.index("# Override") < new.index("topics:")


def test_appending_to_a_list_adds_lines_and_keeps_the_rest_byte_for_byte():
    old = KLAUS.read_text(encoding="utf-8")
    doc = parse(old)
    extra = {"conference": "x-2026", "session": None, "listed_name": "Klaus Hoeyer", "source": {"lines": "1-2"}}
    new = update_text(old, {"appearances": [*doc.meta["appearances"], extra]})
    head = old[:old.index("\n---\n", 4) + 1]
    assert new.startswith(head)
    assert new[len(head):].startswith("- conference: x-2026\n")
    assert parse(new).meta["appearances"][-1] == extra


def test_hash_lines_inside_text_values_are_not_taken_for_comments():
    old = "---\nid: x\npolicy: |-\n  a\n  # heading\n# about source\nsource: 1\nz: 2 # inline\n---\nbody\n"
    new = update_text(old, {"policy": "new\n# h2", "source": 3, "added": [1]})
    assert new == ("---\nid: x\npolicy: |-\n  new\n  # h2\n# about source\nsource: 3\nz: 2 # inline\n"
                   "added:\n- 1\n---\nbody\n")


def test_update_can_replace_the_body_and_keeps_the_front_matter():
    old = KLAUS.read_text(encoding="utf-8")
    new = update_text(old, {}, body="A new bio.")
    assert new == old[:old.index("\n---\n", 4) + 5] + "A new bio.\n"


def test_a_flow_style_front_matter_is_rendered_whole():
    new = update_text("---\n{id: x, name: A}\n---\nbody\n", {"name": "B"})
    assert new == "---\nid: x\nname: B\n---\nbody\n"


# --- Atomic writes ---------------------------------------------------------------------------------

def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_file_replaces_atomically_and_keeps_the_mode(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_file(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    assert _leftovers(tmp_path) == []


def test_create_never_overwrites(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("precious\n", encoding="utf-8")
    with pytest.raises(WriteError, match="already exists; it was not overwritten"):
        write_file(target, "new\n", create=True)
    assert target.read_text(encoding="utf-8") == "precious\n"


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failure_before_the_rename_leaves_the_original_intact(tmp_path, monkeypatch, failing):
    target = tmp_path / "a.md"
    target.write_text("original\n", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError):
        write_file(target, "replacement\n")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "original\n"
    assert _leftovers(tmp_path) == []


def test_a_process_killed_between_temp_write_and_rename_loses_nothing(tmp_path):
    """A hard kill (no cleanup at all) after the temp file is written: the original is untouched."""
    target = tmp_path / "a.md"
    target.write_text("original\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import os
        from archive.writer import write_file
        os.replace = lambda *a, **k: os._exit(9)   # die exactly between the temp write and the rename
        write_file({str(target)!r}, "replacement\\n")
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT)
    assert result.returncode == 9
    assert target.read_text(encoding="utf-8") == "original\n"
    leftovers = _leftovers(tmp_path)
    assert len(leftovers) == 1 and leftovers[0].startswith(".a.md.")  # hidden, and not *.md: the loader skips it
    assert (tmp_path / leftovers[0]).read_text(encoding="utf-8") == "replacement\n"


# --- Several files at once -------------------------------------------------------------------------

def _three_files(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / f"{name}.md" for name in ("one", "two", "three")]
    for path in paths:
        path.write_text(f"{path.stem} original\r\n", encoding="utf-8")  # CRLF: restored byte for byte
    return paths


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_apply_changes_writes_creates_and_deletes(tmp_path):
    one, two, three = _three_files(tmp_path)
    apply_changes([Change(one, "one new\n", read_text(one)), Change(tmp_path / "four.md", "four\n"),
                   Change(three, None, read_text(three))])
    assert _snapshot(tmp_path) == {"four.md": b"four\n", "one.md": b"one new\n", "two.md": b"two original\r\n"}


def test_a_failure_midway_puts_every_file_back(tmp_path, monkeypatch):
    one, two, three = _three_files(tmp_path)
    before = _snapshot(tmp_path)
    real_replace, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", flaky)
    changes = [Change(one, "one new\n", read_text(one)), Change(two, "two new\n", read_text(two)),
               Change(three, None, read_text(three)), Change(tmp_path / "four.md", "four\n")]
    with pytest.raises(OSError, match="Input/output error"):
        apply_changes(changes)
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before


def test_a_stale_change_is_refused_before_anything_is_written(tmp_path):
    one, two, _ = _three_files(tmp_path)
    planned = [Change(one, "one new\n", read_text(one)), Change(two, "two new\n", read_text(two))]
    two.write_text("someone else's edit\n", encoding="utf-8")
    with pytest.raises(WriteError, match="two.md was changed by someone else meanwhile; nothing was written"):
        apply_changes(planned)
    assert one.read_text(encoding="utf-8") == "one original\n"


def test_creating_a_file_that_appeared_meanwhile_is_refused(tmp_path):
    (tmp_path / "new.md").write_text("theirs\n", encoding="utf-8")
    with pytest.raises(WriteError, match="new.md already exists; nothing was written"):
        apply_changes([Change(tmp_path / "new.md", "mine\n")])
    assert (tmp_path / "new.md").read_text(encoding="utf-8") == "theirs\n"
