"""Match the persons of a schedule with the archive's speakers, and collect their listings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

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


MERGE_MODES = ("ask", "names", "ids", "never")


@dataclass
class MergeProposal:
    """A person of the schedule who may be an existing speaker, and why."""

    name: str
    key: str
    speaker: str
    evidence: str

    def describe(self) -> str:
        listed = f"'{self.name}'" + (f" (schedule id {self.key})" if self.key else "")
        return f"{listed} → existing speaker {self.speaker}: {self.evidence}"


class PeopleMatcher:
    """Who is who. Within the schedule, one person id is one speaker and different ids are never merged.
    Across conferences, `merge` decides: 'ids' merges only a person whose schedule id an existing
    speaker already carries; 'names' also merges full names (two words or more) that match a name or
    alias; 'ask' asks `confirm(proposal)` for each name match; 'never' makes every person new."""

    def __init__(self, corpus: Corpus, merge: str = "names", confirm: Optional[Callable] = None):
        self.corpus, self.merge, self.confirm = corpus, merge, confirm
        self.owners: dict[str, list[str]] = {}
        self.id_owners: dict[str, str] = {}
        for speaker in corpus.speakers.values():
            for name in (speaker.name, *speaker.aliases):
                owners = self.owners.setdefault(name_key(name), [])
                if speaker.id not in owners:
                    owners.append(speaker.id)
            for appearance in speaker.appearances:
                if appearance.person_id:
                    self.id_owners.setdefault(appearance.person_id, speaker.id)
        self.people: dict[str, ImportedSpeaker] = {}
        self.by_export_key: dict[str, str] = {}
        self.by_name: dict[str, tuple[str, str]] = {}  # name key -> (speaker id, the person id it came with)
        self.notes: list[str] = []
        self.merged: list[str] = []
        self.declined: list[str] = []
        self.decided: dict[tuple[str, str], Optional[str]] = {}

    def resolve(self, person: Person) -> str:
        """The speaker id for a person of the schedule, creating the speaker on first sight."""
        if person.key and person.key in self.by_export_key:
            return self.by_export_key[person.key]
        key = name_key(person.name)
        ident = self._same_name_here(person, key) or self._existing(person, key) or self._new(person)
        if person.key:
            self.by_export_key[person.key] = ident
        self.by_name.setdefault(key, (ident, person.key))
        return ident

    def _same_name_here(self, person: Person, key: str) -> Optional[str]:
        """The speaker already made for this name in this schedule, unless both carry different ids."""
        ident, their_key = self.by_name.get(key, (None, ""))
        if ident and person.key and their_key and their_key != person.key:
            self.notes.append(f"'{person.name}' (schedule id {person.key}) and the person with id {their_key} share "
                              f"a name but not an id: kept as two speakers ({ident} and a new one); merge them with "
                              "`confarchive speakers merge` if they are one person")
            return None
        return ident

    def _existing(self, person: Person, key: str) -> Optional[str]:
        if self.merge == "never":
            return None
        if person.key and person.key in self.id_owners:
            return self._take(self.id_owners[person.key], person,
                              f"carries the same schedule id {person.key} from an earlier import")
        owners = sorted(self.owners.get(key, []))
        if not owners or self.merge == "ids":
            return None
        proposal = MergeProposal(person.name, person.key, owners[0], self._evidence(owners[0], person, owners))
        if self.merge == "names" and len(key.split()) < 2:
            self.declined.append(proposal.describe() + "; not merged: a one-word name (a handle) is not "
                                 "evidence enough (`--merge=ask` to decide)")
            return None
        if self.merge == "ask" and not self._confirmed(proposal):
            self.declined.append(proposal.describe() + "; not merged: declined")
            return None
        return self._take(owners[0], person, proposal.evidence)

    def _confirmed(self, proposal: MergeProposal) -> bool:
        decision = (proposal.name, proposal.speaker)
        if decision not in self.decided:
            self.decided[decision] = bool(self.confirm and self.confirm(proposal))
        return bool(self.decided[decision])

    def _evidence(self, ident: str, person: Person, owners: list[str]) -> str:
        speaker = self.corpus.speakers[ident]
        conferences = ", ".join(dict.fromkeys(a.conference for a in speaker.appearances)) or "no conference"
        forms = [n for n in (speaker.name, *speaker.aliases) if name_key(n) == name_key(person.name)]
        text = f"same name as '{forms[0] if forms else speaker.name}', listed at {conferences}"
        if len(owners) > 1:
            self.notes.append(f"'{person.name}' matches several speakers ({', '.join(owners)}); "
                              f"the appearance went to {owners[0]}: check it")
        return text

    def _take(self, ident: str, person: Person, evidence: str) -> str:
        speaker = self.corpus.speakers[ident]
        if ident not in self.people:
            self.people[ident] = ImportedSpeaker(speaker.id, speaker.name, existing=speaker)
        self.merged.append(MergeProposal(person.name, person.key, ident, evidence).describe())
        return ident

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
