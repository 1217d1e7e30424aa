"""Real published schedules in and out: every event a talk with its fields, exports valid against the c3voc schemas.

The expected values are read from the real exports in tests/fixtures/schedules (see its README) with
the standard library, independently of the importer.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner

from archive import load_corpus
from archive.quotes import talk_quotes
from confarchive.cli import main
from schedule_support import timed_corpus

SCHEDULES = Path(__file__).resolve().parent / "fixtures" / "schedules"
SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
IMPORTS = {"31c3-2014": "31c3-schedule.xml", "lswt-2019": "lswt2019-schedule.xml",
           "camp2019": "frab-camp2019.json", "rc3-2020": "pretalx-rc3-2020.json"}


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _empty_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SHIPPED_CORPUS / "taxonomy.yaml", corpus / "taxonomy.yaml")
    return corpus


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """An empty corpus with the four real schedules imported, and the corpus loaded."""
    corpus = _empty_corpus(tmp_path_factory.mktemp("schedules"))
    for ident, name in IMPORTS.items():
        result = _cli("import", SCHEDULES / name, "--organiser", "Organiser", "--id", ident, "--corpus", corpus)
        assert result.exit_code == 0, result.output
    return corpus, load_corpus(corpus)


# --- What the real files say, read independently ------------------------------------------------------------

def _xml_events(name: str) -> list[dict]:
    root = ET.parse(SCHEDULES / name).getroot()
    return [{"id": e.get("id"), "guid": e.get("guid") or "", "day": day.get("date"), "room": room.get("name"),
             "date": e.findtext("date"), "start": e.findtext("start"), "duration": e.findtext("duration") or "",
             "title": e.findtext("title"), "language": e.findtext("language") or "", "type": e.findtext("type") or "",
             "subtitle": e.findtext("subtitle") or ""}
            for day in root.findall("day") for room in day.findall("room") for e in room.findall("event")]


def _json_events(name: str) -> list[dict]:
    data = json.loads((SCHEDULES / name).read_text(encoding="utf-8"))
    return [{"id": str(e["id"]), "guid": e.get("guid") or "", "day": day["date"], "room": room, "date": e["date"],
             "start": e["start"], "duration": e["duration"], "title": e["title"], "language": e.get("language") or "",
             "type": e.get("type") or "", "subtitle": e.get("subtitle") or ""}
            for day in data["schedule"]["conference"]["days"] for room, events in day["rooms"].items() for e in events]


def _events(name: str) -> list[dict]:
    return _xml_events(name) if name.endswith(".xml") else _json_events(name)


def _talks(corpus, conference: str) -> dict[tuple, object]:
    return {(t.event_id, t.room): t for t in corpus.talks.values() if t.conference == conference}


@pytest.mark.parametrize("conference", list(IMPORTS))
def test_every_event_becomes_a_talk_with_its_schedule_fields(imported, conference):
    _, corpus = imported
    events, talks = _events(IMPORTS[conference]), _talks(corpus, conference)
    assert len(talks) == len(events)
    for event in events:
        talk = talks[(event["id"], event["room"])]
        assert (talk.title, talk.start, talk.language, talk.type, talk.subtitle, talk.event_guid) == (
            event["title"].strip(), event["start"], event["language"], event["type"].strip(), event["subtitle"].strip(), event["guid"])
        assert talk.date == dt.date.fromisoformat(event["date"][:10])
        assert talk.duration == (event["duration"][:5] if event["duration"] else "")


def test_events_after_midnight_keep_their_calendar_day_and_time(imported):
    _, corpus = imported
    fnord = _talks(corpus, "31c3-2014")[("6109", "Saal 1")]
    assert (fnord.title, fnord.date, fnord.start, fnord.duration, fnord.language) == (
        "Fnord News Show", dt.date(2014, 12, 29), "00:15", "01:30", "de")
    assert [e["day"] for e in _xml_events(IMPORTS["31c3-2014"]) if e["id"] == "6109"] == ["2014-12-28"]


def test_a_break_that_reuses_one_id_in_two_rooms_is_two_talks(imported, tmp_path):
    _, corpus = imported
    talks = _talks(corpus, "lswt-2019")
    for event_id in ("997", "998", "999"):
        assert {talks[(event_id, room)].room for room in ("Main Track", "Tutorials")} == {"Main Track", "Tutorials"}
    dry = _cli("import", SCHEDULES / IMPORTS["lswt-2019"], "--organiser", "O", "--dry-run",
               "--corpus", _empty_corpus(tmp_path))
    assert dry.exit_code == 0, dry.output
    paths = [line for line in dry.output.splitlines() if line.startswith("  + ")]
    assert len(paths) == len(set(paths))


def test_flat_person_lists_are_read(imported):
    _, corpus = imported
    teaching = _talks(corpus, "lswt-2019")[("1011", "Main Track")]
    assert [corpus.speakers[s].name for s in teaching.speakers] == [
        "Prof. Dr. Vera Meister", "Prof. Dr. Andreas Both", "Prof. Dr. Thomas Riechert"]
    assert teaching.language == ""  # this export gives no <language>


def test_html_lists_become_markdown_lists_and_no_item_is_a_quote_alone(imported):
    _, corpus = imported
    jekyll = _talks(corpus, "lswt-2019")[("202", "Tutorials")]
    assert "Bitte bringen Sie folgendes zum Tutorial mit:\n\n- Laptop\n- ruby >= 2.1 mit bundler oder docker" in jekyll.text
    assert "[Jekyll](https://jekyllrb.com/)" in jekyll.text
    quotes = [q.text for q in talk_quotes(jekyll)]
    assert "Laptop" not in quotes
    assert "Bitte bringen Sie folgendes zum Tutorial mit: Laptop; ruby >= 2.1 mit bundler oder docker" in quotes


def test_pretalx_submission_types_map_to_kinds_and_are_kept(imported):
    corpus_dir, corpus = imported
    talks = [t for t in corpus.talks.values() if t.conference == "rc3-2020"]
    assert {t.kind for t in talks if t.type.startswith("Talk ")} == {"talk"}
    assert {t.type for t in talks} >= {"Talk 30 min + 10min Q&A", "Talk 60min + 20min Q&A"}
    assert {t.language for t in talks} == {"de", "en"}


def test_schedule_fields_are_validated(imported, tmp_path):
    corpus_dir, corpus = imported
    talk = next(t for t in corpus.talks.values() if t.conference == "camp2019")
    path = corpus_dir.parent / talk.path
    text = path.read_text(encoding="utf-8")
    try:
        path.write_text(text.replace(f'start: \'{talk.start}\'', "start: '25:00'")
                        .replace(f"language: {talk.language}", "language: German"), encoding="utf-8")
        result = _cli("validate", "--corpus", corpus_dir)
        assert "error: 'start' is not valid: '25:00'" in result.output
        assert "error: 'language' is not valid: 'German'" in result.output
    finally:
        path.write_text(text, encoding="utf-8")


# --- Persons -----------------------------------------------------------------------------------------------------

def test_persons_keep_their_schedule_ids(imported):
    _, corpus = imported
    root = ET.parse(SCHEDULES / IMPORTS["31c3-2014"]).getroot()
    expected = {p.text: p.get("id") for p in root.iter("person")}
    listed = {a.listed_name: a.person_id for s in corpus.speakers.values() for a in s.appearances
              if a.conference == "31c3-2014"}
    assert listed == expected


def _camp_with_two_mos(tmp_path: Path) -> Path:
    """The real camp2019 export with two different persons (different ids) called 'mo' and 'Mo'."""
    data = json.loads((SCHEDULES / IMPORTS["camp2019"]).read_text(encoding="utf-8"))
    events = [e for day in data["schedule"]["conference"]["days"] for es in day["rooms"].values() for e in es]
    events[0]["persons"] = [{"id": 90001, "public_name": "mo"}]
    events[1]["persons"] = [{"id": 90002, "public_name": "Mo"}]
    path = tmp_path / "camp.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_two_persons_with_different_ids_are_never_merged(tmp_path):
    corpus = _empty_corpus(tmp_path)
    result = _cli("import", _camp_with_two_mos(tmp_path), "--organiser", "O", "--corpus", corpus)
    assert result.exit_code == 0, result.output
    mos = {s.appearances[0].person_id: s.id for s in load_corpus(corpus).speakers.values() if s.name.lower() == "mo"}
    assert sorted(mos) == ["90001", "90002", "9029"]  # the export has a real 'Mo' too, id 9029
    assert len(set(mos.values())) == 3
    assert "share a name but not an id: kept as two speakers" in result.output


@pytest.mark.parametrize("mode, pelzer, erdgeist", [
    ("names", "merged", "kept apart"),   # a full name merges; a one-word handle is only proposed
    ("ids", "merged", "kept apart"),     # same frab person id 5261 at both CCC events
    ("never", "kept apart", "kept apart"),
])
def test_merge_modes_across_conferences(tmp_path, mode, pelzer, erdgeist):
    corpus = _empty_corpus(tmp_path)
    assert _cli("import", SCHEDULES / IMPORTS["31c3-2014"], "--organiser", "CCC", "--corpus", corpus).exit_code == 0
    camp = _camp_with_handle(tmp_path)
    result = _cli("import", camp, "--organiser", "CCC", "--merge", mode, "--corpus", corpus)
    assert result.exit_code == 0, result.output
    speakers = load_corpus(corpus).speakers
    assert ("merged" if len(speakers["stefan-pelzer"].appearances) == 2 else "kept apart") == pelzer
    assert ("merged" if len(speakers["erdgeist"].appearances) == 2 else "kept apart") == erdgeist
    if mode == "names":
        assert ("  - 'Stefan Pelzer' (schedule id 5261) → existing speaker stefan-pelzer: carries the same "
                "schedule id 5261 from an earlier import\n") in result.output
        assert ("  - 'erdgeist' (schedule id 777) → existing speaker erdgeist: same name as 'erdgeist', listed at "
                "31c3-2014; not merged: a one-word name (a handle) is not evidence enough") in result.output


def _camp_with_handle(tmp_path: Path) -> Path:
    """The real camp2019 export with a person listed as 'erdgeist' under another id than at 31C3."""
    data = json.loads((SCHEDULES / IMPORTS["camp2019"]).read_text(encoding="utf-8"))
    first = data["schedule"]["conference"]["days"][0]["rooms"]
    next(iter(first.values()))[0]["persons"].append({"id": 777, "public_name": "erdgeist"})
    path = tmp_path / "camp-handle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_merge_ask_asks_with_the_evidence(tmp_path):
    corpus = _empty_corpus(tmp_path)
    _cli("import", SCHEDULES / IMPORTS["31c3-2014"], "--organiser", "CCC", "--corpus", corpus)
    camp = _camp_with_handle(tmp_path)
    result = CliRunner().invoke(main, ["import", str(camp), "--organiser", "CCC", "--merge", "ask",
                                       "--corpus", str(corpus)], input="y\n")
    assert result.exit_code == 0, result.output
    assert ("Merge 'erdgeist' (schedule id 777) → existing speaker erdgeist: same name as 'erdgeist', "
            "listed at 31c3-2014? [y/N]: y") in result.output
    assert len(load_corpus(corpus).speakers["erdgeist"].appearances) == 2


# --- Export that validates, and comes back the same --------------------------------------------------------------

def _format_checker() -> jsonschema.FormatChecker:
    """The formats the c3voc schema uses, checked strictly (jsonschema checks them only with extra packages)."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value):
        return not isinstance(value, str) or (dt.datetime.fromisoformat(value).tzinfo is not None and "T" in value)

    @checker.checks("date", raises=ValueError)
    def _date(value):
        return not isinstance(value, str) or bool(dt.date.fromisoformat(value))

    @checker.checks("uuid", raises=ValueError)
    def _uuid(value):
        return not isinstance(value, str) or bool(uuid.UUID(value))

    @checker.checks("uri")
    def _uri(value):
        return not isinstance(value, str) or value.startswith(("http://", "https://"))
    return checker


def _json_errors(path: Path) -> list[str]:
    schema = json.loads((SCHEDULES / "schedule.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft6Validator(schema, format_checker=_format_checker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in
            validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))]


def _xml_errors(path: Path) -> list[str]:
    schema = xmlschema.XMLSchema(str(SCHEDULES / "schedule.xml.xsd"))
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(str(path))]


@pytest.fixture(scope="module")
def exports(imported, tmp_path_factory):
    corpus_dir, _ = imported
    out = tmp_path_factory.mktemp("exports")
    timed, _ = timed_corpus(tmp_path_factory.mktemp("timed") / "corpus")
    for conference in (*IMPORTS, "dngc-2025"):
        source = timed if conference == "dngc-2025" else corpus_dir
        for fmt, ext in (("json", "json"), ("frab-xml", "xml")):
            result = _cli("export", "schedule", conference, "--format", fmt, "-o", out / f"{conference}.{ext}",
                          "--base-url", "https://archive.example.org", "--corpus", source)
            assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("conference", [*IMPORTS, "dngc-2025"])
def test_exports_validate_against_the_c3voc_schemas(exports, conference):
    assert _json_errors(exports / f"{conference}.json") == []
    assert _xml_errors(exports / f"{conference}.xml") == []


def test_the_real_files_do_not_all_validate_so_the_check_has_teeth():
    assert _json_errors(SCHEDULES / IMPORTS["camp2019"])  # 'Camp2019' is not a valid acronym, for one
    assert _xml_errors(SCHEDULES / IMPORTS["lswt-2019"])


def test_export_keeps_days_rooms_and_times(exports):
    data = json.loads((exports / "31c3-2014.json").read_text(encoding="utf-8"))
    conference = data["schedule"]["conference"]
    assert conference["daysCount"] == len(conference["days"]) >= 4
    events = {e["id"]: (day["date"], room, e) for day in conference["days"] for room, es in day["rooms"].items()
              for e in es}
    date, room, fnord = events[6109]
    assert (date, room, fnord["date"], fnord["duration"], fnord["language"]) == (
        "2014-12-29", "Saal 1", "2014-12-29T00:15:00+01:00", "01:30", "de")


FIELDS = ("title", "kind", "text", "abstract", "date", "start", "duration", "room", "language", "subtitle", "type",
          "event_id", "event_guid", "order")


def _records(corpus, conference: str) -> list[tuple]:
    def row(talk):
        session = corpus.session_of(talk)
        people = [(corpus.speakers[s].name, corpus.appearance_for(corpus.speakers[s], talk).person_id)
                  for s in talk.speakers]
        return (*(getattr(talk, f) for f in FIELDS), session.title if session else None, people)
    return sorted(row(t) for t in corpus.talks.values() if t.conference == conference)


def _bios(corpus, conference: str) -> dict:
    return {(s.name, a.person_id): s.bio_for(a) for s in corpus.speakers.values() for a in s.appearances
            if a.conference == conference}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("conference", list(IMPORTS))
def test_export_then_import_gives_back_the_same_records(imported, exports, tmp_path, conference, fmt):
    """Every real schedule, both formats: the same talks field for field, persons with their ids and biographies."""
    _, original = imported
    corpus = _empty_corpus(tmp_path)
    result = _cli("import", exports / f"{conference}.{fmt}", "--organiser", "O", "--id", conference,
                  "--corpus", corpus)
    assert result.exit_code == 0, result.output
    again = load_corpus(corpus)
    assert _records(again, conference) == _records(original, conference)
    assert _bios(again, conference) == _bios(original, conference)


def test_the_schemas_require_uuid_guids_so_other_guids_are_derived_and_kept_beside(imported, exports):
    """31C3's guids are not UUIDs: both schemas require one, so the export derives it (uuid5) and keeps the original."""
    schema = json.loads((SCHEDULES / "schedule.schema.json").read_text(encoding="utf-8"))
    assert schema["definitions"]["Event"]["properties"]["guid"] == {"type": "string", "format": "uuid"}
    xsd = ET.parse(SCHEDULES / "schedule.xml.xsd").getroot()
    xs = "{http://www.w3.org/2001/XMLSchema}"
    event_type = next(t for t in xsd.iter(f"{xs}complexType") if t.get("name") == "event")
    assert {a.get("name"): a.get("type") for a in event_type.findall(f"{xs}attribute")}["guid"] == "uuid"
    _, corpus = imported
    original = {t.event_guid for t in corpus.talks.values() if t.conference == "31c3-2014"}
    assert "HOqeNIb6G7M4hYFKFRkCmQ" in original
    data = json.loads((exports / "31c3-2014.json").read_text(encoding="utf-8"))
    conference = data["schedule"]["conference"]
    written = {e["guid"] for day in conference["days"] for es in day["rooms"].values() for e in es}
    assert all(uuid.UUID(g) for g in written) and not written & {g for g in original if len(g) != 36}
    kept = conference["meta"]["confarchive_originals"]
    assert {v["guid"] for v in kept.values()} == {g for g in original if len(g) != 36}
    for exported, values in kept.items():
        assert exported == str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "https://confarchive/"),
                                          "event-guid/" + values["guid"]))
    xml = (exports / "31c3-2014.xml").read_text(encoding="utf-8")
    assert '<?confarchive {"guid": "HOqeNIb6G7M4hYFKFRkCmQ"}?>' in xml


def test_persons_keep_codes_and_biographies_in_both_formats(exports):
    data = json.loads((exports / "rc3-2020.json").read_text(encoding="utf-8"))
    persons = [p for day in data["schedule"]["conference"]["days"] for es in day["rooms"].values() for e in es
               for p in e["persons"]]
    source = json.loads((SCHEDULES / IMPORTS["rc3-2020"]).read_text(encoding="utf-8"))
    wanted = {p["code"]: (p.get("biography") or "").replace("\r\n", "\n") or None for day in source["schedule"]["conference"]["days"]
              for es in day["rooms"].values() for e in es for p in e["persons"]}
    assert {p["code"]: p["biography"] for p in persons} == wanted
    camp = json.loads((exports / "camp2019.json").read_text(encoding="utf-8"))
    frab_ids = {p["id"] for day in camp["schedule"]["conference"]["days"] for es in day["rooms"].values()
                for e in es for p in e["persons"]}
    assert 9029 in frab_ids  # frab's integer person ids stay integers
    root = ET.parse(exports / "rc3-2020.xml", parser=ET.XMLParser(target=ET.TreeBuilder(insert_pis=True))).getroot()
    kept = [json.loads(c.text.split(" ", 1)[1]) for c in root.iter() if c.tag is ET.PI]
    assert {p["code"]: p["biography"] or None for k in kept for p in k.get("persons", [])} == wanted


def test_placeholders_are_not_exported_as_text(imported, exports):
    _, corpus = imported
    data = json.loads((exports / "lswt-2019.json").read_text(encoding="utf-8"))
    events = [e for day in data["schedule"]["conference"]["days"] for es in day["rooms"].values() for e in es]
    placeholders = {t.id for t in corpus.talks.values() if t.conference == "lswt-2019" and not _has_text(t)}
    assert placeholders and {e["slug"] for e in events if e["description"] is None} == placeholders


def _has_text(talk) -> bool:
    from archive.citations import PLACEHOLDER_SUMMARY
    return talk.text.strip() != PLACEHOLDER_SUMMARY


@pytest.mark.parametrize("kept", [[], "x", {"guid": 7}, {"id": None, "persons": "x"}, {"persons": [1, None, {}]}])
def test_wrong_shapes_where_the_export_keeps_originals_are_ignored(exports, tmp_path, kept):
    """The `confarchive_originals` (JSON) and `<?confarchive?>` (XML) a hand-edited file may spoil: imported anyway."""
    data = json.loads((exports / "31c3-2014.json").read_text(encoding="utf-8"))
    meta = data["schedule"]["conference"]["meta"]["confarchive_originals"]
    for guid in meta:
        meta[guid] = kept
    spoilt_json = tmp_path / "spoilt.json"
    spoilt_json.write_text(json.dumps(data), encoding="utf-8")
    xml = (exports / "31c3-2014.xml").read_text(encoding="utf-8")
    spoilt_xml = tmp_path / "spoilt.xml"
    spoilt_xml.write_text(xml.replace('<?confarchive {"guid"', "<?confarchive [[[{\"guid\"", 3), encoding="utf-8")
    for number, path in enumerate((spoilt_json, spoilt_xml)):
        (tmp_path / str(number)).mkdir()
        corpus = _empty_corpus(tmp_path / str(number))
        result = _cli("import", path, "--organiser", "O", "--id", f"spoilt-{number}", "--corpus", corpus)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
