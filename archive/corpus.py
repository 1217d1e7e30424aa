"""The loaded corpus: every record, cross-referenced, with lookups the other layers need."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .records import Conference, Session, Speaker, Talk, Topic


@dataclass
class Corpus:
    root: Path
    conferences: dict[str, Conference] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    talks: dict[str, Talk] = field(default_factory=dict)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    synonyms: list[list[str]] = field(default_factory=list)
    # the signature of every file it was loaded from (archive/load.py: a reload reuses it while they hold)
    loaded_from: dict = field(default_factory=dict, repr=False, compare=False)
    # what the load found per file, for deriving the next save's check from this corpus (archive/load.py)
    load_state: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the lookup tables after records were added or changed."""
        self._by_session: dict[str, list[Talk]] = {}
        self._by_speaker: dict[str, list[Talk]] = {}
        self._ordered = sorted(self.talks.values(), key=self.programme_key)
        for talk in self._ordered:
            self._by_session.setdefault(talk.session or "", []).append(talk)
            for speaker_id in talk.speakers:
                self._by_speaker.setdefault(speaker_id, []).append(talk)
        self._listed: dict[str, list[Speaker]] = {}
        for speaker in self.speakers.values():
            for session_id in dict.fromkeys(a.session for a in speaker.appearances):
                self._listed.setdefault(session_id, []).append(speaker)

    def reindex_replacing(self, previous: "Corpus", fresh: list) -> None:
        """reindex(), for a corpus that is `previous` with the `fresh` talks and speakers in place of their
        namesakes: when none of them moved (same place in the programme, same speakers, same sessions listed),
        previous's tables are copied with them swapped in, which is what reindex() would build; else reindex().
        A save's check at 10,000 talks spent a twentieth of a second sorting the programme again."""
        talks = {r.id: r for r in fresh if isinstance(r, Talk)}
        speakers = {r.id: r for r in fresh if isinstance(r, Speaker)}
        if (len(talks) + len(speakers) != len(fresh) or len(previous._ordered) != len(previous.talks)
                or any(not self._stays(previous, previous.talks.get(i), t) for i, t in talks.items())
                or any(not _same_sessions(previous.speakers.get(i), s) for i, s in speakers.items())):
            self.reindex()
            return
        self._ordered = [talks.get(t.id, t) for t in previous._ordered]
        self._by_session, self._by_speaker, self._listed = (
            dict(previous._by_session), dict(previous._by_speaker), dict(previous._listed))
        for talk in talks.values():
            for table, key in [(self._by_session, talk.session or ""), *((self._by_speaker, s) for s in talk.speakers)]:
                table[key] = [talk if t.id == talk.id else t for t in table[key]]
        for speaker in speakers.values():
            for session_id in dict.fromkeys(a.session for a in speaker.appearances):
                self._listed[session_id] = [speaker if s.id == speaker.id else s for s in self._listed[session_id]]

    def _stays(self, previous: "Corpus", old: Talk | None, new: Talk) -> bool:
        return (old is not None and old.session == new.session and old.speakers == new.speakers
                and previous.programme_key(old) == self.programme_key(new))

    def programme_key(self, talk: Talk) -> tuple:
        """Sort key for programme order: conference date, session number, position in the session."""
        conference = self.conferences.get(talk.conference)
        session = self.sessions.get(talk.session or "")
        return (conference.date.isoformat() if conference and conference.date else "", talk.conference,
                session.number if session else 0, talk.order, talk.id)

    def ordered_talks(self) -> list[Talk]:
        """Talks in programme order (sorted when the lookups were last rebuilt, unless talks came or went since)."""
        if len(self._ordered) != len(self.talks) or any(self.talks.get(t.id) is not t for t in self._ordered[:1]):
            self._ordered = sorted(self.talks.values(), key=self.programme_key)
        return list(self._ordered)

    def ordered_sessions(self) -> list[Session]:
        def key(s: Session):
            conference = self.conferences.get(s.conference)
            return (conference.date.isoformat() if conference and conference.date else "", s.conference, s.number)
        return sorted(self.sessions.values(), key=key)

    def talks_in_session(self, session_id: str) -> list[Talk]:
        return list(self._by_session.get(session_id, []))

    def talks_by_speaker(self, speaker_id: str) -> list[Talk]:
        return list(self._by_speaker.get(speaker_id, []))

    def speakers_listed_in(self, session_id: str) -> list[Speaker]:
        """Speakers with an appearance in the session, in corpus order."""
        return list(self._listed.get(session_id, []))

    def speakers_of(self, talk: Talk) -> list[Speaker]:
        return [self.speakers[s] for s in talk.speakers if s in self.speakers]

    def session_of(self, talk: Talk) -> Session | None:
        return self.sessions.get(talk.session or "")

    def conference_of(self, record) -> Conference | None:
        return self.conferences.get(getattr(record, "conference", ""))

    def appearance_for(self, speaker: Speaker, talk: Talk):
        """The speaker's listing that matches the talk's session (or conference), if any."""
        same_session = [a for a in speaker.appearances if a.session == talk.session and a.conference == talk.conference]
        same_event = [a for a in speaker.appearances if a.conference == talk.conference]
        return (same_session or same_event or [None])[0]


def _same_sessions(old: Speaker | None, new: Speaker) -> bool:
    """Whether a speaker changed is listed in the same sessions, in the same order."""
    return old is not None and (list(dict.fromkeys(a.session for a in old.appearances))
                                == list(dict.fromkeys(a.session for a in new.appearances)))
