"""`confarchive import`: pretalx/frab schedule exports become corpus files, merged with known speakers."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import load_corpus
from archive.frontmatter import parse
from archive.importers import ImportOptions, ImportRefused, ScheduleError, plan_import, read_schedule
from confarchive.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PRETALX = FIXTURES / "pretalx-nhdd-2024.json"
FRAB = FIXTURES / "frab-ogw-2023.xml"


def _invoke(corpus: Path, *args):
    return CliRunner().invoke(main, ["import", *args, "--corpus", str(corpus)])


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def pretalx_import(tmp_path_factory):
    """The shipped corpus with the pretalx sample imported, and the command's result."""
    corpus = tmp_path_factory.mktemp("pretalx") / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    result = _invoke(corpus, str(PRETALX), "--organiser", "Nordic Health Data Network")
    return corpus, result, load_corpus(corpus)


def test_pretalx_import_reports_everything(pretalx_import):
    _, result, _ = pretalx_import
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "Wrote 23 files for conference nhdd-2024 (Nordic Health Data Days 2024, schedule JSON):",
        "  1 conference, 3 session(s) (one per track), 10 talk(s), 4 new speaker(s), "
        "3 existing speaker(s) with new appearances"]
    tail = result.output[result.output.index("Same person as an existing speaker:"):]
    assert tail.startswith(
        "Same person as an existing speaker:\n"
        "  - 'Britt Elmedal' (schedule id BEL3QP) → existing speaker britt-elmedal-laursen: "
        "same name as 'Britt Elmedal', listed at dngc-2025\n"
        "  - 'Dr. Serena Scollen' (schedule id SSC9TT) → existing speaker serena-scollen: "
        "same name as 'Serena Scollen', listed at dngc-2025\n"
        "  - 'Bodil Orkild' (schedule id BOR5ZZ) → existing speaker bodil-orkild: "
        "same name as 'Bodil Ørkild', listed at dngc-2025\n"
        "Could not map:\n"
        "  - days[1].rooms['Room B'][0]: event 41 has no title; skipped\n"
        "  - event 22 \"Hands-on: FHIR for researchers\": type 'Workshop' is not a talk, panel or Q&A; "
        "imported as a talk\n"
        "  - event 33 \"Patient perspectives on data reuse\": the schedule lists no persons; imported without speakers\n"
        "  - event 33 \"Patient perspectives on data reuse\": no abstract or description; the summary is a placeholder\n"
        "To finish by hand:\n"
        "  - conference.md: the archive keeps one date per conference; the schedule runs 2024-05-14 to 2024-05-15, "
        "so `date` is the first day\n"
        "  - conference.md: schedules carry no introduction; replace the placeholder body\n"
        "Validation of the imported files: 0 error(s), ")


def test_pretalx_conference_and_sessions_by_track(pretalx_import):
    _, _, corpus = pretalx_import
    conference = corpus.conferences["nhdd-2024"]
    assert (conference.title, conference.organiser, str(conference.date), conference.timezone) == (
        "Nordic Health Data Days 2024", "Nordic Health Data Network", "2024-05-14", "Europe/Copenhagen")
    sessions = [(s.id, s.number, s.title) for s in corpus.ordered_sessions() if s.conference == "nhdd-2024"]
    assert sessions == [("nhdd-2024-s1", 1, "Genomics in the clinic"), ("nhdd-2024-s2", 2, "Data infrastructure"),
                        ("nhdd-2024-s3", 3, "Law and ethics")]


def test_pretalx_talks_in_programme_order_with_kinds(pretalx_import):
    _, _, corpus = pretalx_import
    talks = [(t.session, t.order, t.kind, t.title) for t in corpus.ordered_talks() if t.conference == "nhdd-2024"]
    assert talks == [
        (None, 1, "talk", "Welcome to Nordic Health Data Days"),
        ("nhdd-2024-s1", 1, "talk", "Whole genome sequencing for rare diseases in Sweden"),
        ("nhdd-2024-s1", 2, "talk", "Genomic profiling in oncology: lessons from Aarhus"),
        ("nhdd-2024-s1", 3, "panel", "Panel: Who owns genomic data?"),
        ("nhdd-2024-s1", 4, "talk", "Rare disease registries in the Nordics"),
        ("nhdd-2024-s2", 1, "talk", "Building a federated data platform"),
        ("nhdd-2024-s2", 2, "talk", "Hands-on: FHIR for researchers"),
        ("nhdd-2024-s3", 1, "talk", "The European Health Data Space and the GDPR"),
        ("nhdd-2024-s3", 2, "qa", "Questions from the floor"),
        ("nhdd-2024-s3", 3, "talk", "Patient perspectives on data reuse"),
    ]


def test_pretalx_talk_fields(pretalx_import):
    _, _, corpus = pretalx_import
    panel = corpus.talks["nhdd-2024-panel-who-owns-genomic-data"]
    assert panel.speakers == ["maja-lindqvist", "aino-virtanen", "serena-scollen"]
    assert panel.byline == ["Maja Lindqvist", "Aino Virtanen", "Dr. Serena Scollen"]
    assert panel.abstract == "Patients, clinicians and researchers debate consent and ownership."
    assert panel.text == "A panel on consent, trust and the ownership of genomic data across the Nordic countries."
    assert (panel.source.document, panel.source.section, panel.source.url) == (
        "schedule.json", "event 14, Main Hall, 2024-05-14 11:00 (01:00)",
        "https://pretalx.example.org/nhdd-2024/talk/C3A8EF/")
    abstract_only = corpus.talks["nhdd-2024-genomic-profiling-in-oncology-lessons-from-aarhus"]
    assert (abstract_only.text, abstract_only.abstract) == (
        "Comprehensive genomic profiling for patients with incurable cancer.", "")
    workshop = corpus.talks["nhdd-2024-building-a-federated-data-platform"]
    assert (workshop.notes, workshop.subtitle) == ("", "Models travel, data stays")
    hands_on = corpus.talks["nhdd-2024-hands-on-fhir-for-researchers"]
    assert (hands_on.notes, hands_on.type, hands_on.kind) == ("", "Workshop", "talk")
    assert (panel.start, panel.duration, panel.room, panel.language, panel.event_id, panel.event_guid) == (
        "11:00", "01:00", "Main Hall", "en", "14", json.loads(PRETALX.read_text(encoding="utf-8"))[
            "schedule"]["conference"]["days"][0]["rooms"]["Main Hall"][3]["guid"])


def test_same_person_is_one_new_speaker_with_one_appearance_per_session(pretalx_import):
    _, _, corpus = pretalx_import
    maja = corpus.speakers["maja-lindqvist"]
    assert [a.session for a in maja.appearances] == ["nhdd-2024-s1"]
    assert maja.appearances[0].source.section == "persons of event 12, 14, 34"
    assert maja.bio.startswith("Maja Lindqvist leads the clinical genomics unit")
    jonas = corpus.speakers["jonas-berg"]
    assert [a.session for a in jonas.appearances] == [None, "nhdd-2024-s2"]


def test_known_people_gain_an_appearance_and_their_listed_name(pretalx_import):
    _, _, corpus = pretalx_import
    britt = corpus.speakers["britt-elmedal-laursen"]
    assert [(a.conference, a.listed_name) for a in britt.appearances] == [
        ("dngc-2025", "Britt Elmedal"), ("nhdd-2024", "Britt Elmedal")]
    assert britt.appearances[1].bio == "Britt Elmedal is a clinical oncologist in Aarhus who runs a precision oncology programme."
    assert britt.bio.startswith("She is a clinical oncologist")  # the archive's bio is kept
    assert corpus.speakers["serena-scollen"].aliases == ["Dr. Serena Scollen"]
    assert corpus.speakers["bodil-orkild"].aliases == ["Bodil Orkild"]
    assert "nhdd-2024-rare-disease-registries-in-the-nordics" in [
        t.id for t in corpus.talks_by_speaker("bodil-orkild")]


def test_existing_speaker_files_keep_every_line(pretalx_import):
    corpus_dir, _, _ = pretalx_import
    old = (SHIPPED_CORPUS / "speakers" / "britt-elmedal-laursen.md").read_text(encoding="utf-8")
    new = (corpus_dir / "speakers" / "britt-elmedal-laursen.md").read_text(encoding="utf-8")
    front = old[:old.index("\n---\n", 4) + 1]
    assert new.startswith(front)
    assert new.endswith(old[len(front):])


def test_frab_xml_by_room_with_comments_kept(corpus_copy):
    klaus = (corpus_copy / "speakers" / "klaus-hoeyer.md").read_text(encoding="utf-8")
    result = _invoke(corpus_copy, str(FRAB), "--organiser", "Open Genomics e.V.", "--sessions", "room")
    assert result.exit_code == 0, result.output
    assert "Wrote 13 files for conference ogw23-2023 (Open Genomics Workshop 2023, schedule XML):" in result.output
    assert "  - event 204 \"Meet and greet\": type 'other' is not a talk, panel or Q&A; imported as a talk\n" in result.output
    corpus = load_corpus(corpus_copy)
    assert [(s.title, [t.title for t in corpus.talks_in_session(s.id)]) for s in corpus.ordered_sessions()
            if s.conference == "ogw23-2023"] == [
        ("Aula, 2023-11-20", ["A national genome infrastructure in practice",
                              "Podium: sharing genomic data across borders"]),
        ("Seminar room, 2023-11-20", ["Variant calling at scale", "Meet and greet"])]
    podium = corpus.talks["ogw23-2023-podium-sharing-genomic-data-across-borders"]
    assert (podium.kind, podium.speakers) == ("panel", ["stinus-lindgreen", "henrik-ullum", "lea-schmidt", "klaus-hoeyer"])
    assert (podium.notes, podium.subtitle, podium.type) == ("", "Can Europe agree on the rules?", "podium")
    updated = (corpus_copy / "speakers" / "klaus-hoeyer.md").read_text(encoding="utf-8")
    assert "# Override: his bio describes research" in updated
    assert updated.startswith(klaus[:klaus.index("\n---\n", 4) + 1])
    assert (corpus_copy / "conferences" / "ogw23-2023" / "schedule.xml").read_bytes() == FRAB.read_bytes()


def test_dry_run_writes_nothing(corpus_copy):
    before = _tree(corpus_copy)
    result = _invoke(corpus_copy, str(PRETALX), "--organiser", "N", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would write 23 files for conference nhdd-2024" in result.output
    assert "  ~ corpus/speakers/britt-elmedal-laursen.md\n" in result.output
    assert result.output.endswith("Dry run: nothing was written.\n")
    assert _tree(corpus_copy) == before


def test_importing_twice_is_refused_and_changes_nothing(pretalx_import):
    corpus_dir, _, _ = pretalx_import
    before = _tree(corpus_dir)
    result = _invoke(corpus_dir, str(PRETALX), "--organiser", "N")
    assert result.exit_code == 1
    assert result.output == (f"Error: {PRETALX}: conference 'nhdd-2024' already exists in {corpus_dir}; nothing was "
                             "written (pass --id to import under another id)\n")
    assert _tree(corpus_dir) == before


def test_a_file_in_the_way_is_never_overwritten(corpus_copy):
    blocker = corpus_copy / "speakers" / "jonas-berg.md"
    blocker.write_text("a librarian's unfinished draft\n", encoding="utf-8")
    before = _tree(corpus_copy)
    result = _invoke(corpus_copy, str(PRETALX), "--organiser", "N")
    assert result.exit_code == 1
    assert result.output == (f"Error: {PRETALX}: these files already exist and were not overwritten: {blocker}\n")
    assert _tree(corpus_copy) == before


def test_an_interrupted_import_writes_nothing(corpus_copy, monkeypatch):
    before = _tree(corpus_copy)
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 5:  # the journal, then the fourth move into the corpus
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", failing_replace)
    result = _invoke(corpus_copy, str(PRETALX), "--organiser", "N")
    assert result.exit_code == 1
    assert result.output.startswith("Error: writing failed (")
    assert result.output.endswith("No space left on device; the files were left as they were before\n")
    monkeypatch.undo()
    assert _tree(corpus_copy) == before


BAD_INPUTS = [
    ("plain.txt", "hello", "not a schedule export: expected schedule JSON ('{...') or schedule XML ('<schedule>...')"),
    ("broken.json", '{"schedule": ', "not valid JSON: Expecting value (line 1, column 14)"),
    ("empty.json", "{}", "schedule: expected an object with named fields, found null"),
    ("deep.json", '{"schedule": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "the JSON is nested too deeply to be a schedule export; it was refused"),
    ("bignumber.json", '{"schedule": {"conference": {"title": "T", "daysCount": ' + "9" * 100_000 + "}}}",
     "the JSON holds a number 100,000 characters long; schedule exports have none that long, so it was refused"),
    ("nan.json", '{"schedule": {"conference": {"title": "T", "daysCount": NaN}}}',
     "the JSON holds NaN, which is not valid JSON; it was refused"),
    ("widget.json", '{"talks": [{"code": "ABC", "title": "T"}], "rooms": [], "speakers": [], "version": "2"}',
     "this is pretalx's widget data (widgets/schedule.json), not a schedule export: download the event's "
     "schedule.json (…/schedule/export/schedule.json) or schedule.xml"),
    ("deep.xml", "<schedule><conference><title>T</title><start>2024-01-01</start></conference>"
     + "<day date='2024-01-01'>" + "<x>" * 100_000 + "</x>" * 100_000 + "</day></schedule>",
     "the schedule lists no events; nothing to import"),
    ("shapes.json", '{"schedule": {"conference": {"title": "T", "days": [{"rooms": ["Saal 1"]}]}}}',
     "days[0].rooms: expected an object with named fields, found a list"),
    ("nodays.json", '{"schedule": {"conference": {"title": "T", "days": 3}}}',
     "schedule.conference.days: expected a list, found a number"),
    ("baddate.json", '{"schedule": {"conference": {"title": "T", "start": "May 1", "days": []}}}',
     "schedule.conference.start: 'May 1' is not a date (expected YYYY-MM-DD)"),
    ("noevents.json", '{"schedule": {"conference": {"title": "T", "start": "2024-01-01", "days": []}}}',
     "the schedule lists no events; nothing to import"),
    ("nobody.json", '{"schedule": {"conference": {"title": "T", "days": [{"date": "2024-01-01", "rooms": '
     '{"A": [{"id": 1, "title": "X", "persons": [{"id": 3}]}]}}]}}}',
     "days[0].rooms['A'][0].persons[0]: a person without a name"),
    ("bomb.xml", '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><schedule>&a;</schedule>',
     "the XML declares a DOCTYPE or entities; schedule exports have none, so it was refused"),
    ("broken.xml", "<schedule><conference></schedule>", "not well-formed XML: mismatched tag (line 1, column 25)"),
    ("other.xml", "<iCalendar/>", "the root element is <iCalendar>, expected <schedule>"),
    ("notitle.xml", "<schedule><conference><acronym>x</acronym></conference></schedule>",
     "<schedule> has no <conference> with a <title>"),
]


@pytest.mark.parametrize("name, content, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_exports_get_a_clear_message(corpus_copy, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = _tree(corpus_copy)
    result = _invoke(corpus_copy, str(path), "--organiser", "N")
    assert (result.exit_code, result.output) == (1, f"Error: {path}: {message}\n")
    assert _tree(corpus_copy) == before


def test_not_utf8_and_missing_options(corpus_copy, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "Café"}'.encode("latin-1"))
    result = _invoke(corpus_copy, str(path), "--organiser", "N")
    assert (result.exit_code, result.output) == (1, f"Error: {path}: not UTF-8 text; schedule exports are UTF-8\n")
    missing = _invoke(corpus_copy, str(PRETALX))
    assert missing.exit_code == 2 and "Missing option '--organiser'" in missing.output
    bad_id = _invoke(corpus_copy, str(PRETALX), "--organiser", "N", "--id", "Bad Id")
    assert bad_id.output == (f"Error: {PRETALX}: 'Bad Id' is not a valid conference id: use lowercase letters, "
                             "digits and hyphens\n")


def test_import_into_a_folder_that_does_not_exist(tmp_path):
    result = _invoke(tmp_path / "nowhere", str(PRETALX), "--organiser", "N")
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'nowhere'}:1: error: corpus folder does not exist "
                             "(pass --corpus with the folder that holds conferences/ and speakers/)\n")


def test_a_person_matching_two_speakers_is_reported(corpus_copy):
    twin = corpus_copy / "speakers" / "britt-elmedal.md"
    text = (corpus_copy / "speakers" / "britt-elmedal-laursen.md").read_text(encoding="utf-8")
    twin.write_text(text.replace("id: britt-elmedal-laursen", "id: britt-elmedal"), encoding="utf-8")
    result = _invoke(corpus_copy, str(PRETALX), "--organiser", "N")
    assert result.exit_code == 0, result.output
    assert ("  - 'Britt Elmedal' matches several speakers (britt-elmedal, britt-elmedal-laursen); "
            "the appearance went to britt-elmedal: check it\n") in result.output
    assert parse(twin.read_text(encoding="utf-8")).meta["appearances"][-1]["conference"] == "nhdd-2024"


READ_KEYS = {"schedule", "conference", "title", "acronym", "start", "end", "time_zone_name", "url", "days", "date",
             "rooms", "Main Hall", "id", "guid", "duration", "room", "track", "type", "subtitle", "abstract",
             "description", "persons", "public_name", "name", "code", "biography"}


def _small_export() -> dict:
    """The pretalx sample cut to the fields the importer reads: one panel, two of its persons."""
    data = json.loads(PRETALX.read_text(encoding="utf-8"))
    day = data["schedule"]["conference"]["days"][0]
    panel = day["rooms"]["Main Hall"][3]
    panel["persons"] = panel["persons"][:2]
    day["rooms"] = {"Main Hall": [panel]}
    data["schedule"]["conference"]["days"] = [day]
    return _prune(data)


def _prune(node):
    if isinstance(node, dict):
        return {k: _prune(v) for k, v in node.items() if k in READ_KEYS}
    return [_prune(v) for v in node] if isinstance(node, list) else node


def _paths(node, path=()):
    yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        yield from _paths(child, (*path, key))


def _replaced(data, path, value):
    copy = json.loads(json.dumps(data))
    if not path:
        return value
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def test_any_wrong_value_anywhere_is_a_clean_refusal_or_a_valid_plan(corpus):
    """Every field of the export, replaced by a value of every wrong type: never an unexpected exception."""
    data = _small_export()
    options = ImportOptions("x-2024", "N", "schedule.json")
    outcomes = {"planned": 0, "refused": 0}
    for path in _paths(data):
        for value in (None, 7, [], {}):
            raw = json.dumps(_replaced(data, path, value))
            try:
                plan_import(read_schedule(raw), corpus, raw, options)
                outcomes["planned"] += 1
            except (ScheduleError, ImportRefused):
                outcomes["refused"] += 1
    assert outcomes == {"planned": 135, "refused": 57}
