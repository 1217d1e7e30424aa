"""A re-import's three-way update of the conference's own fields (title, name, date, time zone)."""

from __future__ import annotations

from ..corpus import Corpus
from ..frontmatter import parse
from ..writer import Change, read_text, update_text
from .mapping import ImportPlan, conference_fields
from .schedule import Schedule
from .state import CONFERENCE_TRACKED, comparable
from .three_way import merge_fields


def conference_update(corpus: Corpus, ident: str, schedule: Schedule, base: dict, plan: ImportPlan) -> list[Change]:
    """The change to conference.md, if the schedule changed a field the librarian left alone; reported either way."""
    path = corpus.root.parent / corpus.conferences[ident].path
    old = read_text(path)
    fields = conference_fields(schedule)
    theirs = plan.conference_state = comparable(fields, CONFERENCE_TRACKED)
    names = merge_fields(f"{ident} (the conference)", CONFERENCE_TRACKED, base, comparable(parse(old).meta,
                         CONFERENCE_TRACKED), theirs, plan.report)
    return [Change(path, update_text(old, {name: fields[name] for name in names}), expected=old)] if names else []
