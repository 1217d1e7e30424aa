"""Typed records of the archive: plain data, free of any storage or web concern."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

TALK_KINDS = ("talk", "panel", "qa")
KIND_LABELS = {"talk": "Talk", "panel": "Panel", "qa": "Q&A", "speaker": "Speaker", "session": "Session"}


@dataclass(frozen=True)
class Source:
    """Where a record came from: a document, a section of it and its line range."""

    document: str
    section: str = ""
    lines: str = ""
    url: Optional[str] = None

    def describe(self) -> str:
        where = f"{self.document}, lines {self.lines}" if self.lines else self.document
        return f"{self.section} ({where})" if self.section else where


PROVENANCE_FIELDS = ("source_url", "retrieved", "summaries_by", "rights_holder", "rights")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Provenance:
    """Where a conference's text came from and on what terms it is reproduced (Dublin Core source, rights)."""

    source_url: str = ""
    retrieved: str = ""
    summaries_by: str = ""
    rights_holder: str = ""
    rights: str = ""

    def missing(self) -> list[str]:
        """The fields nobody recorded (an explicit 'unknown' counts as recorded)."""
        return [name for name in PROVENANCE_FIELDS if not getattr(self, name)]

    def known(self, name: str) -> str:
        """A field's value, or '' when it is unrecorded or 'unknown'."""
        value = getattr(self, name)
        return "" if value.lower() == UNKNOWN else value


@dataclass
class Conference:
    id: str
    title: str
    name: str
    organiser: str
    date: date
    introduction: str
    source: Source
    path: str = ""
    venue: str = ""
    address: str = ""
    city: str = ""
    country: str = ""
    online: bool = False
    supporter: str = ""
    start_time: str = ""
    end_time: str = ""
    timezone: str = ""
    registration_opens: str = ""
    privacy_policy: str = ""
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def place(self) -> str:
        parts = [p for p in (self.venue, self.city, self.country) if p]
        where = ", ".join(parts)
        return f"{where} and online" if self.online and where else where


@dataclass
class Session:
    id: str
    conference: str
    number: int
    title: str
    purpose: str
    source: Source
    path: str = ""
    recording: bool = False

    @property
    def label(self) -> str:
        return f"Session {self.number}: {self.title}" if self.number else self.title


@dataclass
class Talk:
    id: str
    conference: str
    session: Optional[str]
    kind: str
    order: int
    title: str
    text: str
    source: Source
    path: str = ""
    speakers: list[str] = field(default_factory=list)
    byline: list[str] = field(default_factory=list)
    title_editorial: bool = False
    question: str = ""
    abstract: str = ""
    notes: str = ""
    topic_overrides: "TopicOverrides" = None  # type: ignore[assignment]
    topics: list[str] = field(default_factory=list)
    date: Optional[date] = None  # the day the talk was given, when it differs from (or refines) the conference's
    start: str = ""  # local start time, HH:MM, as the schedule gives it
    duration: str = ""  # HH:MM
    room: str = ""
    language: str = ""  # ISO 639 code of the language the talk was given in ('de', 'en')
    subtitle: str = ""
    type: str = ""  # the schedule's event type, verbatim ('lecture', 'Talk 30 min + 10min Q&A')
    event_id: str = ""  # the schedule's own id of the event
    event_guid: str = ""


@dataclass
class Appearance:
    """One listing of a speaker at an event, with role and organisation as listed there."""

    conference: str
    session: Optional[str]
    listed_name: str
    role: str
    source: Source
    organisation: str = ""
    organisations: list[str] = field(default_factory=list)
    country: str = ""
    bio: str = ""
    person_id: str = ""  # the schedule's id of this person at this conference (pretalx code, frab id)


@dataclass
class Speaker:
    id: str
    name: str
    bio: str
    source: Source
    path: str = ""
    honorific: str = ""
    aliases: list[str] = field(default_factory=list)
    appearances: list[Appearance] = field(default_factory=list)
    topic_overrides: "TopicOverrides" = None  # type: ignore[assignment]
    topics: list[str] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}" if self.honorific else self.name

    @property
    def organisations(self) -> list[str]:
        return _unique(org for a in self.appearances for org in a.organisations)

    @property
    def countries(self) -> list[str]:
        return _unique(a.country for a in self.appearances if a.country)

    def bio_for(self, appearance: Appearance) -> str:
        return appearance.bio or self.bio


@dataclass(frozen=True)
class TopicOverrides:
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    weight: float
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    explicit: bool = True  # False: the words only suggest the topic; they never put one sentence on it


@dataclass
class Topic:
    id: str
    label: str
    description: str = ""
    threshold: float = 1.0
    rules: list[Rule] = field(default_factory=list)
    sentence_threshold: float = 1.0  # the score one sentence needs: one explicit word, by default
    core: bool = False  # always offered in facet lists (genomics, EHDS, AI, ethics)
    domain: "Rule | None" = None  # the taxonomy's field: a record or talk must name it for the rules to apply


def _unique(values) -> list:
    seen: dict = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
