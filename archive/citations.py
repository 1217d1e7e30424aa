"""Citations that say what the archive holds (summaries, not transcripts): text, Markdown, CSL-JSON, RIS, BibTeX, CSV."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import date

from .corpus import Corpus
from .csvsafe import write_csv
from .records import Talk
from .text import to_plain

GENRES = {"talk": "Talk", "panel": "Panel discussion", "qa": "Q&A session"}
NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "dos", "ó", "ní", "mac"}
CSV_COLUMNS = ["id", "quote", "context_before", "context_after", "attribution", "speakers", "talk_title", "kind",
               "session", "date", "topics", "url", "citation"]
_BIB_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_BIB_REPLACEMENTS = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


@dataclass(frozen=True)
class Citable:
    """Everything a citation needs about one talk, panel or Q&A summary, or one sentence of it."""

    id: str
    kind: str
    title: str
    url: str
    conference_name: str
    conference_title: str
    organiser: str
    date: str
    place: str = ""
    speakers: tuple[str, ...] = ()
    session_number: int | None = None
    session_title: str = ""
    topics: tuple[str, ...] = ()
    summary: str = ""
    quote: str = ""
    before: str = ""
    after: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "Citable":
        """Rebuild one from as_dict() output (as stored in the index)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "speakers": tuple(known.get("speakers", ())), "topics": tuple(known.get("topics", ()))})

    def as_dict(self) -> dict:
        return asdict(self)


def citable_for(corpus: Corpus, talk: Talk, url: str) -> Citable:
    """The citable description of a talk's summary; url is the talk page's address."""
    conference = corpus.conference_of(talk)
    session = corpus.session_of(talk)
    return Citable(
        id=talk.id, kind=talk.kind, title=talk.title, url=url,
        conference_name=conference.name if conference else "", conference_title=conference.title if conference else "",
        organiser=conference.organiser if conference else "",
        date=conference.date.isoformat() if conference and conference.date else "",
        place=conference.place if conference else "", speakers=tuple(s.name for s in corpus.speakers_of(talk)),
        summary=to_plain(talk.text),
        session_number=session.number if session else None, session_title=session.title if session else "",
        topics=tuple(corpus.topics[t].label for t in talk.topics if t in corpus.topics))


def for_quote(talk: Citable, quote_id: str, text: str, url: str, before: str = "", after: str = "") -> Citable:
    """The citable description of one sentence of a talk's summary."""
    return replace(talk, id=quote_id, url=url, quote=text, before=before, after=after, summary="")


# Plain text and Markdown -------------------------------------------------------------------------------------------

def join_names(names) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def session_label(c: Citable) -> str:
    return f"Session {c.session_number}" if c.session_number else "conference opening"


def attribution(c: Citable) -> str:
    """Who and what, never implying the words are theirs: "X's talk", "Panel discussion with ...", "Q&A, Session N"."""
    if c.kind == "qa":
        return f"Q&A, {session_label(c)}"
    if c.kind == "panel":
        return f"Panel discussion with {join_names(c.speakers)}" if c.speakers else "Panel discussion"
    return f"{join_names(c.speakers)}'s talk" if c.speakers else "Talk"


def source_title(c: Citable) -> str:
    """The document the summary appears in: the conference page."""
    return f"{c.conference_name}: {c.conference_title}" if c.conference_title else c.conference_name


def long_date(iso: str) -> str:
    """'2025-09-08' as '8 September 2025'."""
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def absolute(url: str, base_url: str = "") -> str:
    return base_url.rstrip("/") + url if base_url and url.startswith("/") else url


def _reference_parts(c: Citable) -> list[str]:
    parts = [f"{attribution(c)}, as summarised in \"{source_title(c)}\""]
    if c.kind != "qa":
        parts.append(session_label(c))
    return parts + ([long_date(c.date)] if c.date else [])


def reference_text(c: Citable, base_url: str = "") -> str:
    """E.g. `X's talk, as summarised in "Conference: Title", Session 1, 8 September 2025. confarchive: URL`."""
    return ", ".join(_reference_parts(c)) + f". confarchive: {absolute(c.url, base_url)}"


def reference_markdown(c: Citable, base_url: str = "") -> str:
    """The plain reference with Markdown escaped and the URL as a link."""
    return md_escape(", ".join(_reference_parts(c))) + f". [confarchive]({absolute(c.url, base_url)})"


def citation_text(c: Citable, base_url: str = "") -> str:
    """A quote in quotation marks followed by its reference, or the reference alone for a whole summary."""
    reference = reference_text(c, base_url)
    return f"“{c.quote}” — {reference}" if c.quote else reference


def citation_markdown(c: Citable, base_url: str = "") -> str:
    reference = reference_markdown(c, base_url)
    return f"“{md_escape(c.quote)}” — {reference}" if c.quote else reference


def md_escape(text: str) -> str:
    """Backslash-escape the characters Markdown would read as formatting."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def note(c: Citable) -> str:
    """The honest note every export carries: a summary, not a transcript; a quote is not the speaker's words."""
    session = session_label(c).capitalize() + (f": {c.session_title}" if c.session_title else "")
    base = (f"Not a transcript: {attribution(c)}, as summarised in \"{source_title(c)}\" ({c.organiser}). "
            f"{session}{'' if session.endswith(('.', '?', '!')) else '.'}")
    if not c.quote:
        return base
    return f"Sentence quoted from the summary, not the speaker's own words: “{c.quote}” {base}"


# Reference manager formats ----------------------------------------------------------------------------------------

def split_name(name: str) -> tuple[str, str]:
    """(given, family): the last word is the family name, with any particle before it ('van', 'Ó')."""
    words = name.split()
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in NAME_PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def csl_item(c: Citable, base_url: str = "") -> dict:
    """One CSL-JSON item of type 'speech' (Zotero's 'presentation')."""
    item = {"id": c.id, "type": "speech", "title": c.title, "genre": GENRES.get(c.kind, "Talk"),
            "author": [dict(zip(("given", "family"), split_name(n))) for n in c.speakers],
            "event": c.conference_name, "event-title": c.conference_name, "event-place": c.place,
            "publisher": c.organiser, "URL": absolute(c.url, base_url), "note": note(c),
            "keyword": "; ".join(c.topics)}
    if c.date:
        parts = {"date-parts": [[int(p) for p in c.date.split("-")]]}
        item.update({"event-date": parts, "issued": parts})
    if c.summary:
        item["abstract"] = c.summary
    return {k: v for k, v in item.items() if v not in ("", [], None)}


def csl_json(items: list[Citable], base_url: str = "") -> str:
    return json.dumps([csl_item(c, base_url) for c in items], ensure_ascii=False, indent=2)


def ris_record(c: Citable, base_url: str = "") -> str:
    """One RIS record, TY SLIDE: the type Zotero maps to and from 'presentation'."""
    given_family = [split_name(n) for n in c.speakers]
    lines = [("TY", "SLIDE"), ("ID", c.id), ("TI", c.title), *(("AU", f"{f}, {g}") for g, f in given_family),
             ("T2", c.conference_name), ("M3", GENRES.get(c.kind, "Talk")), ("CY", c.place), ("PB", c.organiser),
             ("DA", c.date.replace("-", "/")), ("PY", c.date[:4]), ("UR", absolute(c.url, base_url)),
             *(("KW", t) for t in c.topics), ("AB", c.summary), ("N1", note(c))]
    body = "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines if value)
    return body + "ER  - \n"


def ris(items: list[Citable], base_url: str = "") -> str:
    return "\n".join(ris_record(c, base_url) for c in items)


def bibtex_entry(c: Citable, base_url: str = "") -> str:
    """One @misc entry with howpublished and an honest note."""
    where = ", ".join(p for p in (GENRES.get(c.kind, "Talk"), session_label(c).capitalize(), c.conference_name, c.place) if p)
    fields = [("author", " and ".join(f"{f}, {g}" if g else f for g, f in map(split_name, c.speakers))),
              ("title", c.title), ("howpublished", where), ("year", c.date[:4]), ("date", c.date),
              ("organization", c.organiser), ("note", note(c)), ("keywords", "; ".join(c.topics))]
    body = "".join(f"  {name} = {{{bib_escape(value)}}},\n" for name, value in fields if value)
    body += f"  url = {{{absolute(c.url, base_url)}}},\n" if c.url else ""
    return f"@misc{{{bibtex_key(c.id)},\n{body}}}\n"


def bibtex(items: list[Citable], base_url: str = "") -> str:
    return "\n".join(bibtex_entry(c, base_url) for c in items)


def bibtex_key(ident: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", ident)


def bib_escape(text: str) -> str:
    """Escape the characters BibTeX reads as syntax or LaTeX commands."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_REPLACEMENTS.get(m.group(), "\\" + m.group()), _one_line(text))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# Lists of quotes -------------------------------------------------------------------------------------------------

def csv_row(c: Citable, base_url: str = "") -> dict:
    return {"id": c.id, "quote": c.quote, "context_before": c.before, "context_after": c.after,
            "attribution": attribution(c), "speakers": "; ".join(c.speakers), "talk_title": c.title,
            "kind": c.kind, "session": session_label(c), "date": c.date, "topics": "; ".join(c.topics),
            "url": absolute(c.url, base_url), "citation": citation_text(c, base_url)}


def quotes_csv(items: list[Citable], base_url: str = "") -> str:
    """One row per quote with its context, attribution and citation."""
    return write_csv((csv_row(c, base_url) for c in items), CSV_COLUMNS)


def quotes_markdown(items: list[Citable], base_url: str = "") -> str:
    """Each quote as a block quote followed by its reference."""
    blocks = [f"> {md_escape(c.quote or c.title)}\n>\n> — {reference_markdown(c, base_url)}" for c in items]
    header = "# Quotes from confarchive\n\nSentences from summaries of the talks, not the speakers' own words.\n"
    return header + "".join(f"\n{block}\n" for block in blocks)


def quotes_text(items: list[Citable], base_url: str = "") -> str:
    return "".join(f"{citation_text(c, base_url)}\n\n" for c in items)


# Metadata embedded in a talk page ------------------------------------------------------------------------------------

def schema_org(c: Citable, base_url: str = "") -> dict:
    """JSON-LD for a talk page: a summary (CreativeWork) about the talk (an Event within the conference)."""
    performers = [{"@type": "Person", "name": n} for n in c.speakers]
    talk = {"@type": "Event", "name": c.title, "startDate": c.date, "location": {"@type": "Place", "name": c.place},
            "superEvent": {"@type": "Event", "name": c.conference_name, "startDate": c.date,
                           "organizer": {"@type": "Organization", "name": c.organiser}}}
    if performers:
        talk["performer"] = performers
    return {"@context": "https://schema.org", "@type": "CreativeWork", "name": c.title,
            "headline": f"Summary: {c.title}", "genre": GENRES.get(c.kind, "Talk"), "about": talk,
            "datePublished": c.date, "url": absolute(c.url, base_url), "keywords": list(c.topics),
            "publisher": {"@type": "Organization", "name": c.organiser},
            "description": note(c), "isAccessibleForFree": True}


def highwire_meta(c: Citable, base_url: str = "") -> list[tuple[str, str]]:
    """citation_* meta tags, as Zotero's connector and Google Scholar read them."""
    authors = [("citation_author", f"{f}, {g}" if g else f) for g, f in map(split_name, c.speakers)]
    tags = [("citation_title", c.title), *authors, ("citation_date", c.date.replace("-", "/")),
            ("citation_conference_title", c.conference_name), ("citation_publisher", c.organiser),
            ("citation_abstract_html_url", absolute(c.url, base_url)), ("citation_abstract", note(c)),
            ("citation_keywords", "; ".join(c.topics)), ("citation_language", "en")]
    return [(name, value) for name, value in tags if value]
