"""Match the persons of a schedule with the archive's speakers, and collect their listings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..corpus import Corpus
from ..names import name_key, slugify
from ..records import Speaker
from .schedule import Event, Person


@dataclass
class Listing:
    """One appearance to add: a person as listed in one session (None: outside the sessions)."""

    session: Optional[str]
    listed_name: str
    bio: str = ""
    events: list[str] = field(default_factory=list)
    person_id: str = ""


@dataclass
class ImportedSpeaker:
    """A speaker the import writes: new, or an existing one that gains appearances."""

    id: str
    name: str
    existing: Optional[Speaker] = None
    names: list[str] = field(default_factory=list)
    listings: dict = field(default_factory=dict)

    def bios(self) -> list[str]:
        return [listing.bio for listing in self.listings.values() if listing.bio]


class PeopleMatcher:
    """The same person is the same speaker: by the export's person id, else by name (names.name_key)."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.owners: dict[str, list[str]] = {}
        for speaker in corpus.speakers.values():
            for name in (speaker.name, *speaker.aliases):
                self.owners.setdefault(name_key(name), [])
                if speaker.id not in self.owners[name_key(name)]:
                    self.owners[name_key(name)].append(speaker.id)
        self.people: dict[str, ImportedSpeaker] = {}
        self.by_export_key: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.notes: list[str] = []

    def resolve(self, person: Person) -> str:
        """The speaker id for a person of the schedule, creating the speaker on first sight."""
        key = name_key(person.name)
        ident = self.by_export_key.get(person.key) if person.key else None
        ident = ident or self.by_name.get(key) or self._existing(person, key) or self._new(person)
        if person.key:
            self.by_export_key.setdefault(person.key, ident)
        self.by_name.setdefault(key, ident)
        return ident

    def _existing(self, person: Person, key: str) -> Optional[str]:
        owners = sorted(self.owners.get(key, []))
        if not owners:
            return None
        if len(owners) > 1:
            self.notes.append(f"'{person.name}' matches several speakers ({', '.join(owners)}); "
                              f"the appearance went to {owners[0]}: check it")
        speaker = self.corpus.speakers[owners[0]]
        self.people[speaker.id] = ImportedSpeaker(speaker.id, speaker.name, existing=speaker)
        return speaker.id

    def _new(self, person: Person) -> str:
        base = slugify(person.name) or "speaker"
        ident, number = base, 1
        while ident in self.corpus.speakers or ident in self.people:
            number += 1
            ident = f"{base}-{number}"
        self.people[ident] = ImportedSpeaker(ident, person.name)
        return ident

    def add_listing(self, ident: str, session: Optional[str], person: Person, event: Event) -> None:
        """Record that the person appears in this session, as listed on this event."""
        speaker = self.people[ident]
        listing = speaker.listings.setdefault(session or "", Listing(session, person.name))
        listing.bio = listing.bio or person.biography
        listing.person_id = listing.person_id or person.key
        listing.events.append(event.ident)
        if person.name not in speaker.names:
            speaker.names.append(person.name)
