"""A page for each talk, speaker, session and topic; unknown ids are 404 pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from markupsafe import Markup, escape

from archive.quotes import quote_id
from archive.topic_strength import evidence_spans

from indexer import SearchRequest, Searcher, related_talks, TALK_KINDS, get_record, QuoteRequest, open_quotes

from . import links
from .chart import overview_chart, session_topic_counts
from .index import get_handle
from .serialize import quote_view

bp = Blueprint("pages", __name__)
MAX_CHART_SESSIONS = 40  # rows of the /topics heat map: the page stays small on a large archive


def _record(ident: str, kinds: tuple[str, ...], what: str) -> dict:
    found = get_record(get_handle(), ident, kinds)
    if found is None:
        abort(404, description=f"There is no {what} with the id '{ident}'.")
    return found


@bp.get("/talks/<ident>")
def talk(ident: str):
    record = _record(ident, TALK_KINDS, "talk")
    return render_template("talk.html", talk=record, related=related_talks(get_handle(), ident),
                           other_talks=_other_talks(record))


def _other_talks(talk: dict) -> list[tuple[dict, list[dict]]]:
    """Each speaker of the talk with their other talks."""
    result = []
    for ref in talk["speakers"]:
        speaker = get_record(get_handle(), ref["id"], ("speaker",))
        others = [t for t in (speaker or {}).get("talks", []) if t["id"] != talk["id"]]
        if others:
            result.append((ref, others))
    return result


@bp.get("/talks/<ident>/topics")
def talk_topics(ident: str):
    """Why a talk has its topics, sentence by sentence: each sentence's topics with the words that put it there."""
    record = _record(ident, TALK_KINDS, "talk")
    sentences = [quote_view(q) for q in talk_quotes(open_quotes(get_handle()), ident)]
    about = [t["id"] for t in record.get("topics", [])]
    mentioned = list(dict.fromkeys(t for q in sentences for t in q["topics"] if t not in about))
    return render_template("talk_topics.html", talk=record, sentences=sentences, mentioned=mentioned,
                           labels=get_handle().facets, links=links)


def talk_quotes(quotes, talk_id: str) -> list[dict]:
    """The quote records of one talk, in reading order."""
    found = []
    while (record := quotes.get(quote_id(talk_id, len(found) + 1))) is not None:
        found.append(record)
    return found


@bp.app_template_filter()
def evidence_marked(text: str, evidence: dict) -> Markup:
    """A sentence, escaped, with the words that gave it its topics in <mark>."""
    spans = evidence_spans(text, [w for found in evidence.values() for w in found])
    out, last = [], 0
    for start, end in spans:
        out += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


@bp.get("/speakers/<ident>")
def speaker(ident: str):
    record = _record(ident, ("speaker",), "speaker")
    quotes = open_quotes(get_handle()).search(QuoteRequest(filters={"speaker": [ident]}, per_page=1))
    return render_template("speaker.html", speaker=record, quote_total=quotes.total,
                           quotes_url=links.search_url([("speaker", ident)], "/quotes"))


@bp.get("/sessions/<ident>")
def session(ident: str):
    return render_template("session.html", session=_record(ident, ("session",), "session"))


@bp.get("/topics")
def topics():
    handle = get_handle()
    catalogue = handle.meta.get("catalogue", {})
    counts = {topic: len(docs) for topic, docs in handle.facets.postings.get("topic", {}).items()}
    sessions, topic_ids, matrix = session_topic_counts(handle.facets, catalogue, limit=MAX_CHART_SESSIONS)
    return render_template("topics.html", topics=catalogue.get("topics", []), counts=counts,
                           chart=overview_chart(sessions, topic_ids, matrix, handle.facets),
                           all_sessions=len(catalogue.get("sessions", [])))


@bp.get("/topics/<ident>")
def topic(ident: str):
    catalogue = get_handle().meta.get("catalogue", {})
    found = next((t for t in catalogue.get("topics", []) if t["id"] == ident), None)
    if found is None:
        abort(404, description=f"There is no topic with the id '{ident}'.")
    response = Searcher(get_handle()).search(SearchRequest(filters={"topic": [ident]}, per_page=100))
    return render_template("topic.html", topic=found, r=response, links=links)


@bp.get("/about")
def about():
    catalogue = get_handle().meta.get("catalogue", {})
    return render_template("about.html", catalogue=catalogue, sessions=sessions_by_conference(catalogue))


def sessions_by_conference(catalogue: dict) -> dict[str, list[dict]]:
    """Each conference's sessions in programme order (a build made before sessions named their conference
    lists every session under each conference, as it used to)."""
    sessions = catalogue.get("sessions", [])
    if any("conference" not in s for s in sessions):
        return {c["id"]: sessions for c in catalogue.get("conferences", [])}
    grouped: dict[str, list[dict]] = {}
    for session in sessions:
        grouped.setdefault(session["conference"], []).append(session)
    return grouped
