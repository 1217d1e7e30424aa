"""Read a frab/pretalx schedule XML export (<schedule><conference/><day><room><event>) into a Schedule."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from .schedule import (Event, Person, Schedule, ScheduleError, calendar_date, offset_of, parse_date,
                       restore_originals, text)

FORMAT = "schedule XML"
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def read_schedule_xml(raw: str) -> Schedule:
    """Parse `schedule.xml`: <schedule><conference/><day date><room name><event id guid>...</schedule>."""
    root = _parse_root(raw)
    conference = root.find("conference")
    if conference is None or not _child(conference, "title"):
        raise ScheduleError("<schedule> has no <conference> with a <title>")
    schedule = Schedule(title=_child(conference, "title"), acronym=_child(conference, "acronym"), format=FORMAT,
                        start=parse_date(_child(conference, "start"), "<conference><start>"),
                        end=parse_date(_child(conference, "end"), "<conference><end>"),
                        time_zone=_child(conference, "time_zone_name"), url=_child(root, "url"),
                        day_change=_child(conference, "day_change"))
    for day_index, day in enumerate(root.findall("day"), 1):
        _read_day(schedule, day, day_index)
    return schedule


def _parse_root(raw: str) -> ET.Element:
    """The <schedule> element; documents with a DTD or entities are refused (they can expand without bound)."""
    if _DTD.search(raw):
        raise ScheduleError("the XML declares a DOCTYPE or entities; schedule exports have none, so it was refused")
    try:
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_pis=True))  # keep <?confarchive ...?>
        parser.feed(raw)
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        raise ScheduleError(f"not well-formed XML: {_reason(exc)} (line {line}, column {column + 1})") from None
    if root.tag != "schedule":
        raise ScheduleError(f"the root element is <{root.tag}>, expected <schedule>")
    return root


def _reason(exc: ET.ParseError) -> str:
    return str(exc).split(":")[0]


def _child(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return text(found.text) if found is not None else ""


def _read_day(schedule: Schedule, day: ET.Element, day_index: int) -> None:
    day_date = parse_date(day.get("date"), f"<day index={day_index}> date")
    for room in day.findall("room"):
        for event in room.findall("event"):
            position = len(schedule.events) + len(schedule.skipped)
            read = _read_event(event, position, room.get("name", ""), day_date, schedule.day_change)
            (schedule.events if isinstance(read, Event) else schedule.skipped).append(read)


def _read_event(event: ET.Element, position: int, room: str, day_date, day_change: str = "") -> Event | str:
    """An Event, or a sentence saying why this one was skipped."""
    ident = event.get("id") or event.get("guid") or str(position + 1)
    title = _child(event, "title")
    if not title:
        return f"<event id={ident}>: no <title>; skipped"
    start = _child(event, "start")[:5]
    read = Event(ident=ident, title=title, position=position, guid=event.get("guid", ""),
                 date=parse_date(_child(event, "date"), f"<event id={ident}><date>")
                 or calendar_date(day_date, start, day_change),
                 start=start, duration=_child(event, "duration")[:5],
                 room=_child(event, "room") or room, offset=offset_of(_child(event, "date")),
                 language=_child(event, "language"), track=_child(event, "track"), type=_child(event, "type"),
                 subtitle=_child(event, "subtitle"), abstract=_child(event, "abstract"),
                 description=_child(event, "description"), url=_child(event, "url"),
                 persons=_read_persons(event))
    restore_originals(read, _originals(event))
    return read


def _originals(event: ET.Element):
    """What confarchive's export kept in a <?confarchive {...}?> instruction (archive/schedule_xml.py), or None."""
    for child in event:
        if child.tag is ET.PI and (child.text or "").startswith("confarchive "):
            try:
                return json.loads(child.text.split(" ", 1)[1])
            except (ValueError, RecursionError):
                return None
    return None


def _read_persons(event: ET.Element) -> list[Person]:
    """<persons><person id>Name</person></persons>, or flat <person>A, B</person> lines (names only)."""
    persons = []
    for person in event.findall("persons/person"):
        name = text(person.text)
        if name:
            key = person.get("id") or person.get("guid") or ""
            persons.append(Person(name=name, key=key))
    for flat in event.findall("person"):
        persons += [Person(name=name) for name in _split_names(text(flat.text))]
    return persons


def _split_names(value: str) -> list[str]:
    """'Dr. A B, C D and E' as three names."""
    names = re.split(r"\s*(?:,|;|\band\b|\bund\b|&)\s*", value)
    return [name.strip() for name in names if name.strip()]
