"""A conference programme as read from a schedule export, before it becomes corpus records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class ScheduleError(ValueError):
    """The export cannot be read; the message says where and what is wrong."""


@dataclass
class Person:
    """One person listed on an event: `key` is the export's own id (pretalx code, frab id or guid)."""

    name: str
    key: str = ""
    biography: str = ""


@dataclass
class Event:
    """One scheduled event; `position` is its place in the export, to keep the order of equal times."""

    ident: str
    title: str
    position: int
    guid: str = ""
    date: dt.date | None = None
    start: str = ""
    duration: str = ""
    room: str = ""
    language: str = ""
    offset: str = ""  # the UTC offset of the event's date-time ('+01:00'), when it has one
    track: str = ""
    type: str = ""
    subtitle: str = ""
    abstract: str = ""
    description: str = ""
    url: str = ""
    persons: list[Person] = field(default_factory=list)
    kind: str = ""  # the archive's kind (talk, panel, qa), when an archive export gives it

    @property
    def label(self) -> str:
        return f'event {self.ident} "{self.title}"'

    @property
    def slot(self) -> str:
        """When and where, for the record's source: 'event 25, Gray Room, 2020-12-14 09:00 (00:30)'."""
        when = " ".join(p for p in (self.date.isoformat() if self.date else "", self.start) if p)
        parts = [f"event {self.ident}", self.room, when + (f" ({self.duration})" if self.duration else "")]
        return ", ".join(p for p in parts if p.strip())

    def sort_key(self) -> tuple:
        return (self.date or dt.date.min, self.start.zfill(5), self.position)


@dataclass
class Schedule:
    """The conference and its events, in the order they were listed."""

    title: str
    acronym: str
    format: str
    start: dt.date | None = None
    end: dt.date | None = None
    time_zone: str = ""
    url: str = ""
    day_change: str = ""  # frab: when a programme day ends, e.g. "04:00" (events before it are past midnight)
    events: list[Event] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def ordered_events(self) -> list[Event]:
        return sorted(self.events, key=Event.sort_key)


def parse_date(value, where: str) -> dt.date | None:
    """A date from '2024-05-02' or '2024-05-02T09:00:00+02:00'; ScheduleError when it is neither."""
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ScheduleError(f"{where}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def calendar_date(day: dt.date | None, start: str, day_change: str) -> dt.date | None:
    """The calendar date of an event listed under a programme day: the next day when it starts after
    midnight but before the schedule's day_change (frab), else the day itself."""
    change = day_change.split("T")[-1][:5]
    if day and start and change and start.zfill(5) < change.zfill(5):
        return day + dt.timedelta(days=1)
    return day


def offset_of(value) -> str:
    """'+01:00' from '2014-12-27T11:00:00+01:00' ('Z' is '+00:00'); '' when the value has no offset."""
    value = text(value)
    if value.endswith("Z") and "T" in value:
        return "+00:00"
    tail = value[-6:]
    return tail if "T" in value and len(tail) == 6 and tail[0] in "+-" and tail[3] == ":" else ""


def text(value) -> str:
    """A text field of the export as a stripped string ('' for null or missing)."""
    return "" if value is None or isinstance(value, bool) else str(value).strip()


_RESTORED = (("guid", "guid"), ("id", "ident"), ("duration", "duration"), ("room", "room"), ("type", "type"),
             ("kind", "kind"))


def restore_originals(event: Event, kept) -> None:
    """Put back what an archive export had to replace to fit the schemas (archive/schedule_model.py):
    the talk's own guid, id, duration, room, type and kind, and its persons' codes and biographies."""
    if not isinstance(kept, dict):
        return
    for key, attribute in _RESTORED:
        if isinstance(kept.get(key), str) and (kept[key] or key != "id"):
            setattr(event, attribute, kept[key].strip())
    persons = kept.get("persons")
    if isinstance(persons, list) and len(persons) == len(event.persons):
        for person, extra in zip(event.persons, persons):
            if isinstance(extra, dict):
                person.key = text(extra.get("code")) or person.key
                person.biography = text(extra.get("biography")) or person.biography
