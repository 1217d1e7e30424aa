"""Import a conference programme from a pretalx or frab schedule export (JSON or XML) into corpus files."""

from __future__ import annotations

from pathlib import Path

from ..names import slugify
from .frab import read_schedule_xml
from .mapping import GROUPINGS, ImportOptions, ImportPlan, ImportRefused, plan_import
from .people import MERGE_MODES
from .pretalx import read_schedule_json
from .staging import commit_changes, recover
from .update import plan_update
from .schedule import Schedule, ScheduleError

__all__ = ["GROUPINGS", "MERGE_MODES", "ImportOptions", "ImportPlan", "ImportRefused", "Schedule", "ScheduleError",
           "apply_import", "default_conference_id", "plan_update", "recover", "plan_import", "read_schedule", "source_name"]


def read_schedule(raw: str) -> Schedule:
    """Parse an export, telling JSON from XML by its first character."""
    start = raw.lstrip("\ufeff \t\r\n")[:1]
    if start == "{":
        return read_schedule_json(raw)
    if start == "<":
        return read_schedule_xml(raw)
    raise ScheduleError("not a schedule export: expected schedule JSON ('{...') or schedule XML ('<schedule>...')")


def source_name(raw: str) -> str:
    """The file name the export is kept under in the conference folder, for provenance."""
    return "schedule.json" if raw.lstrip("\ufeff \t\r\n").startswith("{") else "schedule.xml"


def apply_import(plan: ImportPlan, root: Path) -> None:
    """Write the planned files into the corpus at root in one step: all of them, or none (see staging)."""
    commit_changes(root, plan.changes)


def default_conference_id(schedule: Schedule) -> str:
    """An id from the schedule's acronym (or title), with the year added when it lacks one: 'ogw23-2023'."""
    ident = slugify(schedule.acronym) or slugify(schedule.title)
    year = str(schedule.start.year) if schedule.start else ""
    return ident if not year or year in ident else f"{ident}-{year}"
