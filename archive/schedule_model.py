"""One conference as a schedule (days, rooms, events, persons), shared by the JSON and the XML writers.

Values are shaped for the c3voc schemas both formats follow: UUID guids, positive integer ids,
times with their UTC offset. Both schemas require a start time for every event, so a talk without
one is left out of the timetable (`untimed`; the CLI says which). What the schemas cannot hold as the
talk has it (a guid that is not a UUID, an id that is not a unique integer, no duration, room or
type) is written as a UUID, number, 00:00, the venue or the kind, and the original is kept beside it (`originals`) so that
importing the export gives the talk back unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .citations import PLACEHOLDER_SUMMARY
from .corpus import Corpus
from .records import Conference, Talk

GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://confarchive/")
TYPE_NAMES = {"talk": "Talk", "panel": "Panel", "qa": "Q&A"}
UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2}):(\d{2})$")
ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)$|^UTC$")  # what the c3voc JSON schema accepts


class ExportError(ValueError):
    """The export cannot be made; the message says why."""


def guid(kind: str, ident: str) -> str:
    """A stable UUID for a record that has none from a schedule."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}/{ident}"))


def event_guid(talk: Talk, taken: set) -> str:
    """The talk's schedule guid when it is a UUID; else a UUID derived from that guid (uuid5), or from the talk id."""
    if UUID.match(talk.event_guid) and talk.event_guid not in taken:
        return talk.event_guid
    derived = guid("event-guid", talk.event_guid) if talk.event_guid else guid("talk", talk.id)
    return derived if derived not in taken else guid("talk", talk.id)


@dataclass
class PersonOut:
    name: str
    guid: str
    person_id: str
    biography: str


@dataclass
class EventOut:
    number: int
    guid: str
    talk: Talk
    day: dt.date
    start: str
    duration: str
    room: str
    offset: str
    track: str | None
    type: str
    description: str | None
    persons: list[PersonOut]

    def originals(self, persons: bool = False) -> dict:
        """The talk's own values the export had to replace to fit the schemas; persons' codes and
        biographies too when the format has no place for them (the XML)."""
        talk, kept = self.talk, {}
        if self.guid != talk.event_guid:
            kept["guid"] = talk.event_guid
        if str(self.number) != talk.event_id:
            kept["id"] = talk.event_id
        for name in ("duration", "room", "type"):
            if getattr(self, name) != getattr(talk, name):
                kept[name] = getattr(talk, name)
        if "type" in kept:  # the type written was the kind's name; without it the kind must come along
            kept["kind"] = talk.kind
        if persons and any(p.biography or not _fits_xml(p.person_id) for p in self.persons):
            kept["persons"] = [{"code": p.person_id, "biography": p.biography} for p in self.persons]
        return kept

    @property
    def date_time(self) -> str:
        return f"{self.day.isoformat()}T{self.start}:00{self.offset}"

    @property
    def end_minutes(self) -> int:
        return _minutes(self.start) + _minutes(self.duration)


@dataclass
class ScheduleOut:
    conference: Conference
    acronym: str
    zone_name: str
    days: dict = field(default_factory=dict)  # date -> {room: [EventOut]}
    rooms: list[str] = field(default_factory=list)
    untimed: list[Talk] = field(default_factory=list)  # talks left out: the formats need a start time

    @property
    def events(self) -> list[EventOut]:
        return [e for rooms in self.days.values() for events in rooms.values() for e in events]


def _fits_xml(person_id: str) -> bool:
    """The XSD's person keys: an integer id or a UUID."""
    return not person_id or person_id.isdigit() or bool(UUID.match(person_id))


def _minutes(clock: str) -> int:
    hours, _, minutes = clock.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def utc_offset(timezone: str, day: dt.date, start: str) -> str:
    """'+01:00' for a zone name or an offset at that moment; '+00:00' when the zone is unknown."""
    match = OFFSET.match(timezone.strip())
    if match:
        return f"{match.group(1)}{int(match.group(2)):02d}:{match.group(3)}"
    try:
        zone = ZoneInfo(timezone.strip()) if timezone.strip() else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        return "+00:00"
    moment = dt.datetime.combine(day, dt.time(*divmod(_minutes(start) % 1440, 60)), tzinfo=zone)
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def build_schedule(corpus: Corpus, conference_id: str) -> ScheduleOut:
    """The conference's talks as events, by day and room, in programme order."""
    conference = corpus.conferences.get(conference_id)
    if conference is None:
        known = ", ".join(sorted(corpus.conferences)) or "none"
        raise ExportError(f"unknown conference '{conference_id}' (known: {known})")
    talks = [t for t in corpus.ordered_talks() if t.conference == conference_id]
    out = ScheduleOut(conference, conference.id.replace("-", "_"),
                      conference.timezone if ZONE_NAME.match(conference.timezone or "") else "",
                      untimed=[t for t in talks if not t.start])
    timed = [t for t in talks if t.start]
    if not timed:
        raise ExportError(f"no talk of '{conference_id}' has a start time, and both schedule formats require one "
                          "for every event: add `start` (and `duration`) to its talks, or use `confarchive export "
                          "archive`, which needs none")
    numbers, guids = _event_numbers(timed), set()
    for talk in sorted(timed, key=lambda t: (t.date or conference.date, t.start)):
        event = _event(corpus, conference, talk, numbers[talk.id], guids)
        out.days.setdefault(event.day, {}).setdefault(event.room, []).append(event)
        if event.room not in out.rooms:
            out.rooms.append(event.room)
    out.days = dict(sorted(out.days.items()))
    return out


def _event_numbers(talks: list[Talk]) -> dict[str, int]:
    """The schedule's own integer ids where they are unique, else numbers after the highest."""
    ids = Counter(t.event_id for t in talks if t.event_id.isdigit() and int(t.event_id) > 0)
    unique = {i for i, count in ids.items() if count == 1}
    numbers, next_number = {}, max((int(i) for i in ids), default=0) + 1
    for talk in talks:
        if talk.event_id in unique:
            numbers[talk.id] = int(talk.event_id)
            unique.discard(talk.event_id)
        else:
            numbers[talk.id], next_number = next_number, next_number + 1
    return numbers


def _event(corpus: Corpus, conference: Conference, talk: Talk, number: int, guids: set) -> EventOut:
    session = corpus.session_of(talk)
    day, start = talk.date or conference.date, talk.start
    chosen = event_guid(talk, guids)
    guids.add(chosen)
    return EventOut(number=number, guid=chosen,
                    talk=talk, day=day, start=start, duration=talk.duration or "00:00",
                    room=talk.room or conference.venue or "Main room",
                    offset=utc_offset(conference.timezone, day, start), track=session.title if session else None,
                    type=talk.type or TYPE_NAMES[talk.kind],
                    description=None if talk.text.strip() == PLACEHOLDER_SUMMARY else talk.text,
                    persons=[_person(corpus, s, talk) for s in corpus.speakers_of(talk)])


def _person(corpus: Corpus, speaker, talk: Talk) -> PersonOut:
    appearance = corpus.appearance_for(speaker, talk)
    bio = speaker.bio_for(appearance) if appearance else speaker.bio
    return PersonOut(name=speaker.name, guid=guid("speaker", speaker.id),
                     person_id=appearance.person_id if appearance else "", biography=bio)


def day_bounds(events: list[EventOut], day: dt.date) -> tuple[str, str]:
    """The day's first start and last end as date-times with their offsets."""
    first = min(events, key=lambda e: _minutes(e.start))
    last = max(events, key=lambda e: e.end_minutes)
    end_day = day + dt.timedelta(days=last.end_minutes // 1440)
    hours, minutes = divmod(last.end_minutes % 1440, 60)
    return first.date_time, f"{end_day.isoformat()}T{hours:02d}:{minutes:02d}:00{last.offset}"
