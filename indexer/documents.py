"""Turn corpus records into index documents: searchable text, facet values and a display payload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, TypeVar

from archive import Corpus
from archive.records import Session, Speaker, Talk
from archive.text import to_plain
from archive.topic_strength import Mention, forget_worked_out, speaker_mentions, talk_mentions

from .analysis import LANGUAGE_FIELDS
from .facet_specs import FACETS, record_facets
from .facet_specs import facet_labels, pinned_values  # noqa: F401  (the builders import them from here)
from .page_data import quoted_talk, session_page, session_ref, speaker_page, speaker_refs, talk_page, url_for


FORGET_EVERY = 250  # records made between two forget_worked_out() calls
T = TypeVar("T")
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
    quoted: dict | None = None  # a talk's: what its quotes show of it (page_data.quoted_talk)
    localized: dict[str, str] = field(default_factory=dict)  # body_de / body_da: the body, for its language


MentionsOf = Callable[[Talk], list[Mention]]


def talk_doc(corpus: Corpus, talk: Talk, mentions_of: MentionsOf | None = None) -> IndexDoc:
    speakers = corpus.speakers_of(talk)
    session = corpus.session_of(talk)
    appearances = [a for a in (corpus.appearance_for(s, talk) for s in speakers) if a]
    names = [n for s in speakers for n in (s.display_name, s.name, *s.aliases)]
    body = "\n\n".join(p for p in (to_plain(talk.text), talk.question, talk.abstract) if p)
    mentions = (mentions_of or _mentions_of(corpus))(talk)
    page = talk_page(corpus, talk, mentions)
    return IndexDoc(
        id=talk.id, kind=talk.kind, title=talk.title, body=body, names=" ; ".join(names),
        affiliation=" ; ".join([*talk.byline, *(a.role for a in appearances)]),
        facets={**record_facets(corpus, talk, "talk"), MENTIONS: [m.topic for m in mentions]},
        payload={"id": talk.id, "kind": talk.kind, "title": talk.title, "url": url_for(talk.kind, talk.id),
                 "speakers": speaker_refs(speakers), "session": session_ref(session), "topics": talk.topics,
                 "mentions": [m.as_dict() for m in mentions], "conference": talk.conference},
        record=page, quoted=quoted_talk(page), localized=localized_text(talk, body))


def localized_text(talk: Talk, body: str) -> dict[str, str]:
    """The talk's title and text for the field stemmed in its language, when that language has one."""
    found = LANGUAGE_FIELDS.get((talk.language or "").split("-")[0].lower())
    return {found[0]: f"{talk.title}\n\n{body}"} if found else {}


def speaker_doc(corpus: Corpus, speaker: Speaker, mentions_of: MentionsOf | None = None) -> IndexDoc:
    bios = _unique([speaker.bio, *(a.bio for a in speaker.appearances if a.bio)])
    conferences = _unique(a.conference for a in speaker.appearances)
    mentions = speaker_mentions(corpus, speaker, mentions_of)
    return IndexDoc(
        id=speaker.id, kind="speaker", title=speaker.display_name, body="\n\n".join(to_plain(b) for b in bios),
        names=" ; ".join(_unique([speaker.display_name, speaker.name, *speaker.aliases])),
        affiliation=" ; ".join(_unique([*(a.role for a in speaker.appearances), *(a.organisation for a in speaker.appearances)])),
        facets={**record_facets(corpus, speaker, "speaker"), MENTIONS: [m.topic for m in mentions]},
        payload={"id": speaker.id, "kind": "speaker", "title": speaker.display_name,
                 "url": url_for("speaker", speaker.id), "speakers": speaker_refs([speaker]),
                 "session": None, "topics": speaker.topics, "mentions": [m.as_dict() for m in mentions],
                 "conference": conferences[0] if conferences else None},
        record=speaker_page(corpus, speaker, mentions))


def session_doc(corpus: Corpus, session: Session, mentions_of: MentionsOf | None = None) -> IndexDoc:
    talks = corpus.talks_in_session(session.id)
    about = _unique(t for talk in talks for t in talk.topics)
    mentioned: dict[str, list[str]] = {}
    mentions_of = mentions_of or _mentions_of(corpus)
    for talk in talks:
        for mention in mentions_of(talk):
            if mention.topic not in about:
                mentioned.setdefault(mention.topic, []).extend(mention.sentences)
    return IndexDoc(
        id=session.id, kind="session", title=session.label, body=to_plain(session.purpose),
        facets={**record_facets(corpus, session, "session"), MENTIONS: list(mentioned)},
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
    makers = {"session": session_doc, "talk": talk_doc, "speaker": speaker_doc}
    mentions_of = remembered_mentions(corpus)
    return (makers[kind](corpus, record, mentions_of) for kind, record in forgetting(_in_programme_order(corpus)))


def forgetting(items: Iterable[T], every: int | None = None) -> Iterator[T]:
    """The items, dropping what the archive remembers of texts after every `every` (FORGET_EVERY) of them.

    A build needs a talk's rendering, sentences and their topics only while making that talk's documents;
    kept for the whole corpus they cost each build process over 100 MB (archive.topic_strength.forget_worked_out).
    """
    every = every or FORGET_EVERY
    for number, item in enumerate(items, 1):
        yield item
        if number % every == 0:
            forget_worked_out()


def remembered_mentions(corpus: Corpus) -> MentionsOf:
    """talk_mentions, worked out once per talk: a build asks for a talk's mentions for its session, its own
    document and page, and each of its speakers (eight times a talk on average in the alternative corpus)."""
    found: dict[str, list[Mention]] = {}

    def mentions_of(talk: Talk) -> list[Mention]:
        if talk.id not in found:
            found[talk.id] = talk_mentions(corpus.topics, talk)
        return found[talk.id]
    return mentions_of


def _mentions_of(corpus: Corpus) -> MentionsOf:
    return lambda talk: talk_mentions(corpus.topics, talk)


def document_ids(corpus: Corpus) -> list[str]:
    """The ids of iter_documents' documents, in its order, without making them (an update places its documents)."""
    return [record.id for _, record in _in_programme_order(corpus)]


def _in_programme_order(corpus: Corpus) -> Iterator[tuple[str, object]]:
    sessions_done = set()
    for talk in corpus.ordered_talks():
        session = corpus.session_of(talk)
        if session and session.id not in sessions_done:
            sessions_done.add(session.id)
            yield "session", session
        yield "talk", talk
    yield from (("session", s) for s in corpus.ordered_sessions() if s.id not in sessions_done)
    yield from (("speaker", s) for s in sorted(corpus.speakers.values(), key=lambda s: s.name))


def document_count(corpus: Corpus) -> int:
    """How many documents iter_documents makes: one per session, talk and speaker."""
    return len(corpus.sessions) + len(corpus.talks) + len(corpus.speakers)


def corpus_facet_notes(corpus: Corpus) -> dict[str, str]:
    """For a facet that only some conferences fill, a sentence saying which, since filtering by it hides the others.

    Worked out from the records' facet values as the declarations give them (facet_specs.py), so an
    update needs no documents; a facet is only worked out for records of conferences not yet known
    to fill it, which is what keeps this cheap at 10,000 talks.
    """
    noted = {f.name: f.noted for f in FACETS if f.noted}
    declared = {f.name: f for f in FACETS}
    conferences = declared["conference"]
    records = [*((t, "talk") for t in corpus.talks.values()), *((s, "speaker") for s in corpus.speakers.values()),
               *((s, "session") for s in corpus.sessions.values())]
    filled: dict[str, set] = {name: set() for name in noted}
    for record, kind in records:
        for conference in conferences.record_values(corpus, record, kind) or ():
            for name in noted:
                if conference not in filled[name] and declared[name].record_values(corpus, record, kind):
                    filled[name].add(conference)
    names = {c.id: c.name for c in corpus.conferences.values()}
    notes = {}
    for name, plural in noted.items():
        missing = [names[c] for c in names if c not in filled[name]]
        if filled[name] and missing:
            notes[name] = (f"Only {_join(sorted(names[c] for c in filled[name]))} record {plural}; "
                           f"{_join(sorted(missing))} {'does' if len(missing) == 1 else 'do'} not, so choosing "
                           f"one leaves {'its' if len(missing) == 1 else 'their'} records out.")
    return notes


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))
