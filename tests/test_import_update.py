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
    "  - updated: camp2019-lightning-talks: order 3 → 4",  # the new event comes before it in the CCC track
    "  - removed from the schedule: camp2019-knoten-101 (event 977957d7-ef42-4ea0-8380-b9a48bd583f0); kept in the archive",
]


def test_dry_run_prints_the_three_way_report_and_writes_nothing(camp, tmp_path):
    before = _tree(camp)
    result = _cli("import", _newer(tmp_path), "--update", "--dry-run", "--corpus", camp)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index(REPORT[0])
    assert lines[start:start + len(REPORT)] == REPORT
    assert lines[1] == ("  update: 2 field(s) updated, 1 new talk(s), 1 event(s) gone from the schedule, "
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


def _rescheduled(tmp_path: Path) -> Path:
    """The real camp2019 export, changed again: a talk moved to another track and day, biographies added to two
    persons, and the conference renamed."""
    data = json.loads(CAMP.read_text(encoding="utf-8"))
    conference = data["schedule"]["conference"]
    conference["title"] = "Chaos Communication Camp 2019: Fahrplan"
    days = conference["days"]
    drone = days[0]["rooms"]["Meitner"].pop(1)  # "The Great British Drone Panic", Ethics, Society & Politics
    drone.update(track="Hardware & Making", date=drone["date"].replace("2019-08-21", "2019-08-22"))
    days[1]["rooms"]["Meitner"].insert(0, drone)
    opening, badge = days[0]["rooms"]["Curie"][:2]
    opening["persons"][0]["biography"] = "jinxx opens the camp."
    badge["persons"][0]["biography"] = "schneider builds badges."
    path = tmp_path / "rescheduled.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


RESCHEDULED = [  # the moved talk leaves a gap in its old track and makes room in its new one
    "  - updated: camp2019-hambacher-forst-hambibleibt: order 2 → 1",
    "  - updated: camp2019-the-great-british-drone-panic: date '2019-08-21' → '2019-08-22'",
    "  - updated: camp2019-the-great-british-drone-panic: session 'camp2019-s3' → 'camp2019-s2'",
    "  - updated: camp2019-the-great-british-drone-panic: order 1 → 2",
    "  - updated: camp2019-fusionbleibt: order 3 → 2",
    "  - updated: camp2019-zombie-apocalypse-vs-international-health-regulations: order 4 → 3",
    "  - updated: camp2019-technopolice-calling-out-so-called-safe-cities: order 5 → 4",
    "  - updated: camp2019-cyborg-foundation: order 2 → 3",
    "  - updated: camp2019-why-nobody-cares-and-only-you-can-save: order 6 → 5",
    "  - updated: camp2019-die-zukunft-hat-zwei-wellen: order 3 → 4",
    "  - updated: camp2019 (the conference): title 'Chaos Communication Camp 2019' → "
    "'Chaos Communication Camp 2019: Fahrplan'",
    "  - kept the librarian's edit: camp2019 (the conference): name is 'CCCamp 2019' here; the schedule changed it "
    "from 'Chaos Communication Camp 2019' to 'Chaos Communication Camp 2019: Fahrplan'",
    "  - kept the librarian's edit: jinxx: the biography here differs from the schedule's, which changed too "
    "(it was (none))",
    "  - updated: schneider: biography (none) → 'schneider builds badges.'",
    "  - updated: jennylist: the appearance in camp2019-s3 moves to camp2019-s2 with "
    "camp2019-the-great-british-drone-panic",
]


def test_moves_order_biographies_and_conference_fields_follow_the_three_way_rule(camp, tmp_path):
    _edit(camp / "conferences/camp2019/conference.md", "name: Chaos Communication Camp 2019", "name: CCCamp 2019")
    jinxx = camp / "speakers/jinxx.md"
    jinxx.write_text(jinxx.read_text(encoding="utf-8") + "jinxx, as the librarian wrote it.\n", encoding="utf-8")
    before = _tree(camp)
    dry = _cli("import", _rescheduled(tmp_path), "--update", "--dry-run", "--corpus", camp)
    assert dry.exit_code == 0, dry.output
    assert _tree(camp) == before
    lines = dry.output.splitlines()
    start = lines.index("Three-way update (last import, the archive now, the new export):") + 1
    assert lines[start:start + len(RESCHEDULED) + 1] == [*RESCHEDULED, "Could not map:"], dry.output
    result = _cli("import", _rescheduled(tmp_path), "--update", "--corpus", camp)
    assert result.exit_code == 0, result.output
    corpus = load_corpus(camp)
    drone = corpus.talks["camp2019-the-great-british-drone-panic"]
    assert (drone.session, drone.date.isoformat(), corpus.session_of(drone).title) == (
        "camp2019-s2", "2019-08-22", "Hardware & Making")
    assert [(a.conference, a.session) for a in corpus.speakers["jennylist"].appearances] == [("camp2019", "camp2019-s2")]
    conference = corpus.conferences["camp2019"]
    assert (conference.title, conference.name) == ("Chaos Communication Camp 2019: Fahrplan", "CCCamp 2019")
    assert corpus.speakers["schneider"].bio == "schneider builds badges."
    assert corpus.speakers["jinxx"].bio == "jinxx, as the librarian wrote it."
    again = _cli("import", _rescheduled(tmp_path), "--update", "--corpus", camp)
    assert "Wrote 0 files" in again.output, again.output


def test_an_update_groups_sessions_as_the_first_import_did(tmp_path):
    """Imported with --sessions room, updated without it: the talks stay in their day-and-room sessions."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SHIPPED_CORPUS / "taxonomy.yaml", corpus)
    assert _cli("import", CAMP, "--organiser", "CCC", "--sessions", "room", "--corpus", corpus).exit_code == 0
    before = {t.id: t.session for t in load_corpus(corpus).talks.values()}
    result = _cli("import", _newer(tmp_path), "--update", "--corpus", corpus)
    assert result.exit_code == 0, result.output
    after = load_corpus(corpus)
    assert {i: s for i, s in ((t.id, t.session) for t in after.talks.values()) if i in before} == before
    assert "new session" not in result.output
    assert after.session_of(after.talks["camp2019-a-brand-new-event"]).title == "Curie, 2019-08-21"
