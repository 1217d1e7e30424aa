"""Commented skeleton files for `confarchive new`: every field explained, required values left to fill.

A fresh skeleton fails validation on purpose: the validator then names each field still to fill
(title, date, the body...). Once those are written the file passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .corpus import Corpus
from .fields import ID_PATTERN
from .writer import WriteError, dump_yaml, write_file

KINDS = ("conference", "session", "talk", "speaker")

CONFERENCE = """\
---
# A conference: one folder conferences/<id>/ holding this file, sessions/ and talks/.
# Fill in every line marked REQUIRED, write the introduction below the closing '---',
# then run `confarchive validate`.
id: {id}
# REQUIRED: the event's theme or title as the source gives it.
title:{title}
# The event's name ("Danish National Genome Center Conference 2025"); the title is used when empty.
name:
# REQUIRED: who organised it.
organiser:
# REQUIRED: the day it took place, written YYYY-MM-DD.
date:{date}
# Optional local times ("08:45") and time zone ("CET"); keep the quotes around times.
start_time: null
end_time: null
timezone: null
# Where: the venue, its street address, city and country; online: true when it was also streamed.
venue: null
address: null
city: null
country: null
online: false
# Who supported or sponsored the event.
supporter: null
registration_opens: null
# The event's privacy notice, verbatim, when the source has one.
privacy_policy: null
# Where this record came from: a file in this folder (source.txt), the page's address, the section.
source:
  document: source.txt
  url: null
  section: Introduction
  lines: null
---
"""

SESSION = """\
---
# A session of a conference. Fill in every line marked REQUIRED, write the session's purpose
# text below the closing '---', then run `confarchive validate`.
id: {id}
# The conference this session belongs to (its folder name).
conference: {conference}
# Programme order: 1, 2, 3...; 0 for an opening outside the numbered sessions.
number: {number}
# REQUIRED: the session's title, verbatim.
title:{title}
# true when the source gives no title and the archive wrote this one.
title_editorial: false
# true when the source offers a recording of the session.
recording: false
# A librarian's note, e.g. why something differs from the source.
notes: null
# Where this record came from: the section of the conference's source.txt and its line range.
source:
  section: null
  lines: null
---
"""

TALK = """\
---
# A talk, panel or Q&A. Fill in every line marked REQUIRED, write the summary below the
# closing '---', then run `confarchive validate`.
id: {id}
# The conference (folder name) and session ids; session: null for a talk outside the sessions.
conference: {conference}
session: {session}
# talk, panel or qa.
kind: {kind}
# Position in the session's programme, 1-based; no other talk of the session may use it.
order: {order}
# REQUIRED: the title, verbatim from the source.
title:{title}
# true when the source gives no title and the archive wrote this one.
title_editorial: false
# Speaker ids (files in speakers/): the speaker, the panellists of a panel, [] for a Q&A.
speakers: {speakers}
# The heading lines above the summary in the source, verbatim, one per item.
byline: []
# Panels only: the question the panel debated.
question: null
# Announcement text published before the event, verbatim.
abstract: null
# Topic overrides: topic ids (from taxonomy.yaml) to add or remove whatever the rules say.
topics:
  add: []
  remove: []
# A librarian's note, e.g. a typo kept verbatim.
notes: null
# Where this record came from: the section of the conference's source.txt and its line range.
source:
  section: null
  lines: null
---
"""

SPEAKER = """\
---
# A speaker: one file per person across all conferences. Fill in every line marked REQUIRED,
# write the bio below the closing '---', then run `confarchive validate`.
id: {id}
# REQUIRED: the fullest form of the name the sources give.
name:{name}
# Shown before the name: Dr., Dame, Professor...
honorific: null
# Every other form of the name the sources use, e.g. [Britt Elmedal].
aliases: []
# Topic overrides: topic ids (from taxonomy.yaml) to add or remove whatever the rules say.
topics:
  add: []
  remove: []
# One entry per listing at an event, with role and organisation as listed there.
appearances:
- conference: {conference}
  session: {session}
  # REQUIRED: the name as printed on that listing.
  listed_name:{name}
  role: null
  # The organisation line as printed, verbatim.
  organisation: null
  # The organisations as facet values, one per item, e.g. [Aarhus University].
  organisations: []
  country: null
  # Only when this listing's bio differs from the bio below.
  bio: null
  source:
    section: null
    lines: null
---
"""


@dataclass
class Skeleton:
    kind: str
    path: Path
    text: str


def _value(value) -> str:
    """A value as it follows `key:` on a line: ' value' quoted when YAML needs it, '' when empty."""
    if value in (None, ""):
        return ""
    return " " + dump_yaml({"k": value})[len("k: "):].rstrip("\n")


def _check_id(ident: str) -> None:
    if not ID_PATTERN.match(ident or ""):
        raise WriteError(f"'{ident}' is not a valid id: use lowercase letters, digits and single hyphens")


def _unused(table: dict, ident: str, what: str) -> None:
    if ident in table:
        raise WriteError(f"{what} '{ident}' already exists ({table[ident].path}); choose another id")


def _need(table: dict, ident: Optional[str], what: str) -> None:
    if ident and ident not in table:
        known = ", ".join(sorted(table)) or "none yet"
        raise WriteError(f"unknown {what} '{ident}' (known: {known})")


def conference_skeleton(corpus: Corpus, ident: str, title: str = "", date: str = "") -> Skeleton:
    """conferences/<id>/conference.md, refusing an id already in use."""
    _check_id(ident)
    _unused(corpus.conferences, ident, "conference")
    text = CONFERENCE.format(id=ident, title=_value(title), date=_value(date))
    return Skeleton("conference", corpus.root / "conferences" / ident / "conference.md", text)


def session_skeleton(corpus: Corpus, ident: str, conference: str, title: str = "",
                     number: Optional[int] = None) -> Skeleton:
    """A session file; the number defaults to the conference's next free one."""
    _check_id(ident)
    _unused(corpus.sessions, ident, "session")
    _need(corpus.conferences, conference, "conference")
    if number is None:
        number = 1 + max((s.number for s in corpus.sessions.values() if s.conference == conference), default=0)
    text = SESSION.format(id=ident, conference=conference, number=number, title=_value(title))
    return Skeleton("session", corpus.root / "conferences" / conference / "sessions" / f"{ident}.md", text)


def talk_skeleton(corpus: Corpus, ident: str, conference: str, session: Optional[str] = None, kind: str = "talk",
                  speakers: tuple[str, ...] = (), title: str = "") -> Skeleton:
    """A talk file placed after the last talk of its session."""
    _check_id(ident)
    _unused(corpus.talks, ident, "talk")
    _need(corpus.conferences, conference, "conference")
    _need(corpus.sessions, session, "session")
    for speaker in speakers:
        _need(corpus.speakers, speaker, "speaker")
    order = 1 + max((t.order for t in corpus.talks.values()
                     if t.conference == conference and t.session == session), default=0)
    text = TALK.format(id=ident, conference=conference, session=session or "null", kind=kind, order=order,
                       title=_value(title), speakers="[" + ", ".join(speakers) + "]")
    return Skeleton("talk", corpus.root / "conferences" / conference / "talks" / f"{ident}.md", text)


def speaker_skeleton(corpus: Corpus, ident: str, conference: str, session: Optional[str] = None,
                     name: str = "") -> Skeleton:
    """A speaker file with one appearance at the given conference (and session)."""
    _check_id(ident)
    _unused(corpus.speakers, ident, "speaker")
    _need(corpus.conferences, conference, "conference")
    _need(corpus.sessions, session, "session")
    text = SPEAKER.format(id=ident, name=_value(name), conference=conference, session=session or "null")
    return Skeleton("speaker", corpus.root / "speakers" / f"{ident}.md", text)


def write_skeleton(skeleton: Skeleton) -> None:
    """Create the file; never overwrite one that exists."""
    write_file(skeleton.path, skeleton.text, create=True)
