"""Export the archive: one conference as schedule JSON (the pretalx/frab/c3voc format), or everything as JSON or CSV.

The archive keeps no times or rooms, so the schedule export puts every event at the conference's
start time in one room named after the venue, in programme order; each session becomes a track
(talks outside the sessions have none), so importing the export again rebuilds the same sessions.
Not carried by the schedule format: panel questions, bylines, notes, topic overrides, aliases,
and roles and organisations of speakers. The whole-archive exports carry everything.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date

from .corpus import Corpus
from .csvsafe import write_csv
from .records import Conference, Speaker, Talk

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://confarchive/")
TYPE_NAMES = {"talk": "Talk", "panel": "Panel", "qa": "Q&A"}


class ExportError(ValueError):
    """The export cannot be made; the message says why."""


def _guid(kind: str, ident: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}/{ident}"))


def export_schedule(corpus: Corpus, conference_id: str, base_url: str = "") -> dict:
    """One conference as a schedule JSON document (c3voc schema, as pretalx and frab publish it)."""
    conference = corpus.conferences.get(conference_id)
    if conference is None:
        known = ", ".join(sorted(corpus.conferences)) or "none"
        raise ExportError(f"unknown conference '{conference_id}' (known: {known})")
    room = conference.venue or "Main room"
    talks = [t for t in corpus.ordered_talks() if t.conference == conference_id]
    people = _person_numbers(talks)
    events = [_event(corpus, conference, talk, number, room, base_url, people) for number, talk in enumerate(talks, 1)]
    return {"$schema": SCHEMA_URL, "generator": {"name": "confarchive", "version": "1"},
            "schedule": {"version": "1", "base_url": base_url or "/", "conference": _conference(conference, room, events)}}


def _start(conference: Conference) -> str:
    return conference.start_time or "00:00"


def _conference(conference: Conference, room: str, events: list[dict]) -> dict:
    day = conference.date.isoformat()
    end = conference.end_time or "23:59"
    return {"acronym": conference.id, "title": conference.title, "start": day, "end": day, "daysCount": 1,
            "timeslot_duration": "00:05", "time_zone_name": conference.timezone or "UTC",
            "rooms": [{"name": room, "guid": _guid("room", f"{conference.id}/{room}")}],
            "days": [{"index": 1, "date": day, "day_start": f"{day}T{_start(conference)}:00",
                      "day_end": f"{day}T{end}:00", "rooms": {room: events}}]}


def _person_numbers(talks: list[Talk]) -> dict[str, int]:
    ids = dict.fromkeys(s for t in talks for s in t.speakers)
    return {ident: number for number, ident in enumerate(ids, 1)}


def _event(corpus: Corpus, conference: Conference, talk: Talk, number: int, room: str, base_url: str,
           people: dict) -> dict:
    session = corpus.session_of(talk)
    return {"id": number, "guid": _guid("talk", talk.id), "date": f"{conference.date.isoformat()}T{_start(conference)}:00",
            "start": _start(conference), "duration": "00:00", "room": room, "slug": talk.id,
            "url": f"{base_url.rstrip('/')}/talks/{talk.id}", "title": talk.title, "subtitle": "",
            "track": session.title if session else None, "type": TYPE_NAMES[talk.kind], "language": "en",
            "abstract": talk.abstract, "description": talk.text, "recording_license": "", "do_not_record": False,
            "persons": [_person(corpus, s, talk, people) for s in corpus.speakers_of(talk)],
            "links": [], "attachments": []}


def _person(corpus: Corpus, speaker: Speaker, talk: Talk, people: dict) -> dict:
    appearance = corpus.appearance_for(speaker, talk)
    bio = speaker.bio_for(appearance) if appearance else speaker.bio
    return {"id": people[speaker.id], "guid": _guid("speaker", speaker.id),
            "name": speaker.name, "public_name": speaker.name, "biography": bio}


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
            "source": talk.source.describe()}


def _speaker_row(speaker: Speaker) -> dict:
    return {"id": speaker.id, "name": speaker.name, "honorific": speaker.honorific,
            "aliases": _join(speaker.aliases), "organisations": _join(speaker.organisations),
            "countries": _join(speaker.countries), "topics": _join(speaker.topics), "bio": speaker.bio}


def _appearance_rows(speaker: Speaker) -> list[dict]:
    return [{"speaker": speaker.id, "conference": a.conference, "session": a.session or "",
             "listed_name": a.listed_name, "role": a.role, "organisation": a.organisation,
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
