"""Read a schedule JSON export (pretalx, frab and the c3voc schema they share) into a Schedule."""

from __future__ import annotations

import json

from .schedule import (Event, Person, Schedule, ScheduleError, calendar_date, offset_of, parse_date,
                       restore_originals, text)

FORMAT = "schedule JSON"
MAX_NUMBER_DIGITS = 40
ORIGINALS = "confarchive_originals"  # what confarchive's export kept in conference.meta (archive/export.py)


def read_schedule_json(raw: str) -> Schedule:
    """Parse `schedule.json`: {schedule: {conference: {title, acronym, start, end, days: [...]}}}."""
    data = _load(raw)
    _check_not_widget(data)
    conference = _mapping(_mapping(data, "the file").get("schedule"), "schedule")
    conference = _mapping(conference.get("conference"), "schedule.conference")
    title = text(conference.get("title"))
    if not title:
        raise ScheduleError("schedule.conference: the conference has no title")
    schedule = Schedule(title=title, acronym=text(conference.get("acronym")), format=FORMAT,
                        start=parse_date(conference.get("start"), "schedule.conference.start"),
                        end=parse_date(conference.get("end"), "schedule.conference.end"),
                        time_zone=text(conference.get("time_zone_name")), url=text(conference.get("url")),
                        day_change=text(conference.get("day_change")))
    for index, day in enumerate(_list(conference.get("days"), "schedule.conference.days")):
        _read_day(schedule, _mapping(day, f"days[{index}]"), f"days[{index}]")
    meta = conference.get("meta")
    kept = meta.get(ORIGINALS) if isinstance(meta, dict) else None
    if isinstance(kept, dict):
        for event in schedule.events:
            restore_originals(event, kept.get(event.guid))
    return schedule


def _load(raw: str):
    """The parsed JSON; nesting too deep, or numbers too long for any schedule, are refused with a sentence."""
    try:
        return json.loads(raw, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise ScheduleError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ScheduleError("the JSON is nested too deeply to be a schedule export; it was refused") from None


def _number(text: str):
    if len(text) > MAX_NUMBER_DIGITS:
        raise ScheduleError(f"the JSON holds a number {len(text):,} characters long; schedule exports have none "
                            "that long, so it was refused")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str):
    raise ScheduleError(f"the JSON holds {name}, which is not valid JSON; it was refused")


def _check_not_widget(data) -> None:
    """pretalx's widget data (…/widgets/schedule.json) is not the schedule export: say which file to take."""
    if isinstance(data, dict) and "schedule" not in data and {"talks", "rooms"} <= set(data):
        raise ScheduleError("this is pretalx's widget data (widgets/schedule.json), not a schedule export: "
                            "download the event's schedule.json (…/schedule/export/schedule.json) or schedule.xml")


_TYPE_NAMES = {"NoneType": "null", "dict": "an object", "list": "a list", "str": "text", "int": "a number",
               "float": "a number", "bool": "true or false"}


def _type_name(value) -> str:
    return _TYPE_NAMES.get(type(value).__name__, type(value).__name__)


def _mapping(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise ScheduleError(f"{where}: expected an object with named fields, found {_type_name(value)}")
    return value


def _list(value, where: str) -> list:
    if not isinstance(value, list):
        raise ScheduleError(f"{where}: expected a list, found {_type_name(value)}")
    return value


def _read_day(schedule: Schedule, day: dict, where: str) -> None:
    day_date = parse_date(day.get("date"), f"{where}.date")
    for room, events in _mapping(day.get("rooms") or {}, f"{where}.rooms").items():
        for index, raw in enumerate(_list(events, f"{where}.rooms[{room!r}]")):
            place = f"{where}.rooms[{room!r}][{index}]"
            event = _read_event(raw, place, len(schedule.events) + len(schedule.skipped), room, day_date,
                                schedule.day_change)
            if isinstance(event, Event):
                schedule.events.append(event)
            else:
                schedule.skipped.append(event)


def _read_event(raw, where: str, position: int, room: str, day_date, day_change: str = "") -> Event | str:
    """An Event, or a sentence saying why this entry was skipped."""
    if not isinstance(raw, dict):
        return f"{where}: not an event object; skipped"
    ident = text(raw.get("id")) or text(raw.get("guid")) or str(position + 1)
    title = text(raw.get("title"))
    if not title:
        return f"{where}: event {ident} has no title; skipped"
    start = text(raw.get("start"))
    return Event(ident=ident, title=title, position=position, guid=text(raw.get("guid")),
                 date=parse_date(raw.get("date"), f"{where}.date")
                 or calendar_date(day_date, start.split("T")[-1][:5] if start else "", day_change),
                 start=start.split("T")[-1][:5] if start else "", duration=text(raw.get("duration")),
                 room=text(raw.get("room")) or room, offset=offset_of(raw.get("date")),
                 language=text(raw.get("language")), track=text(raw.get("track")), type=text(raw.get("type")),
                 subtitle=text(raw.get("subtitle")), abstract=text(raw.get("abstract")),
                 description=text(raw.get("description")), url=text(raw.get("url")),
                 persons=_read_persons(raw.get("persons"), where))


def _read_persons(items, where: str) -> list[Person]:
    persons = []
    for index, item in enumerate(_list(items or [], f"{where}.persons")):
        item = _mapping(item, f"{where}.persons[{index}]")
        name = text(item.get("public_name")) or text(item.get("name")) or text(item.get("full_public_name"))
        if not name:
            raise ScheduleError(f"{where}.persons[{index}]: a person without a name")
        key = text(item.get("code")) or text(item.get("id")) or text(item.get("guid"))
        persons.append(Person(name=name, key=key, biography=text(item.get("biography"))))
    return persons
