"""Turn corpus records into index documents: searchable text, facet values and a display payload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from archive import Corpus
from archive.records import KIND_LABELS, Session, Speaker, Talk
from archive.text import to_plain
from archive.topic_strength import speaker_mentions, talk_mentions

from .analysis import LANGUAGE_FIELDS
from .page_data import session_page, session_ref, speaker_page, speaker_refs, talk_page, url_for


MENTIONS = "mentions"  # the facet table of topics a record names without being about them (see topic filters)


@dataclass
class IndexDoc:
    id: str
    kind: str
    title: str
    body: str
    names: str = ""
    affiliation: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)
    payload: dict = field(default_factory=dict)
    record: dict = field(default_factory=dict)
    localized: dict[str, str] = field(default_factory=dict)  # body_de / body_da: the body, for its language


def talk_doc(corpus: Corpus, talk: Talk) -> IndexDoc:
    speakers = corpus.speakers_of(talk)
    session = corpus.session_of(talk)
    conference = corpus.conference_of(talk)
    appearances = [a for a in (corpus.appearance_for(s, talk) for s in speakers) if a]
    names = [n for s in speakers for n in (s.display_name, s.name, *s.aliases)]
    body = "\n\n".join(p for p in (to_plain(talk.text), talk.question, talk.abstract) if p)
    mentions = talk_mentions(corpus.topics, talk)
    return IndexDoc(
        id=talk.id, kind=talk.kind, title=talk.title, body=body, names=" ; ".join(names),
        affiliation=" ; ".join([*talk.byline, *(a.role for a in appearances)]),
        facets={"topic": talk.topics, "session": [talk.session] if talk.session else [],
                "speaker": talk.speakers, "kind": [talk.kind],
                "organisation": _unique(o for a in appearances for o in a.organisations),
                "country": _unique(a.country for a in appearances if a.country),
                "conference": [talk.conference], "year": [str(conference.year)] if conference else [],
                "language": [talk.language] if talk.language else [],
                MENTIONS: [m.topic for m in mentions]},
        payload={"id": talk.id, "kind": talk.kind, "title": talk.title, "url": url_for(talk.kind, talk.id),
                 "speakers": speaker_refs(speakers), "session": session_ref(session), "topics": talk.topics,
                 "mentions": [m.as_dict() for m in mentions], "conference": talk.conference},
        record=talk_page(corpus, talk), localized=localized_text(talk, body))


def localized_text(talk: Talk, body: str) -> dict[str, str]:
    """The talk's title and text for the field stemmed in its language, when that language has one."""
    found = LANGUAGE_FIELDS.get((talk.language or "").split("-")[0].lower())
    return {found[0]: f"{talk.title}\n\n{body}"} if found else {}


def speaker_doc(corpus: Corpus, speaker: Speaker) -> IndexDoc:
    bios = _unique([speaker.bio, *(a.bio for a in speaker.appearances if a.bio)])
    talks = corpus.talks_by_speaker(speaker.id)
    sessions = _unique([*(a.session for a in speaker.appearances if a.session), *(t.session for t in talks if t.session)])
    conferences = _unique(a.conference for a in speaker.appearances)
    years = _unique(str(corpus.conferences[c].year) for c in conferences if c in corpus.conferences)
    mentions = speaker_mentions(corpus, speaker)
    return IndexDoc(
        id=speaker.id, kind="speaker", title=speaker.display_name, body="\n\n".join(to_plain(b) for b in bios),
        names=" ; ".join(_unique([speaker.display_name, speaker.name, *speaker.aliases])),
        affiliation=" ; ".join(_unique([*(a.role for a in speaker.appearances), *(a.organisation for a in speaker.appearances)])),
        facets={"topic": speaker.topics, "session": sessions, "speaker": [speaker.id], "kind": ["speaker"],
                "organisation": speaker.organisations, "country": speaker.countries,
                "conference": conferences, "year": years, MENTIONS: [m.topic for m in mentions]},
        payload={"id": speaker.id, "kind": "speaker", "title": speaker.display_name,
                 "url": url_for("speaker", speaker.id), "speakers": speaker_refs([speaker]),
                 "session": None, "topics": speaker.topics, "mentions": [m.as_dict() for m in mentions],
                 "conference": conferences[0] if conferences else None},
        record=speaker_page(corpus, speaker))


def session_doc(corpus: Corpus, session: Session) -> IndexDoc:
    talks = corpus.talks_in_session(session.id)
    speaker_ids = _unique(s for t in talks for s in t.speakers)
    conference = corpus.conferences.get(session.conference)
    about = _unique(t for talk in talks for t in talk.topics)
    mentioned: dict[str, list[str]] = {}
    for talk in talks:
        for mention in talk_mentions(corpus.topics, talk):
            if mention.topic not in about:
                mentioned.setdefault(mention.topic, []).extend(mention.sentences)
    return IndexDoc(
        id=session.id, kind="session", title=session.label, body=to_plain(session.purpose),
        facets={"topic": about, "session": [session.id],
                "speaker": speaker_ids, "kind": ["session"], "organisation": [], "country": [],
                "conference": [session.conference], "year": [str(conference.year)] if conference else [],
                MENTIONS: list(mentioned)},
        payload={"id": session.id, "kind": "session", "title": session.label, "url": url_for("session", session.id),
                 "speakers": [], "session": session_ref(session), "topics": [],
                 "mentions": [{"topic": t, "sentences": ids} for t, ids in mentioned.items()],
                 "conference": session.conference},
        record=session_page(corpus, session))


def corpus_documents(corpus: Corpus) -> list[IndexDoc]:
    """Every document in programme order (see iter_documents), as a list."""
    return list(iter_documents(corpus))


def iter_documents(corpus: Corpus) -> Iterator[IndexDoc]:
    """Every document in programme order: per session its own page then its talks; then the speakers."""
    sessions_done = set()
    for talk in corpus.ordered_talks():
        session = corpus.session_of(talk)
        if session and session.id not in sessions_done:
            sessions_done.add(session.id)
            yield session_doc(corpus, session)
        yield talk_doc(corpus, talk)
    yield from (session_doc(corpus, s) for s in corpus.ordered_sessions() if s.id not in sessions_done)
    yield from (speaker_doc(corpus, s) for s in sorted(corpus.speakers.values(), key=lambda s: s.name))


def document_count(corpus: Corpus) -> int:
    """How many documents iter_documents makes: one per session, talk and speaker."""
    return len(corpus.sessions) + len(corpus.talks) + len(corpus.speakers)


def facet_labels(corpus: Corpus) -> dict[str, dict[str, str]]:
    """Display labels for facet values that are ids."""
    return {
        "topic": {t.id: t.label for t in corpus.topics.values()},
        "session": session_labels(corpus),
        "speaker": {s.id: s.display_name for s in corpus.speakers.values()},
        "kind": dict(KIND_LABELS),
        "conference": {c.id: c.name for c in corpus.conferences.values()},
        "language": LANGUAGE_NAMES,
    }


LANGUAGE_NAMES = {"en": "English", "de": "German", "da": "Danish", "sv": "Swedish", "nb": "Norwegian", "no": "Norwegian",
                  "fi": "Finnish", "fr": "French", "nl": "Dutch", "es": "Spanish", "it": "Italian", "pl": "Polish",
                  "cs": "Czech", "pt": "Portuguese"}


def session_labels(corpus: Corpus) -> dict[str, str]:
    """Session labels, with the conference named where two conferences' sessions would read the same."""
    labels = {s.id: s.label for s in corpus.sessions.values()}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    names = {c.id: c.name for c in corpus.conferences.values()}
    return {ident: f"{label} ({names.get(corpus.sessions[ident].conference, corpus.sessions[ident].conference)})"
            if seen[label] > 1 else label for ident, label in labels.items()}


NOTED_FACETS = {"organisation": "organisations", "country": "countries", "session": "sessions", "language": "languages"}


def corpus_facet_notes(corpus: Corpus) -> dict[str, str]:
    """For a facet that only some conferences fill, a sentence saying which, since filtering by it hides the others.

    Worked out from the records (as the documents' facet values are), so an update needs no documents.
    """
    talks = ({"conference": [t.conference], "session": [t.session] if t.session else [],
              "language": [t.language] if t.language else [],
              "organisation": [o for a in _appearances(corpus, t) for o in a.organisations],
              "country": [a.country for a in _appearances(corpus, t) if a.country]} for t in corpus.talks.values())
    speakers = ({"conference": [a.conference for a in s.appearances], "organisation": s.organisations,
                 "country": s.countries,
                 "session": [*(a.session for a in s.appearances if a.session),
                             *(t.session for t in corpus.talks_by_speaker(s.id) if t.session)]}
                for s in corpus.speakers.values())
    sessions = ({"conference": [s.conference], "session": [s.id]} for s in corpus.sessions.values())
    return _notes(corpus, (f for group in (talks, speakers, sessions) for f in group))


def _appearances(corpus: Corpus, talk: Talk) -> list:
    return [a for a in (corpus.appearance_for(s, talk) for s in corpus.speakers_of(talk)) if a]


def _notes(corpus: Corpus, all_facets) -> dict[str, str]:
    filled: dict[str, set] = {name: set() for name in NOTED_FACETS}
    for facets in all_facets:
        for conference in facets.get("conference", ()):
            for name in NOTED_FACETS:
                if facets.get(name):
                    filled[name].add(conference)
    names = {c.id: c.name for c in corpus.conferences.values()}
    notes = {}
    for name, plural in NOTED_FACETS.items():
        missing = [names[c] for c in names if c not in filled[name]]
        if filled[name] and missing:
            notes[name] = (f"Only {_join(sorted(names[c] for c in filled[name]))} record {plural}; "
                           f"{_join(sorted(missing))} {'does' if len(missing) == 1 else 'do'} not, so choosing "
                           f"one leaves {'its' if len(missing) == 1 else 'their'} records out.")
    return notes


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def pinned_values(corpus: Corpus) -> dict[str, list[str]]:
    """Facet values always listed, whatever their count: the taxonomy's core topics."""
    return {"topic": [t.id for t in corpus.topics.values() if t.core]}


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))
