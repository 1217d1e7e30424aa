"""`confarchive import FILE --update`: a newer export of a conference updates it, three ways."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import load_corpus
from confarchive.cli import main
from schedule_support import timed_corpus

SCHEDULES = Path(__file__).resolve().parent / "fixtures" / "schedules"
SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CAMP = SCHEDULES / "frab-camp2019.json"


def _cli(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _newer(tmp_path: Path) -> Path:
    """The real camp2019 export, changed as a later version might be: a moved, a retitled, a removed and a new event."""
    data = json.loads(CAMP.read_text(encoding="utf-8"))
    rooms = data["schedule"]["conference"]["days"][0]["rooms"]
    first, second = list(rooms)[:2]
    opening, badge = rooms[first][0], rooms[first][1]
    opening["start"], opening["date"] = "11:30", opening["date"].replace("T11:00", "T11:30")
    badge["title"] = "A new title from the schedule"
    rooms[second].pop(0)  # "Knoten 101"
    rooms[first].append({**badge, "id": 99999, "guid": "11111111-2222-3333-4444-555555555555",
                         "title": "A brand new event", "persons": [{"id": 424242, "public_name": "New Person"}]})
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def camp(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SHIPPED_CORPUS / "taxonomy.yaml", corpus)
    assert _cli("import", CAMP, "--organiser", "CCC", "--corpus", corpus).exit_code == 0
    badge = corpus / "conferences/camp2019/talks/camp2019-card10-badge.md"
    badge.write_text(badge.read_text(encoding="utf-8").replace("title: card10 Badge", "title: The card10 badge"),
                     encoding="utf-8")  # a librarian's edit since the import
    return corpus


REPORT = [
    "Three-way update (last import, the archive now, the new export):",
    "  - updated: camp2019-opening-ceremony: start '11:00' → '11:30'",
    "  - kept the librarian's edit: camp2019-card10-badge: title is 'The card10 badge' here; the schedule changed it "
    "from 'card10 Badge' to 'A new title from the schedule'",
    "  - new: camp2019-a-brand-new-event (event 99999 \"A brand new event\")",
    "  - removed from the schedule: camp2019-knoten-101 (event 977957d7-ef42-4ea0-8380-b9a48bd583f0); kept in the archive",
]


def test_dry_run_prints_the_three_way_report_and_writes_nothing(camp, tmp_path):
    before = _tree(camp)
    result = _cli("import", _newer(tmp_path), "--update", "--dry-run", "--corpus", camp)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index(REPORT[0])
    assert lines[start:start + len(REPORT)] == REPORT
    assert lines[1] == ("  update: 1 field(s) updated, 1 new talk(s), 1 event(s) gone from the schedule, "
                        "1 librarian edit(s) kept; 1 new speaker(s)")
    assert _tree(camp) == before


def test_update_changes_what_the_schedule_changed_and_keeps_the_librarians_edits(camp, tmp_path):
    result = _cli("import", _newer(tmp_path), "--update", "--corpus", camp)
    assert result.exit_code == 0, result.output
    corpus = load_corpus(camp)
    assert corpus.talks["camp2019-opening-ceremony"].start == "11:30"
    assert corpus.talks["camp2019-card10-badge"].title == "The card10 badge"
    assert "camp2019-knoten-101" in corpus.talks
    new = corpus.talks["camp2019-a-brand-new-event"]
    assert (new.event_id, [corpus.speakers[s].name for s in new.speakers]) == ("99999", ["New Person"])
    again = _cli("import", _newer(tmp_path), "--update", "--corpus", camp)
    assert again.exit_code == 0, again.output
    assert "nothing to update" in again.output and "Wrote 0 files" in again.output


def test_a_field_only_the_librarian_changed_is_kept_silently(camp):
    result = _cli("import", CAMP, "--update", "--corpus", camp)  # the same export again
    assert result.exit_code == 0, result.output
    assert load_corpus(camp).talks["camp2019-card10-badge"].title == "The card10 badge"
    assert "Three-way update" not in result.output and "nothing to update" in result.output


def test_update_of_an_unknown_or_never_imported_conference_is_refused(tmp_path):
    corpus, _ = timed_corpus(tmp_path / "corpus")
    result = _cli("import", CAMP, "--update", "--corpus", corpus)
    assert (result.exit_code, result.output) == (1, f"Error: {CAMP}: conference 'camp2019' is not in the archive; "
                                                    "import it without --update first\n")
    export = tmp_path / "dngc.json"
    assert _cli("export", "schedule", "dngc-2025", "-o", export, "--corpus", corpus).exit_code == 0
    result = _cli("import", export, "--update", "--id", "dngc-2025", "--corpus", corpus)
    assert result.output == (f"Error: {export}: conference 'dngc-2025' has no import-state.json (it was not "
                             "imported, or before this version): nothing to compare the new export with\n")
