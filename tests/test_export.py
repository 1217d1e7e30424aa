"""`confarchive export`: schedule JSON that imports back to the same programme, and the whole archive."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import load_corpus
from confarchive.cli import main
from schedule_support import timed_corpus

SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EVENT_KEYS = {"abstract", "date", "duration", "guid", "id", "language", "links", "persons", "room", "slug", "start",
              "subtitle", "title", "track", "type", "url"}  # required by the c3voc schedule schema
CONFERENCE_KEYS = {"title", "acronym", "days", "daysCount", "start", "end", "timeslot_duration"}


def _run(*args):
    return CliRunner().invoke(main, [*args, "--corpus", str(SHIPPED_CORPUS)])


@pytest.fixture(scope="module")
def timed(tmp_path_factory) -> tuple[Path, str]:
    """The shipped corpus with start times on every talk but the last (schedule_support)."""
    return timed_corpus(tmp_path_factory.mktemp("timed") / "corpus")


@pytest.fixture(scope="module")
def schedule(timed, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "dngc.json"
    result = CliRunner().invoke(main, ["export", "schedule", "dngc-2025", "-o", str(path),
                                                       "--corpus", str(timed[0])])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Wrote {path}\nLeft out 1 talk(s) without a start time (both schedule formats require one for every "
                             f"event; add `start` to include them): {timed[1]}\n")
    return path


def test_schedule_has_the_published_shape(schedule):
    data = json.loads(schedule.read_text(encoding="utf-8"))
    conference = data["schedule"]["conference"]
    assert CONFERENCE_KEYS <= set(conference)
    assert (conference["acronym"], conference["start"], conference["end"]) == ("dngc_2025", "2025-09-08", "2025-09-08")
    assert "time_zone_name" not in conference  # 'CET' is not a zone name the schema accepts; the offsets say it
    events = conference["days"][0]["rooms"]["Radisson Blu Scandinavia Hotel"]  # the talks name no room: the venue
    assert len(events) == 30
    assert all(EVENT_KEYS <= set(e) for e in events)
    assert [e["id"] for e in events] == list(range(1, 31))
    first = events[0]
    assert (first["slug"], first["track"], first["type"], first["start"], first["date"]) == (
        "dngc-2025-opening-sophie-lohde", None, "Talk", "09:00", "2025-09-08T09:00:00+02:00")
    assert first["persons"][0] == {"name": "Sophie Løhde", "biography": first["persons"][0]["biography"]}
    assert {e["type"] for e in events} == {"Talk", "Panel", "Q&A"}


def test_talks_without_a_start_time_are_left_out_not_put_at_midnight(schedule, timed):
    data = json.loads(schedule.read_text(encoding="utf-8"))
    events = [e for day in data["schedule"]["conference"]["days"] for es in day["rooms"].values() for e in es]
    assert timed[1] not in {e["slug"] for e in events}
    assert {e["start"] for e in events} == {f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 15, 30, 45)
                                            if (h, m) < (16, 30)}


def test_a_conference_without_any_start_time_is_not_exported():
    result = _run("export", "schedule", "dngc-2025")
    assert (result.exit_code, result.output) == (1, (
        "Error: no talk of 'dngc-2025' has a start time, and both schedule formats require one for every event: add "
        "`start` (and `duration`) to its talks, or use `confarchive export archive`, which needs none\n"))


def test_schedule_to_stdout_is_the_same_json(schedule, timed):
    result = CliRunner().invoke(main, ["export", "schedule", "dngc-2025", "--corpus", str(timed[0])])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(schedule.read_text(encoding="utf-8"))


def _programme(corpus, left_out: str = "") -> list[tuple]:
    session = corpus.session_of
    return [(t.title, t.kind, t.text, t.abstract, session(t).title if session(t) else None,
             [corpus.speakers[s].name for s in t.speakers]) for t in corpus.ordered_talks() if t.id != left_out]


def _speakers(corpus, left_out: str = "") -> set[tuple]:
    on_talks = {s for t in corpus.talks.values() if t.id != left_out for s in t.speakers}
    return {(s.name, s.bio, tuple(a.bio for a in s.appearances)) for s in corpus.speakers.values() if s.id in on_talks}


def test_export_then_import_into_an_empty_corpus_gives_the_same_talks_and_speakers(schedule, timed, tmp_path):
    empty = tmp_path / "corpus"
    empty.mkdir()
    shutil.copy(SHIPPED_CORPUS / "taxonomy.yaml", empty / "taxonomy.yaml")
    result = CliRunner().invoke(main, ["import", str(schedule), "--organiser", "Danish National Genome Center",
                                       "--corpus", str(empty)])
    assert result.exit_code == 0, result.output
    original, imported = load_corpus(timed[0]), load_corpus(empty)
    assert _programme(imported) == _programme(original, timed[1])
    assert _speakers(imported) == _speakers(original, timed[1])
    assert [(s.number, s.title) for s in imported.ordered_sessions()] == [
        (s.number, s.title) for s in original.ordered_sessions()]


def test_archive_json_holds_every_record():
    result = _run("export", "archive")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {k: len(v) for k, v in data.items()} == {"conferences": 1, "sessions": 4, "talks": 31, "speakers": 33,
                                                    "topics": len(load_corpus(SHIPPED_CORPUS).topics)}
    talk = next(t for t in data["talks"] if t["id"] == "dngc-2025-s1-britt-elmedal-laursen")
    assert talk["speakers"] == ["britt-elmedal-laursen"]
    assert talk["topic_overrides"] == {"add": [], "remove": []}
    assert "genomics" in talk["topics"] and "path" not in talk
    assert data["conferences"][0]["date"] == "2025-09-08"


def test_archive_csv_writes_one_table_per_kind(tmp_path):
    out = tmp_path / "csv"
    result = _run("export", "archive", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["appearances.csv", "conferences.csv", "sessions.csv",
                                                     "speakers.csv", "talks.csv"]
    with open(out / "talks.csv", newline="", encoding="utf-8") as handle:
        talks = list(csv.DictReader(handle))
    assert len(talks) == 31
    opening = talks[0]
    assert (opening["id"], opening["speaker_names"], opening["session"]) == (
        "dngc-2025-opening-sophie-lohde", "Sophie Løhde", "")
    original = load_corpus(SHIPPED_CORPUS)
    assert {t["id"]: t["text"] for t in talks} == {t.id: t.text for t in original.talks.values()}
    with open(out / "appearances.csv", newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == sum(len(s.appearances) for s in original.speakers.values())


@pytest.mark.parametrize("args, message", [
    (["export", "schedule", "nope"], "Error: unknown conference 'nope' (known: dngc-2025)\n"),
    (["export", "archive", "--format", "csv"], "Error: CSV export writes one file per table: pass --output with a folder\n"),
])
def test_bad_export_requests(args, message):
    result = _run(*args)
    assert (result.exit_code, result.output) == (1, message)


def test_a_corpus_with_errors_is_not_exported(corpus_copy):
    talk = corpus_copy / "conferences/dngc-2025/talks/dngc-2025-s1-qa.md"
    talk.write_text(talk.read_text(encoding="utf-8").replace("kind: qa", "kind: quiz"), encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "archive", "--corpus", str(corpus_copy)])
    assert result.exit_code == 1
    assert "corpus/conferences/dngc-2025/talks/dngc-2025-s1-qa.md:5: error: unknown kind 'quiz'" in result.output
    assert result.output.endswith("Error: 1 error(s) in the corpus; run `confarchive validate` to see them.\n")


def test_csv_keeps_line_breaks_and_quotes():
    from archive.export import to_csv

    text = to_csv([{"a": 'say "hi"', "b": "two\nlines"}])
    assert list(csv.DictReader(io.StringIO(text))) == [{"a": 'say "hi"', "b": "two\nlines"}]
