"""Every facet, declared once: builds, documents, search, pages, API, CLI and README check read this table.

A facet's `name` is at once its URL parameter, its column in the facet files, its key in the API's `facets` and
`filters`, and its CLI option (`--name`). Add a facet here, with a test of its values; the README lists
none (it points to `confarchive facets`, which prints this table), so it needs no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from archive import Corpus
from archive.records import KIND_LABELS, Session, Speaker, Talk

RecordValues = Callable[[Corpus, object], list[str]]  # (corpus, talk | speaker | session) -> values
QuoteValues = Callable[[Corpus, Talk, list[str]], list[str]]  # (corpus, talk, the sentence's topics) -> values


@dataclass(frozen=True)
class Facet:
    """One facet: what it is called, where its values come from, and where it shows.

    For `talk`, `speaker` and `session`, None leaves the facet out of that kind of record's values
    altogether, while `_none` records it as empty; facets.json has always done one or the other.
    """

    name: str
    title: str  # the heading on the search page and the words on its filter chips
    talk: Optional[RecordValues] = None  # a talk's (panel's, Q&A's) values
    speaker: Optional[RecordValues] = None  # a speaker record's values
    session: Optional[RecordValues] = None  # a session record's values
    quote: Optional[QuoteValues] = None  # a quote's values; None: the quote search has no such facet
    quote_title: str = ""  # its heading on the quotes page, when not `title`
    labels: Optional[Callable[[Corpus], dict[str, str]]] = None  # value -> label, for values that are ids
    pinned: Optional[Callable[[Corpus], list[str]]] = None  # values listed whatever their count
    cli_help: str = ""  # help of the --name option of `confarchive search`
    quote_cli_help: str = ""  # ... of `confarchive quotes`, when it differs
    in_query: bool = False  # may be typed inside the query as `name:value`
    aliases: tuple[tuple[str, str], ...] = ()  # words a user types in `name:word` for a value
    noted: str = ""  # its plural, when a note should say which conferences fill it (filtering hides the rest)
    several_only: bool = False  # listed on the search page only when it has more than one value
    apart: tuple[str, ...] = ()  # values listed apart under `apart_title` ("EU" is not a country)
    apart_title: str = ""

    @property
    def for_quotes_title(self) -> str:
        return self.quote_title or self.title

    def record_values(self, corpus: Corpus, record, kind: str) -> Optional[list[str]]:
        """The record's values ("talk", "speaker" or "session"), or None when that kind has no such facet."""
        values = getattr(self, kind)
        return None if values is None else values(corpus, record)


# How records yield values ---------------------------------------------------------------------------------------

def _none(corpus: Corpus, record) -> list[str]:
    return []


def _talk_session(corpus: Corpus, talk: Talk) -> list[str]:
    return [talk.session] if talk.session else []


def _talk_appearances(corpus: Corpus, talk: Talk) -> list:
    return [a for a in (corpus.appearance_for(s, talk) for s in corpus.speakers_of(talk)) if a]


def _talk_organisations(corpus: Corpus, talk: Talk) -> list[str]:
    return _unique(o for a in _talk_appearances(corpus, talk) for o in a.organisations)


def _talk_countries(corpus: Corpus, talk: Talk) -> list[str]:
    return _unique(a.country for a in _talk_appearances(corpus, talk) if a.country)


def _year_of(corpus: Corpus, record) -> list[str]:
    conference = corpus.conferences.get(record.conference)
    return [str(conference.year)] if conference else []


def _speaker_sessions(corpus: Corpus, speaker: Speaker) -> list[str]:
    talks = corpus.talks_by_speaker(speaker.id)
    return _unique([*(a.session for a in speaker.appearances if a.session), *(t.session for t in talks if t.session)])


def _speaker_conferences(corpus: Corpus, speaker: Speaker) -> list[str]:
    return _unique(a.conference for a in speaker.appearances)


def _speaker_years(corpus: Corpus, speaker: Speaker) -> list[str]:
    conferences = _speaker_conferences(corpus, speaker)
    return _unique(str(corpus.conferences[c].year) for c in conferences if c in corpus.conferences)


def _session_topics(corpus: Corpus, session: Session) -> list[str]:
    return _unique(t for talk in corpus.talks_in_session(session.id) for t in talk.topics)


def _session_speakers(corpus: Corpus, session: Session) -> list[str]:
    return _unique(s for t in corpus.talks_in_session(session.id) for s in t.speakers)


def _as_talk(values: RecordValues) -> QuoteValues:
    """A quote's values are its talk's."""
    return lambda corpus, talk, topics: list(values(corpus, talk))


def _sentence_topics(corpus: Corpus, talk: Talk, topics: list[str]) -> list[str]:
    """A quote's topics are the sentence's own (archive/topic_strength.py), not its talk's."""
    return topics


# Labels ---------------------------------------------------------------------------------------------------------

def session_labels(corpus: Corpus) -> dict[str, str]:
    """Session labels, with the conference named where two conferences' sessions would read the same."""
    labels = {s.id: s.label for s in corpus.sessions.values()}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    names = {c.id: c.name for c in corpus.conferences.values()}
    return {ident: f"{label} ({names.get(corpus.sessions[ident].conference, corpus.sessions[ident].conference)})"
            if seen[label] > 1 else label for ident, label in labels.items()}


LANGUAGE_NAMES = {"en": "English", "de": "German", "da": "Danish", "sv": "Swedish", "nb": "Norwegian", "no": "Norwegian",
                  "fi": "Finnish", "fr": "French", "nl": "Dutch", "es": "Spanish", "it": "Italian", "pl": "Polish",
                  "cs": "Czech", "pt": "Portuguese"}


# The facets, in the order the pages, the API and the CLI list them ------------------------------------------------

FACETS: tuple[Facet, ...] = (
    Facet("topic", "Topic", talk=lambda corpus, talk: talk.topics, speaker=lambda corpus, speaker: speaker.topics,
          session=_session_topics, quote=_sentence_topics,
          labels=lambda corpus: {t.id: t.label for t in corpus.topics.values()},
          pinned=lambda corpus: [t.id for t in corpus.topics.values() if t.core],
          cli_help="Filter by topic id (repeatable).", in_query=True),
    Facet("session", "Session", talk=_talk_session, speaker=_speaker_sessions,
          session=lambda corpus, session: [session.id], quote=_as_talk(_talk_session), labels=session_labels,
          cli_help="Filter by session id (repeatable).", in_query=True, noted="sessions"),
    Facet("speaker", "Speaker", talk=lambda corpus, talk: talk.speakers, speaker=lambda corpus, speaker: [speaker.id],
          session=_session_speakers, quote=_as_talk(lambda corpus, talk: talk.speakers),
          labels=lambda corpus: {s.id: s.display_name for s in corpus.speakers.values()},
          cli_help="Filter by speaker id (repeatable).", in_query=True),
    Facet("kind", "Kind", talk=lambda corpus, talk: [talk.kind], speaker=lambda corpus, speaker: ["speaker"],
          session=lambda corpus, session: ["session"], quote=_as_talk(lambda corpus, talk: [talk.kind]),
          labels=lambda corpus: dict(KIND_LABELS), cli_help="talk, panel, qa, speaker or session (repeatable).",
          quote_cli_help="talk, panel or qa (repeatable).", in_query=True,
          aliases=(("q&a", "qa"), ("qanda", "qa"), ("talks", "talk"), ("panels", "panel"), ("speakers", "speaker"),
                   ("sessions", "session"), ("dilemma", "panel"))),
    Facet("organisation", "Organisation", talk=_talk_organisations,
          speaker=lambda corpus, speaker: speaker.organisations, session=_none,
          cli_help="Filter by organisation, as listed (repeatable).", noted="organisations"),
    Facet("country", "Affiliation country", talk=_talk_countries, speaker=lambda corpus, speaker: speaker.countries,
          session=_none, cli_help="Filter by a speaker's affiliation country (repeatable).", noted="countries",
          apart=("EU", "European Union", "Intergovernmental", "International"), apart_title="Not a country"),
    Facet("conference", "Conference", talk=lambda corpus, talk: [talk.conference], speaker=_speaker_conferences,
          session=lambda corpus, session: [session.conference],
          labels=lambda corpus: {c.id: c.name for c in corpus.conferences.values()},
          cli_help="Filter by conference id (repeatable).", several_only=True),
    Facet("year", "Year", talk=_year_of, speaker=_speaker_years, session=_year_of,
          cli_help="Filter by the conference's year (repeatable).", several_only=True),
    Facet("language", "Language", talk=lambda corpus, talk: [talk.language] if talk.language else [],
          labels=lambda corpus: LANGUAGE_NAMES, cli_help="Filter by the talk's language, e.g. en (repeatable).",
          noted="languages", several_only=True),
)

BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
QUOTE_NAMES: tuple[str, ...] = tuple(f.name for f in FACETS if f.quote)


def record_facets(corpus: Corpus, record, kind: str) -> dict[str, list[str]]:
    """A talk's, speaker's or session's values of every facet it has, in declaration order."""
    found = {f.name: f.record_values(corpus, record, kind) for f in FACETS}
    return {name: values for name, values in found.items() if values is not None}


def quote_facets(corpus: Corpus, talk: Talk, topics: list[str]) -> dict[str, list[str]]:
    """A quote's values of every facet quotes have."""
    return {f.name: f.quote(corpus, talk, topics) for f in FACETS if f.quote}


def facet_labels(corpus: Corpus) -> dict[str, dict[str, str]]:
    """Display labels for facet values that are ids."""
    return {f.name: f.labels(corpus) for f in FACETS if f.labels}


def pinned_values(corpus: Corpus) -> dict[str, list[str]]:
    """Facet values always listed, whatever their count (the taxonomy's core topics)."""
    return {f.name: f.pinned(corpus) for f in FACETS if f.pinned}


def titles(quotes: bool = False) -> dict[str, str]:
    """Each facet's heading on the search page, or on the quotes page."""
    return {f.name: f.for_quotes_title for f in FACETS if f.quote} if quotes else {f.name: f.title for f in FACETS}


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))
