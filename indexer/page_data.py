"""Everything a record's page shows, rendered once at build time and stored in the index."""

from __future__ import annotations

from dataclasses import asdict

from archive import Corpus
from archive.records import KIND_LABELS, Conference, Session, Speaker, Talk
from archive.citations import citable_for
from archive.quotes import sentence_anchor, summary_sentences
from archive.text import to_html, to_plain
from archive.topic_strength import Mention, speaker_mentions, talk_mentions


def url_for(kind: str, ident: str) -> str:
    """The page of a record; kinds talk, panel and qa all live under /talks/."""
    base = {"speaker": "speakers", "session": "sessions", "topic": "topics"}.get(kind, "talks")
    return f"/{base}/{ident}"


def session_ref(session: Session | None) -> dict | None:
    if session is None:
        return None
    return {"id": session.id, "number": session.number, "title": session.title, "url": url_for("session", session.id)}


def speaker_refs(speakers: list[Speaker]) -> list[dict]:
    return [{"id": s.id, "name": s.display_name} for s in speakers]


def topic_refs(corpus: Corpus, topic_ids: list[str]) -> list[dict]:
    return [{"id": t, "label": corpus.topics[t].label} for t in topic_ids if t in corpus.topics]


def conference_data(conference: Conference | None) -> dict | None:
    if conference is None:
        return None
    return {"id": conference.id, "name": conference.name, "title": conference.title,
            "organiser": conference.organiser, "date": conference.date.isoformat(), "year": conference.year,
            "place": conference.place, "venue": conference.venue, "address": conference.address,
            "city": conference.city, "country": conference.country, "online": conference.online,
            "supporter": conference.supporter, "introduction_html": to_html(conference.introduction),
            "source": asdict(conference.source), "provenance": asdict(conference.provenance)}


def talk_ref(corpus: Corpus, talk: Talk) -> dict:
    return {"id": talk.id, "title": talk.title, "kind": talk.kind, "kind_label": KIND_LABELS[talk.kind],
            "url": url_for(talk.kind, talk.id), "speakers": speaker_refs(corpus.speakers_of(talk)),
            "session": session_ref(corpus.session_of(talk))}


def talk_page(corpus: Corpus, talk: Talk, mentions: list[Mention] | None = None) -> dict:
    """The talk page's data; `mentions` are the talk's talk_mentions when the caller has worked them out."""
    mentions = talk_mentions(corpus.topics, talk) if mentions is None else mentions
    return {**talk_ref(corpus, talk), "order": talk.order, "title_editorial": talk.title_editorial,
            "text": to_plain(talk.text), "html": to_html(talk.text), "question": talk.question,
            "abstract": talk.abstract, "notes": talk.notes, "byline": talk.byline,
            "topics": topic_refs(corpus, talk.topics), "conference": conference_data(corpus.conference_of(talk)),
            "mentions": _mentions(corpus, mentions),
            "date": talk.date.isoformat() if talk.date else "", "source": asdict(talk.source), "path": talk.path,
            "schedule": schedule_data(talk),
            "sentences": numbered_sentences(talk.text),
            "citable": citable_for(corpus, talk, url_for(talk.kind, talk.id)).as_dict()}


QUOTED_FIELDS = ("id", "title", "kind", "url", "speakers", "session")  # and its topics' ids and its citation


def quoted_talk(page: dict) -> dict:
    """What each quote of a talk shows of it, from the talk's page data (talk_page): kept apart in the index, so
    that a quote result reads this little and not the whole page (quote_search.py)."""
    return {**{name: page[name] for name in QUOTED_FIELDS}, "topics": [t["id"] for t in page["topics"]],
            "citable": {**page["citable"], "summary": ""}}  # a quote cites its sentence, not the whole summary


SCHEDULE_FIELDS = ("start", "duration", "room", "language", "subtitle", "type", "event_id", "event_guid")


def schedule_data(talk: Talk) -> dict:
    """What the conference's schedule says about the talk (start, duration, room, language, ids); '' when unknown."""
    return {name: getattr(talk, name) for name in SCHEDULE_FIELDS}


def numbered_sentences(text: str) -> list[list[dict]]:
    """The summary's sentences per paragraph, numbered across the summary as quotes are (s-1, s-2, ...)."""
    paragraphs, number = [], 0
    for paragraph in summary_sentences(to_plain(text)):
        paragraphs.append([{"n": number + i, "anchor": sentence_anchor(number + i), "text": sentence}
                           for i, sentence in enumerate(paragraph, 1)])
        number += len(paragraph)
    return paragraphs


def speaker_page(corpus: Corpus, speaker: Speaker, mentions: list[Mention] | None = None) -> dict:
    """The speaker page's data; `mentions` are the speaker's speaker_mentions when the caller has worked them out."""
    mentions = speaker_mentions(corpus, speaker) if mentions is None else mentions
    appearances = [{"conference": a.conference,
                    "conference_name": corpus.conferences[a.conference].name if a.conference in corpus.conferences else a.conference,
                    "date": corpus.conferences[a.conference].date.isoformat() if a.conference in corpus.conferences else "",
                    "session": session_ref(corpus.sessions.get(a.session or "")), "listed_name": a.listed_name,
                    "role": a.role, "organisation": a.organisation, "organisations": a.organisations,
                    "country": a.country, "bio_html": to_html(a.bio) if a.bio else "", "bio": a.bio,
                    "person_id": a.person_id, "source": asdict(a.source)} for a in speaker.appearances]
    return {"id": speaker.id, "name": speaker.name, "display_name": speaker.display_name,
            "honorific": speaker.honorific, "aliases": speaker.aliases, "bio": to_plain(speaker.bio),
            "bio_html": to_html(speaker.bio), "organisations": speaker.organisations, "countries": speaker.countries,
            "topics": topic_refs(corpus, speaker.topics), "appearances": appearances,
            "mentions": _mentions(corpus, mentions),
            "talks": [talk_ref(corpus, t) for t in corpus.talks_by_speaker(speaker.id)],
            "url": url_for("speaker", speaker.id), "path": speaker.path}


def session_page(corpus: Corpus, session: Session) -> dict:
    talks = corpus.talks_in_session(session.id)
    listed = corpus.speakers_listed_in(session.id)
    return {**session_ref(session), "label": session.label, "purpose": to_plain(session.purpose),
            "purpose_html": to_html(session.purpose), "recording": session.recording,
            "conference": conference_data(corpus.conferences.get(session.conference)),
            "talks": [talk_ref(corpus, t) for t in talks], "speakers": speaker_refs(listed),
            "source": asdict(session.source), "path": session.path}


def catalogue(corpus: Corpus) -> dict:
    """Index-wide data for the pages: topics with descriptions, conferences, sessions in order (not to be changed:
    it is the same object while the taxonomy, conferences and sessions are, as after a talk's save)."""
    depends_on = (corpus.topics, *corpus.conferences.values(), None, *corpus.sessions.values())
    last = _CATALOGUE.get("last")  # one read: another thread may replace it meanwhile
    if last is not None and len(last[0]) == len(depends_on) and all(a is b for a, b in zip(last[0], depends_on)):
        return last[1]
    made = {"topics": [{"id": t.id, "label": t.label, "description": t.description} for t in corpus.topics.values()],
            "conferences": [conference_data(c) for c in corpus.conferences.values()],
            "sessions": [{**session_ref(s), "conference": s.conference} for s in corpus.ordered_sessions()]}
    _CATALOGUE["last"] = (depends_on, made)
    return made


_CATALOGUE: dict[str, tuple] = {}  # "last" -> (the records it was made from, the catalogue)



def _mentions(corpus: Corpus, mentions: list[Mention]) -> list[dict]:
    """Topics a record names without being about them, with their labels and the sentences (quote ids)."""
    return [{**m.as_dict(), "label": corpus.topics[m.topic].label} for m in mentions]
