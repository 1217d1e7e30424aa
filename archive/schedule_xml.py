"""One conference as frab `schedule.xml`, valid against the c3voc XSD (`confarchive import` reads it back).

The XSD gives persons only an integer id or a UUID, and no biography. What it cannot hold (pretalx
person codes, biographies, and the talk's own values that `EventOut.originals` lists) goes into one
`<?confarchive {...}?>` processing instruction in the event: XSD validation and other readers ignore it,
and `confarchive import` reads it back.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from .corpus import Corpus
from .schedule_model import UUID, EventOut, build_schedule, day_bounds, guid

PI_TARGET = "confarchive"
_SLUG = re.compile(r"^[a-z0-9_]{4,}-[a-z0-9\-_]{4,}$")  # the XSD's voc-slug-new; the slug is optional


def export_schedule_xml(corpus: Corpus, conference_id: str, base_url: str = "") -> str:
    """The conference as schedule.xml text."""
    out = build_schedule(corpus, conference_id)
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name="confarchive", version="1")
    _text(root, "version", "1")
    _conference(root, out, base_url)
    for index, (day, rooms) in enumerate(out.days.items(), 1):
        start, end = day_bounds([e for events in rooms.values() for e in events], day)
        element = ET.SubElement(root, "day", index=str(index), date=day.isoformat(), start=start, end=end)
        for room, events in rooms.items():
            room_element = ET.SubElement(element, "room", name=room, guid=guid("room", f"{out.conference.id}/{room}"))
            for event in events:
                _event(room_element, event, base_url)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _text(parent: ET.Element, tag: str, value) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = "" if value is None else str(value)
    return element


def _conference(root: ET.Element, out, base_url: str) -> None:
    conference = ET.SubElement(root, "conference")
    _text(conference, "acronym", out.acronym)
    _text(conference, "title", out.conference.title)
    _text(conference, "start", min(out.days, default=out.conference.date).isoformat())
    _text(conference, "end", max(out.days, default=out.conference.date).isoformat())
    _text(conference, "days", len(out.days))
    _text(conference, "timeslot_duration", "00:05")
    if base_url.startswith(("http://", "https://")):
        _text(conference, "base_url", base_url.rstrip("/") + "/")
    if out.conference.timezone:
        _text(conference, "time_zone_name", out.conference.timezone)


def person_keys(person_id: str) -> dict:
    """The schedule's own id of the person, as an integer id or a guid; nothing invented."""
    if person_id.isdigit():
        return {"id": person_id}
    return {"guid": person_id} if UUID.match(person_id) else {}


def _event(parent: ET.Element, event: EventOut, base_url: str) -> None:
    talk = event.talk
    element = ET.SubElement(parent, "event", id=str(event.number), guid=event.guid)
    for tag, value in (("date", event.date_time), ("start", event.start), ("duration", event.duration),
                       ("room", event.room), ("title", talk.title), ("subtitle", talk.subtitle),
                       ("track", event.track or ""), ("type", event.type), ("language", talk.language),
                       ("abstract", talk.abstract), ("description", event.description or "")):
        _text(element, tag, value)
    if _SLUG.match(talk.id):
        _text(element, "slug", talk.id)
    if base_url.startswith(("http://", "https://")):
        _text(element, "url", f"{base_url.rstrip('/')}/talks/{talk.id}")
    persons = ET.SubElement(element, "persons")
    for person in event.persons:
        ET.SubElement(persons, "person", **person_keys(person.person_id)).text = person.name
    ET.SubElement(element, "links")
    kept = event.originals(persons=True)
    if kept:  # '>' escaped so that no '?>' can end the instruction early
        element.append(ET.PI(PI_TARGET, json.dumps(kept, ensure_ascii=False).replace(">", "\\u003e")))
