"""What the last import of a conference wrote, kept beside it so that a re-import can tell the
librarian's edits from the schedule's changes (a three-way comparison)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .schedule import Event

STATE_FILE = "import-state.json"
SCHEDULE_KEYS = ("start", "duration", "room", "language", "subtitle", "type", "event_id", "event_guid")
TRACKED = ("title", "kind", "date", "speakers", "byline", "abstract", *SCHEDULE_KEYS)


def event_key(event: Event) -> str:
    """An event's identity across versions of one schedule: its guid, else its id and room (breaks reuse ids)."""
    return f"guid:{event.guid}" if event.guid else f"id:{event.ident}@{event.room}"


def comparable(fields: dict) -> dict:
    """Tracked fields as JSON values, so that front matter, a plan and the stored state compare equal."""
    return {key: _plain(fields.get(key)) for key in TRACKED}


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return None if value in ("", None) else value


def state_text(state: dict) -> str:
    return json.dumps({"format": 1, "events": state}, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def read_state(folder: Path) -> dict | None:
    """The stored state of the conference's last import, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("events") if isinstance(data, dict) and isinstance(data.get("events"), dict) else None
