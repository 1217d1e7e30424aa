"""Export the archive: one conference as schedule JSON (the pretalx/frab/c3voc format), or everything as JSON or CSV.

Each talk is an event on its day, in its room, at its start time and duration (see schedule_model for
talks without them); each session becomes a track (talks outside the sessions have none), so
importing the export again rebuilds the same sessions and talk fields. Not carried by the schedule
format: panel questions, bylines, notes, topic overrides, aliases, and roles and organisations of
speakers. The whole-archive exports carry everything.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date

from .corpus import Corpus
from .csvsafe import write_csv
from .records import Speaker, Talk
from .schedule_xml import export_schedule_xml
from .schedule_model import UUID, ExportError, EventOut, PersonOut, build_schedule, day_bounds, guid

__all__ = ["SCHEDULE_FORMATS", "ExportError", "archive_tables", "export_archive", "export_schedule",
           "export_schedule_text", "to_csv", "untimed_talks"]

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
ORIGINALS = "confarchive_originals"  # conference.meta key: exported event guid -> the talk's own values


def export_schedule(corpus: Corpus, conference_id: str, base_url: str = "") -> dict:
    """One conference as schedule JSON that validates against the c3voc schema (as pretalx and frab publish it)."""
    out = build_schedule(corpus, conference_id)
    conference = out.conference
    days = [_day(index, day, rooms, base_url) for index, (day, rooms) in enumerate(out.days.items(), 1)]
    body = {"acronym": out.acronym, "title": conference.title, "start": min(out.days, default=conference.date).isoformat(),
            "end": max(out.days, default=conference.date).isoformat(), "daysCount": len(days),
            "timeslot_duration": "00:05", "rooms": [{"name": r, "guid": guid("room", f"{conference.id}/{r}")} for r in out.rooms],
            "days": days}
    if out.zone_name:
        body["time_zone_name"] = out.zone_name
    kept = {event.guid: event.originals() for event in out.events if event.originals()}
    if kept:  # the schema's place for extensions: the conference's `meta`
        body["meta"] = {ORIGINALS: kept}
    schedule = {"version": "1", "conference": body}
    if base_url.startswith(("http://", "https://")):
        schedule["base_url"] = base_url.rstrip("/") + "/"
    return {"$schema": SCHEMA_URL, "generator": {"name": "confarchive", "version": "1"}, "schedule": schedule}


def _day(index: int, day, rooms: dict, base_url: str) -> dict:
    start, end = day_bounds([e for events in rooms.values() for e in events], day)
    return {"index": index, "date": day.isoformat(), "day_start": start, "day_end": end,
            "rooms": {room: [_event(e, base_url) for e in events] for room, events in rooms.items()}}


def _event(event: EventOut, base_url: str) -> dict:
    talk = event.talk
    return {"id": event.number, "guid": event.guid, "date": event.date_time, "start": event.start,
            "duration": event.duration, "room": event.room, "slug": talk.id,
            "url": f"{base_url.rstrip('/')}/talks/{talk.id}", "title": talk.title, "subtitle": talk.subtitle or None,
            "track": event.track, "type": event.type, "language": talk.language or None,
            "abstract": talk.abstract or None, "description": event.description,
            "persons": [_person(p) for p in event.persons], "links": [], "attachments": []}


def _person(person: PersonOut) -> dict:
    """The keys of pretalx's person (name, code, biography) and frab's integer id, never frab's `public_name`:
    with both a `name` and a `public_name` the person would match both of the schema's `oneOf`."""
    item = {"name": person.name, "biography": person.biography or None}
    if person.person_id.isdigit():
        item["id"] = int(person.person_id)
    elif re.fullmatch(r"[A-Z0-9]+", person.person_id):
        item["code"] = person.person_id
    elif UUID.match(person.person_id):
        item["guid"] = person.person_id
    return item


def export_schedule_text(corpus: Corpus, conference_id: str, fmt: str = "json", base_url: str = "") -> str:
    """The conference's schedule in one of SCHEDULE_FORMATS, as text."""
    if fmt not in SCHEDULE_FORMATS:
        raise ExportError(f"unknown schedule format '{fmt}' (known: {', '.join(SCHEDULE_FORMATS)})")
    return SCHEDULE_FORMATS[fmt][2](corpus, conference_id, base_url)


def untimed_talks(corpus: Corpus, conference_id: str) -> list[str]:
    """The ids of the conference's talks a schedule export leaves out: they have no start time."""
    return [talk.id for talk in build_schedule(corpus, conference_id).untimed]


def _schedule_json_text(corpus: Corpus, conference_id: str, base_url: str) -> str:
    return json.dumps(export_schedule(corpus, conference_id, base_url), indent=2, ensure_ascii=False) + "\n"


SCHEDULE_FORMATS = {  # name: (media type, file extension, writer)
    "json": ("application/json", ".json", _schedule_json_text),
    "frab-xml": ("application/xml", ".xml", export_schedule_xml),
}


# --- The whole archive ------------------------------------------------------------------------------

def _plain(value):
    """Records as JSON-ready values: dates as ISO text, tuples as lists, no file paths."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "path"}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def export_archive(corpus: Corpus) -> dict:
    """Every record of the archive with its topics, as one JSON-ready mapping."""
    return {"conferences": [_plain(asdict(c)) for c in corpus.conferences.values()],
            "sessions": [_plain(asdict(s)) for s in corpus.ordered_sessions()],
            "talks": [_plain(asdict(t)) for t in corpus.ordered_talks()],
            "speakers": [_plain(asdict(s)) for s in sorted(corpus.speakers.values(), key=lambda s: s.id)],
            "topics": [{"id": t.id, "label": t.label, "description": t.description, "threshold": t.threshold}
                       for t in corpus.topics.values()]}


def _join(values) -> str:
    return "; ".join(str(v) for v in values)


def _talk_row(corpus: Corpus, talk: Talk) -> dict:
    return {"id": talk.id, "conference": talk.conference, "session": talk.session or "", "kind": talk.kind,
            "order": talk.order, "title": talk.title, "speakers": _join(talk.speakers),
            "speaker_names": _join(s.display_name for s in corpus.speakers_of(talk)), "topics": _join(talk.topics),
            "question": talk.question, "abstract": talk.abstract, "text": talk.text, "notes": talk.notes,
            "date": talk.date.isoformat() if talk.date else "", "start": talk.start, "duration": talk.duration,
            "room": talk.room, "language": talk.language, "subtitle": talk.subtitle, "type": talk.type,
            "event_id": talk.event_id, "event_guid": talk.event_guid, "source": talk.source.describe()}


def _speaker_row(speaker: Speaker) -> dict:
    return {"id": speaker.id, "name": speaker.name, "honorific": speaker.honorific,
            "aliases": _join(speaker.aliases), "organisations": _join(speaker.organisations),
            "countries": _join(speaker.countries), "topics": _join(speaker.topics), "bio": speaker.bio}


def _appearance_rows(speaker: Speaker) -> list[dict]:
    return [{"speaker": speaker.id, "conference": a.conference, "session": a.session or "",
             "listed_name": a.listed_name, "person_id": a.person_id, "role": a.role, "organisation": a.organisation,
             "organisations": _join(a.organisations), "country": a.country, "bio": a.bio,
             "source": a.source.describe()} for a in speaker.appearances]


def archive_tables(corpus: Corpus) -> dict[str, list[dict]]:
    """The archive as flat tables, one row per record (lists joined with '; ')."""
    speakers = sorted(corpus.speakers.values(), key=lambda s: s.id)
    return {
        "conferences": [{"id": c.id, "title": c.title, "name": c.name, "organiser": c.organiser,
                         "date": c.date.isoformat(), "place": c.place, "supporter": c.supporter}
                        for c in corpus.conferences.values()],
        "sessions": [{"id": s.id, "conference": s.conference, "number": s.number, "title": s.title,
                      "purpose": s.purpose} for s in corpus.ordered_sessions()],
        "talks": [_talk_row(corpus, t) for t in corpus.ordered_talks()],
        "speakers": [_speaker_row(s) for s in speakers],
        "appearances": [row for s in speakers for row in _appearance_rows(s)],
    }


def to_csv(rows: list[dict]) -> str:
    """CSV text with a header row; every field quoted where needed, line breaks kept inside fields."""
    return write_csv(rows, list(rows[0])) if rows else ""
