"""Re-import a newer export of a conference already in the archive: a three-way update.

For each event the last import's values (the stored state), the talk file now (the librarian's) and
the new export (the schedule's) are compared field by field (three_way.py): a field only the schedule
changed is updated; a field only the librarian changed is kept; a field both changed differently is
kept as the librarian left it and reported. The fields include the talk's session (a move to another
track, or room and day with --sessions room) and its order in the session. The conference's fields
(update_conference.py) and the persons' biographies (update_speakers.py) follow the same rule. New events
become talks; events gone from the export are reported, and their talks kept.
"""

from __future__ import annotations

from dataclasses import replace

from ..corpus import Corpus
from ..frontmatter import parse
from ..writer import Change, read_text, update_text
from .mapping import (GROUPINGS, ImportOptions, ImportPlan, ImportRefused, SessionGroup, _check_new_files, _room_title,
                      _session_change, _speaker_changes, _talk_change, talk_content)
from ..names import name_key
from .people import ImportedSpeaker, PeopleMatcher
from .schedule import Event, Schedule
from .state import STATE_FILE, TRACKED, comparable, event_key, read_state, state_text
from .three_way import merge_fields, three_way
from .update_speakers import bio_updates, session_moves
from .update_conference import conference_update


def plan_update(schedule: Schedule, corpus: Corpus, raw: str, options: ImportOptions) -> ImportPlan:
    """Plan the update of conference options.conference_id from a newer export; ImportRefused when impossible."""
    ident = options.conference_id
    folder = corpus.root / "conferences" / ident
    if ident not in corpus.conferences:
        raise ImportRefused(f"conference '{ident}' is not in the archive; import it without --update first")
    state = read_state(folder)
    if state is None:
        raise ImportRefused(f"conference '{ident}' has no {STATE_FILE} (it was not imported, or before this "
                            "version): nothing to compare the new export with")
    if state["group_by"] in GROUPINGS:  # the sessions are the first import's: track or day-and-room
        options = replace(options, group_by=state["group_by"])
    plan = ImportPlan(ident, unmapped=list(schedule.skipped), is_update=True)
    people = _known_people(corpus, ident, options)
    sessions = _Sessions(corpus, ident, folder, schedule, options, plan)
    orders, new_state, seen = _orders(schedule, sessions, _kept_places(corpus, ident, schedule, state["events"])), {}, set()
    for event in schedule.ordered_events():
        key, group = event_key(event), sessions.group_for(event)
        seen.add(key)
        last = state["events"].get(key)
        if last and last["id"] in corpus.talks:
            new_state[key] = _update_talk(corpus, plan, event, group, orders[key], last, people)
        else:
            group.events.append(event)
            plan.changes.append(_talk_change(folder, corpus, plan, event, group, orders[key], people, options))
            new_state[key] = plan.state[key]
            plan.report.append(f"new: {new_state[key]['id']} ({event.label})")
    _report_removed(plan, state["events"], seen, corpus)
    plan.changes += conference_update(corpus, ident, schedule, state["conference"], plan) + sessions.changes
    plan.changes += _speaker_changes(corpus, people, plan, options, bio_updates(ident, people, state["persons"], plan),
                                     session_moves(corpus, ident, plan))
    plan.changes += _replaced(folder / options.source_name, raw)
    plan.changes += _replaced(folder / STATE_FILE, state_text(new_state, plan.conference_state, plan.person_state,
                                                                   options.group_by))
    plan.todo += people.notes
    plan.merged += list(dict.fromkeys(people.merged))
    plan.declined += people.declined
    _check_new_files(plan)
    return plan


def _known_people(corpus: Corpus, ident: str, options: ImportOptions) -> PeopleMatcher:
    """A matcher that knows this conference's speakers by their schedule ids and listed names already."""
    people = PeopleMatcher(corpus, options.merge, options.confirm)
    for speaker in corpus.speakers.values():
        for appearance in speaker.appearances:
            if appearance.conference != ident:
                continue
            people.people.setdefault(speaker.id, ImportedSpeaker(speaker.id, speaker.name, existing=speaker))
            if appearance.person_id:
                people.by_export_key.setdefault(appearance.person_id, speaker.id)
            people.by_name.setdefault(name_key(appearance.listed_name), (speaker.id, appearance.person_id))
    return people


class _Sessions:
    """The conference's sessions by title; a track (or room) the archive does not know yet becomes a new one."""

    def __init__(self, corpus, ident, folder, schedule, options, plan):
        self.options, self.folder, self.schedule, self.plan = options, folder, schedule, plan
        self.by_title = {s.title: SessionGroup(s.id, s.title, []) for s in corpus.sessions.values()
                         if s.conference == ident}
        self.numbers = [s.number for s in corpus.sessions.values() if s.conference == ident]
        self.loose = SessionGroup(None, "", [])
        self.changes: list[Change] = []

    def group_for(self, event: Event) -> SessionGroup:
        title = event.track if self.options.group_by == "track" else _room_title(event)
        if not title:
            return self.loose
        if title not in self.by_title:
            number = max(self.numbers, default=0) + 1
            self.numbers.append(number)
            group = self.by_title[title] = SessionGroup(f"{self.options.conference_id}-s{number}", title, [])
            self.changes.append(_session_change(self.folder, group, self.schedule, self.options))
            self.plan.report.append(f"new session: {group.id} ({title})")
        return self.by_title[title]


def _kept_places(corpus: Corpus, ident: str, schedule: Schedule, last: dict) -> set:
    """(session, order) of the conference's talks no event of the export updates (their events were removed,
    or a librarian added them): they stay, and keep their place."""
    matched = {last[key]["id"] for key in (event_key(event) for event in schedule.events) if key in last}
    return {(t.session, t.order) for t in corpus.talks.values() if t.conference == ident and t.id not in matched}


def _orders(schedule: Schedule, sessions: "_Sessions", taken: set) -> dict[str, int]:
    """Each event's place in its session as the new export orders them, numbered as a fresh import would
    but for the places of kept talks (so that a removed event moves nobody)."""
    counts: dict = {}
    orders = {}
    for event in schedule.ordered_events():
        group = sessions.group_for(event)
        number = counts.get(group.id, 0) + 1
        while (group.id, number) in taken:
            number += 1
        orders[event_key(event)] = counts[group.id] = number
    return orders


def _update_talk(corpus: Corpus, plan: ImportPlan, event: Event, group: SessionGroup, order: int, last: dict,
                 people: PeopleMatcher) -> dict:
    """Three-way merge of one talk; returns the state to store for it (what the schedule says now)."""
    talk = corpus.talks[last["id"]]
    path = corpus.root.parent / talk.path
    old = read_text(path)
    doc = parse(old)
    fields, body = talk_content(event, group.id, plan, people)
    fields["order"] = order
    theirs = comparable(fields)
    updated = merge_fields(talk.id, TRACKED, last["fields"], comparable(doc.meta), theirs, plan.report)
    changes = {name: fields[name] for name in updated}
    if "session" in changes:
        plan.moves[talk.id] = (talk.session, changes["session"])
    new_body = body or last["body"]
    body_outcome = three_way(last["body"], doc.body.strip(), new_body.strip())
    if body_outcome == "conflict":
        plan.report.append(f"kept the librarian's edit: {talk.id}: the summary was edited here and the schedule's "
                           "description changed too")
    elif body_outcome == "update":
        plan.report.append(f"updated: {talk.id}: the summary (from the schedule's new description)")
    if changes or body_outcome == "update":
        plan.changes.append(Change(path, update_text(old, changes, body=new_body if body_outcome == "update" else None),
                                   expected=old))
    return {"id": talk.id, "fields": theirs, "body": new_body}


def _report_removed(plan: ImportPlan, state: dict, seen: set, corpus: Corpus) -> None:
    for key, last in state.items():
        if key not in seen:
            where = "kept in the archive" if last["id"] in corpus.talks else "already gone from the archive"
            plan.report.append(f"removed from the schedule: {last['id']} (event {key.split(':', 1)[1]}); {where}")


def _replaced(path, text: str) -> list[Change]:
    old = read_text(path) if path.exists() else None
    return [] if old == text else [Change(path, text, expected=old)]
