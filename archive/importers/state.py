"""What the last import of a conference wrote, kept beside it so that a re-import can tell the
librarian's edits from the schedule's changes (a three-way comparison): each event's talk fields and
summary, the conference's fields, and each person's biography in the schedule.

A field missing from the stored state (written by an older version) counts as unknown: when the
archive and the new export differ on it, the archive's value is kept and reported, never overwritten."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .schedule import Event

STATE_FILE = "import-state.json"
SCHEDULE_KEYS = ("start", "duration", "room", "language", "subtitle", "type", "event_id", "event_guid")
TRACKED = ("title", "kind", "date", "speakers", "byline", "abstract", *SCHEDULE_KEYS, "session", "order")
CONFERENCE_TRACKED = ("title", "name", "date", "timezone")


def event_key(event: Event) -> str:
    """An event's identity across versions of one schedule: its guid, else its id and room (breaks reuse ids)."""
    return f"guid:{event.guid}" if event.guid else f"id:{event.ident}@{event.room}"


def comparable(fields: dict, keys: tuple = TRACKED) -> dict:
    """Tracked fields as JSON values, so that front matter, a plan and the stored state compare equal."""
    return {key: _plain(fields.get(key)) for key in keys}


def plain_bio(text: str | None) -> str:
    """A biography as compared and stored: plain line ends, no surrounding space."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return None if value in ("", None) else value


def state_text(events: dict, conference: dict | None = None, persons: dict | None = None, group_by: str = "") -> str:
    """The state file: events by key, the conference's tracked fields, persons' biographies by speaker id, and
    how events were grouped into sessions (an update groups them the same way)."""
    data = {"format": 1, "events": events, "conference": conference or {}, "persons": persons or {},
            "group_by": group_by or None}
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def read_state(folder: Path) -> dict | None:
    """The stored state of the conference's last import ({events, conference, persons, group_by}), or None when
    there is none (or it is unreadable)."""
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("events"), dict):
        return None
    parts = {key: data.get(key) if isinstance(data.get(key), dict) else {} for key in ("conference", "persons")}
    group_by = data.get("group_by") if isinstance(data.get("group_by"), str) else ""
    return {"events": data["events"], **parts, "group_by": group_by}
