"""Turn a Schedule into corpus files: conference, sessions, talks and speakers, with a report.

Sessions: by default one session per track (numbered in order of the track's first event);
events without a track become talks outside the sessions (session: null), like an opening.
With group_by="room", one session per day and room ("Gray Room, 2020-12-14"), which suits
single-track events whose rooms are the real programme blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..citations import PLACEHOLDER_SUMMARY
from ..corpus import Corpus
from ..fields import ID_PATTERN
from ..frontmatter import parse
from ..names import slugify
from ..writer import Change, read_text, render, update_text
from ..fields import CLOCK, DURATION, LANGUAGE
from .html_text import html_to_markdown
from .people import MERGE_MODES, ImportedSpeaker, PeopleMatcher
from .schedule import Event, Schedule
from .state import CONFERENCE_TRACKED, SCHEDULE_KEYS, STATE_FILE, comparable, event_key, plain_bio, state_text

GROUPINGS = ("track", "room")
KINDS = {**dict.fromkeys(("talk", "lecture", "keynote", "lightning talk", "lightningtalk", "presentation", "vortrag"), "talk"),
         **dict.fromkeys(("panel", "panel discussion", "podium", "podiumsdiskussion", "roundtable",
                          "round table", "discussion"), "panel"),
         **dict.fromkeys(("q&a", "qa", "questions", "questions and answers", "q & a"), "qa")}
_KIND_WORD = re.compile(r"^[^\W\d]+(?:[ -][^\W\d]+)*", re.UNICODE)  # the words before any duration
TITLE_WORDS = 8  # talk ids: the conference id and the first words of the title


class ImportRefused(Exception):
    """The import cannot go ahead (id in use, file exists, missing information); nothing was written."""


@dataclass
class ImportOptions:
    conference_id: str
    organiser: str
    source_name: str
    group_by: str = "track"
    merge: str = "names"  # ask | names | ids | never: see people.PeopleMatcher
    confirm: Optional[Callable] = None  # asked about each proposed merge when merge is 'ask'


@dataclass
class SessionGroup:
    id: Optional[str]
    title: str
    events: list[Event]


@dataclass
class ImportPlan:
    """The files an import writes and what the librarian should know about it."""

    conference_id: str
    changes: list[Change] = field(default_factory=list)
    sessions: int = 0
    talks: int = 0
    new_speakers: list[str] = field(default_factory=list)
    updated_speakers: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    talk_ids: set = field(default_factory=set)
    state: dict = field(default_factory=dict)  # event key -> what this import wrote (see update.py)
    conference_state: dict = field(default_factory=dict)  # the conference's tracked fields as the schedule gives them
    person_state: dict = field(default_factory=dict)  # speaker id -> the person's biography in the schedule
    moves: dict = field(default_factory=dict)  # an update's talk id -> (old session, new session)
    report: list[str] = field(default_factory=list)  # an update's three-way report
    is_update: bool = False


def plan_import(schedule: Schedule, corpus: Corpus, raw: str, options: ImportOptions) -> ImportPlan:
    """Plan every file of the import; ImportRefused when it cannot be done without overwriting."""
    _check_options(schedule, corpus, options)
    plan = ImportPlan(options.conference_id, unmapped=list(schedule.skipped))
    folder = corpus.root / "conferences" / options.conference_id
    groups = _group(schedule, options)
    taken = [g.id for g in groups if g.id in corpus.sessions]
    if taken:
        raise ImportRefused(f"session ids already in use elsewhere: {', '.join(taken)}; pass another --id")
    people = PeopleMatcher(corpus, options.merge, options.confirm)
    for group in groups:
        if group.id:
            plan.changes.append(_session_change(folder, group, schedule, options))
        for order, event in enumerate(group.events, 1):
            plan.changes.append(_talk_change(folder, corpus, plan, event, group, order, people, options))
    plan.changes += _speaker_changes(corpus, people, plan, options)
    plan.changes.insert(0, _conference_change(folder, schedule, plan, options))
    plan.changes.insert(1, Change(folder / options.source_name, raw))
    plan.changes.insert(2, Change(folder / STATE_FILE, state_text(plan.state, plan.conference_state, plan.person_state,
                                                                options.group_by)))
    plan.sessions = sum(1 for g in groups if g.id)
    plan.todo += people.notes
    plan.merged += list(dict.fromkeys(people.merged))
    plan.declined += people.declined
    _check_new_files(plan)
    return plan


def _check_options(schedule: Schedule, corpus: Corpus, options: ImportOptions) -> None:
    ident = options.conference_id
    if not ID_PATTERN.match(ident):
        raise ImportRefused(f"'{ident}' is not a valid conference id: use lowercase letters, digits and hyphens")
    if ident in corpus.conferences or (corpus.root / "conferences" / ident).exists():
        raise ImportRefused(f"conference '{ident}' already exists in {corpus.root}; nothing was written "
                            "(pass --id to import under another id)")
    if options.merge not in MERGE_MODES:
        raise ImportRefused(f"unknown merge mode '{options.merge}': use one of {', '.join(MERGE_MODES)}")
    if options.group_by not in GROUPINGS:
        raise ImportRefused(f"unknown grouping '{options.group_by}': use one of {', '.join(GROUPINGS)}")
    if not options.organiser.strip():
        raise ImportRefused("schedule exports do not name the organiser: pass --organiser")
    if not schedule.events:
        raise ImportRefused("the schedule lists no events; nothing to import")
    if not (schedule.start or schedule.ordered_events()[0].date):
        raise ImportRefused("the schedule gives no date for the conference or its events")


def _group(schedule: Schedule, options: ImportOptions) -> list[SessionGroup]:
    """Events grouped into sessions in programme order; the group without an id holds track-less events."""
    groups: dict[str, SessionGroup] = {}
    loose = SessionGroup(None, "", [])
    for event in schedule.ordered_events():
        name = event.track if options.group_by == "track" else _room_title(event)
        if not name:
            loose.events.append(event)
            continue
        if name not in groups:
            groups[name] = SessionGroup(f"{options.conference_id}-s{len(groups) + 1}", name, [])
        groups[name].events.append(event)
    return ([loose] if loose.events else []) + list(groups.values())


def _room_title(event: Event) -> str:
    when = event.date.isoformat() if event.date else ""
    return ", ".join(p for p in (event.room or "Unnamed room", when) if p)


def _source(options: ImportOptions, section: str, url: str = "") -> dict:
    return {"document": options.source_name, "url": url or None, "section": section}


def conference_fields(schedule: Schedule) -> dict:
    """The conference's fields an import writes from the schedule and a re-import keeps up to date."""
    return {"title": schedule.title, "name": schedule.title, "date": schedule.start or schedule.ordered_events()[0].date,
            "timezone": schedule.time_zone or _offset(schedule) or None}


def _conference_change(folder, schedule: Schedule, plan: ImportPlan, options: ImportOptions) -> Change:
    fields = conference_fields(schedule)
    plan.conference_state = comparable(fields, CONFERENCE_TRACKED)
    date = fields["date"]
    if schedule.end and schedule.end != date:
        plan.todo.append(f"conference.md: the archive keeps one date per conference; the schedule runs "
                         f"{date.isoformat()} to {schedule.end.isoformat()}, so `date` is the first day")
    plan.todo.append("conference.md: schedules carry no introduction; replace the placeholder body")
    meta = {"id": options.conference_id, "title": fields["title"], "name": fields["name"],
            "organiser": options.organiser.strip(), "date": date, "timezone": fields["timezone"], "online": False, "provenance": {"source_url": schedule.url or None},
            "source": _source(options, "conference", schedule.url)}
    body = (f"{schedule.title}: the programme was imported from a {schedule.format} export "
            f"({len(schedule.events)} events). This introduction is a placeholder.")
    return Change(folder / "conference.md", render(meta, body))


def _offset(schedule: Schedule) -> str:
    """The events' UTC offset when the schedule names no time zone (frab's older exports)."""
    return next((e.offset for e in schedule.events if e.offset), "")


def _session_change(folder, group: SessionGroup, schedule: Schedule, options: ImportOptions) -> Change:
    number = int(group.id.rsplit("-s", 1)[1])
    by_room = options.group_by == "room"
    meta = {"id": group.id, "conference": options.conference_id, "number": number, "title": group.title,
            "title_editorial": by_room, "recording": False,
            "notes": "Imported: the schedule gives no purpose text for this session, so the body is a placeholder.",
            "source": _source(options, f"{'room' if by_room else 'track'} {group.title}")}
    where = f"in {group.title}" if by_room else f"of the track “{group.title}”"
    body = f"Talks {where} at {schedule.title}."
    return Change(folder / "sessions" / f"{group.id}.md", render(meta, body))


def _talk_id(corpus: Corpus, plan: ImportPlan, event: Event, conference: str) -> str:
    """A new talk id: conference and title words, then the event id, then a number, until it is free."""
    words = slugify(event.title).split("-")[:TITLE_WORDS]
    base = "-".join([conference, *[w for w in words if w]]) if any(words) else f"{conference}-event-{slugify(event.ident)}"
    taken = lambda ident: ident in plan.talk_ids or ident in corpus.talks  # noqa: E731
    suffix = f"{base}-{slugify(event.ident)}" if slugify(event.ident) else f"{base}-event"
    ident, number = (base if not taken(base) else suffix), 2
    while taken(ident):
        ident, number = f"{suffix}-{number}", number + 1
    plan.talk_ids.add(ident)
    return ident


def kind_of(schedule_type: str) -> str | None:
    """talk, panel or qa for a schedule's event type, reading only the words before any duration:
    pretalx's 'Talk 30 min + 10min Q&A' is a talk. None when the words are not known."""
    words = _KIND_WORD.match(schedule_type.strip())
    key = (words.group(0) if words else schedule_type).strip().lower()
    return KINDS.get(schedule_type.strip().lower()) or KINDS.get(key) or KINDS.get(key.split(" ")[0])


def _kind(event: Event, plan: ImportPlan) -> str:
    if event.kind in ("talk", "panel", "qa"):
        return event.kind
    kind = kind_of(event.type) if event.type else "talk"
    if kind is None:
        plan.unmapped.append(f"{event.label}: type '{event.type}' is not a talk, panel or Q&A; imported as a talk")
    return kind or "talk"


def _talk_change(folder, corpus, plan, event: Event, group: SessionGroup, order: int, people: PeopleMatcher,
                 options: ImportOptions) -> Change:
    tracked, body = talk_content(event, group.id, plan, people)
    tracked["order"] = order
    meta = {"id": _talk_id(corpus, plan, event, options.conference_id), "conference": options.conference_id,
            "session": group.id, "kind": tracked["kind"], "order": order, "title": event.title, "title_editorial": False,
            "speakers": tracked["speakers"], "byline": tracked["byline"], "question": None,
            "abstract": tracked["abstract"], "topics": {"add": [], "remove": []}, "notes": None, "date": event.date,
            **{k: tracked[k] for k in SCHEDULE_KEYS}, "source": _source(options, event.slot, event.url)}
    plan.talks += 1
    plan.state[event_key(event)] = {"id": meta["id"], "fields": comparable(tracked), "body": body or PLACEHOLDER_SUMMARY}
    text = render(meta, body or PLACEHOLDER_SUMMARY)
    return Change(folder / "talks" / f"{meta['id']}.md", text)


def talk_content(event: Event, session: Optional[str], plan: ImportPlan, people: PeopleMatcher) -> tuple[dict, str]:
    """The fields an import keeps up to date (TRACKED, but for `order`) and the summary, for one event."""
    kind = _kind(event, plan)
    idents = [people.resolve(p) for p in event.persons]
    speakers = list(dict.fromkeys(idents))
    for person, ident in zip(event.persons, idents):
        people.add_listing(ident, session, person, event)
    if not speakers and kind != "qa":
        plan.unmapped.append(f"{event.label}: the schedule lists no persons; imported without speakers")
    body = html_to_markdown(event.description or event.abstract)
    if not body:
        plan.unmapped.append(f"{event.label}: no abstract or description; the summary is a placeholder")
    return {"title": event.title, "kind": kind, "date": event.date, "speakers": speakers, "session": session,
            "byline": [p.name for p in event.persons],
            "abstract": (html_to_markdown(event.abstract) or None) if event.description else None,
            **schedule_fields(event, plan)}, body


def schedule_fields(event: Event, plan: ImportPlan) -> dict:
    """The talk's schedule fields, each checked as the loader checks it; a value that fails is reported."""
    values = {"start": _clock(event.start), "duration": _clock(event.duration), "room": event.room or None,
              "language": event.language.strip().lower() or None, "subtitle": event.subtitle or None,
              "type": event.type or None, "event_id": event.ident, "event_guid": event.guid or None}
    for key, pattern in (("start", CLOCK), ("duration", DURATION), ("language", LANGUAGE)):
        if values[key] and not pattern.match(values[key]):
            plan.unmapped.append(f"{event.label}: {key} {values[key]!r} is not valid; left out")
            values[key] = None
    return values


def _clock(value: str) -> Optional[str]:
    """'9:05', '09:05:00' or '0:30' as 'HH:MM'; other text unchanged (and then refused by the check)."""
    match = re.fullmatch(r"(\d{1,3}):(\d{2})(:\d{2})?", value.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else (value.strip() or None)


def _appearance(conference: str, listing, bio: Optional[str], options: ImportOptions) -> dict:
    return {"conference": conference, "session": listing.session, "listed_name": listing.listed_name,
            "role": None, "organisation": None, "organisations": [], "country": None, "bio": bio,
            "person_id": listing.person_id or None,
            "source": _source(options, "persons of event " + ", ".join(dict.fromkeys(listing.events)))}


def _speaker_changes(corpus: Corpus, people: PeopleMatcher, plan: ImportPlan, options: ImportOptions,
                     bios: Optional[dict] = None, moves: Optional[dict] = None) -> list[Change]:
    """New speakers' files, and existing ones with new appearances (and, on an update, a new biography from
    `bios`, speaker id -> text, and appearances moved to other sessions, `moves`: speaker id -> {old: new})."""
    changes = []
    for speaker in people.people.values():
        if speaker.listings:
            plan.person_state[speaker.id] = plain_bio((speaker.bios() or [""])[0])
        if speaker.existing is None:
            changes.append(_new_speaker(corpus, speaker, options))
            plan.new_speakers.append(speaker.id)
        elif speaker.listings:
            change = _updated_speaker(corpus, speaker, options, (bios or {}).get(speaker.id),
                                      (moves or {}).get(speaker.id, {}))
            if change.text != change.expected:
                changes.append(change)
                plan.updated_speakers.append(speaker.id)
    return changes


def _bio_appearances(speaker: ImportedSpeaker, body: str, options: ImportOptions) -> list[dict]:
    return [_appearance(options.conference_id, listing, listing.bio if listing.bio and listing.bio != body else None,
                        options) for listing in speaker.listings.values()]


def _new_speaker(corpus: Corpus, speaker: ImportedSpeaker, options: ImportOptions) -> Change:
    body = (speaker.bios() or [""])[0]
    meta = {"id": speaker.id, "name": speaker.name, "honorific": None,
            "aliases": [n for n in speaker.names if n != speaker.name], "topics": {"add": [], "remove": []},
            "appearances": _bio_appearances(speaker, body, options)}
    return Change(corpus.root / "speakers" / f"{speaker.id}.md", render(meta, body))


def _updated_speaker(corpus: Corpus, speaker: ImportedSpeaker, options: ImportOptions,
                     new_bio: Optional[str] = None, moves: Optional[dict] = None) -> Change:
    """Add the new appearances (and unseen name forms as aliases) to an existing speaker's file, move
    appearances at this conference to other sessions (moves: old -> new), and set the biography at this
    conference to new_bio when an update brings one."""
    path = corpus.root / "speakers" / f"{speaker.id}.md"
    old = read_text(path)
    doc = parse(old)
    body = doc.body or (speaker.bios() or [""])[0]
    known = [doc.meta.get("name"), *(doc.meta.get("aliases") or [])]
    existing = [_moved(a, options.conference_id, moves or {}) for a in doc.meta.get("appearances") or []]
    listed = {(a.get("conference"), a.get("session")) for a in existing if isinstance(a, dict)}
    added = [a for a in _bio_appearances(speaker, body, options) if (a["conference"], a["session"]) not in listed]
    appearances = [*existing, *added]
    if new_bio is not None:
        appearances, body = with_bio(appearances, body, options.conference_id, new_bio)
    changes = {"aliases": [*(doc.meta.get("aliases") or []), *(n for n in speaker.names if n not in known)],
               "appearances": appearances}
    return Change(path, update_text(old, changes, body=body), expected=old)


def _moved(appearance, conference: str, moves: dict):
    """The appearance in its new session when an update moved its talk there."""
    if isinstance(appearance, dict) and appearance.get("conference") == conference and appearance.get("session") in moves:
        return {**appearance, "session": moves[appearance["session"]]}
    return appearance


def with_bio(appearances: list, body: str, conference: str, bio: str) -> tuple[list, str]:
    """A speaker's appearances and body with the biography at one conference replaced: the body when every
    appearance is at that conference and none has a bio of its own, else those appearances' `bio`."""
    here = [a for a in appearances if isinstance(a, dict) and a.get("conference") == conference]
    only_here = len(here) == len(appearances) and not any(a.get("bio") for a in here)
    if only_here:
        return appearances, bio
    mine = {id(a) for a in here}
    changed = [{**a, "bio": bio if bio != body else None} if id(a) in mine else a for a in appearances]
    return changed, body


def _check_new_files(plan: ImportPlan) -> None:
    paths = [c.path for c in plan.changes]
    twice = sorted({str(p) for p in paths if paths.count(p) > 1}) if len(set(paths)) != len(paths) else []
    if twice:
        raise ImportRefused("the plan writes these files twice (a bug; please report it): " + ", ".join(twice))
    clashes = [str(c.path) for c in plan.changes if c.is_new and c.path.exists()]
    if clashes:
        raise ImportRefused("these files already exist and were not overwritten: " + ", ".join(clashes))
