"""Citations that say what the archive holds (summaries, not transcripts): text, Markdown, CSL-JSON, RIS, BibTeX, CSV."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date

from .corpus import Corpus
from .csvsafe import write_csv
from .records import Talk
from .text import to_plain

GENRES = {"talk": "Talk", "panel": "Panel discussion", "qa": "Q&A session"}
SUMMARY_GENRES = {"talk": "Talk summary", "panel": "Panel discussion summary", "qa": "Q&A session summary"}
ARCHIVE_NAME = "confarchive"
PLACEHOLDER_SUMMARY = "The schedule gives no abstract or description for this event."
NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "dos", "ó", "ní", "mac"}
CSV_COLUMNS = ["id", "quote", "context_before", "context_after", "attribution", "speakers", "talk_title", "kind",
               "session", "date", "topics", "url", "citation", "source", "rights"]
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
    title_editorial: bool = False
    source_url: str = ""
    retrieved: str = ""
    summaries_by: str = ""
    rights_holder: str = ""
    rights: str = ""
    language: str = ""  # the talk's language (ISO 639), when its schedule says

    @classmethod
    def from_dict(cls, data: dict) -> "Citable":
        """Rebuild one from as_dict() output (as stored in the index)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "speakers": tuple(known.get("speakers", ())), "topics": tuple(known.get("topics", ()))})

    def as_dict(self) -> dict:
        """The fields as a dict, as dataclasses.asdict gives them; every value is immutable, so nothing is deep-copied
        (asdict's copying was a tenth of a build's quote index)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def citable_for(corpus: Corpus, talk: Talk, url: str) -> Citable:
    """The citable description of a talk's summary; url is the talk page's address."""
    conference = corpus.conference_of(talk)
    session = corpus.session_of(talk)
    day = talk.date or (conference.date if conference else None)
    summary = to_plain(talk.text)
    return Citable(
        id=talk.id, kind=talk.kind, title=talk.title, url=url,
        conference_name=conference.name if conference else "", conference_title=conference.title if conference else "",
        organiser=conference.organiser if conference else "", date=day.isoformat() if day else "",
        place=conference.place if conference else "", speakers=tuple(s.name for s in corpus.speakers_of(talk)),
        summary="" if summary.strip() == PLACEHOLDER_SUMMARY else summary,
        session_number=session.number if session else None, session_title=session.title if session else "",
        topics=tuple(corpus.topics[t].label for t in talk.topics if t in corpus.topics),
        title_editorial=talk.title_editorial, language=talk.language, **_provenance(conference))


def _provenance(conference) -> dict:
    """The conference's provenance and rights, with 'unknown' kept as said."""
    if conference is None:
        return {}
    p = conference.provenance
    return {"source_url": p.source_url, "retrieved": p.retrieved, "summaries_by": p.summaries_by,
            "rights_holder": p.rights_holder, "rights": p.rights}


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
    """The document the summary appears in: the conference page (its name once when name and title agree)."""
    if not c.conference_title or c.conference_title.strip() == c.conference_name.strip():
        return c.conference_name or c.conference_title
    return f"{c.conference_name}: {c.conference_title}"


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


def cited_title(c: Citable) -> str:
    """The title as styles print it: a title the archive wrote in square brackets (the cataloguer's mark for a
    supplied title), then what the item is, also bracketed: '[A clinical perspective …] [Talk summary]'."""
    title = f"[{c.title}]" if c.title_editorial else c.title
    return f"{title} [{SUMMARY_GENRES.get(c.kind, 'Talk summary')}]"


def description(c: Citable) -> str:
    """One sentence saying what is cited: 'Summary of a talk by X at EVENT, 8 September 2025; not a transcript.'"""
    what = {"talk": "a talk", "panel": "a panel discussion", "qa": "a Q&A session"}.get(c.kind, "a talk")
    by = f" {'with' if c.kind == 'panel' else 'by'} {join_names(c.speakers)}" if c.speakers else ""
    when = f", {long_date(c.date)}" if c.date else ""
    editorial = " Title supplied by the archive." if c.title_editorial else ""
    quoted = " Sentence quoted from the summary, not the speaker's own words." if c.quote else ""
    return f"Summary of {what}{by} at {source_title(c)}{when}; not a transcript.{editorial}{quoted}"


def csl_name(name: str) -> dict:
    """A CSL name: given and family, or a single-word name as a literal (never an empty given name)."""
    given, family = split_name(name)
    return {"given": given, "family": family} if given else {"literal": family}


def csl_date(iso: str) -> dict:
    return {"date-parts": [[int(p) for p in iso.split("-")]]}


def csl_item(c: Citable, base_url: str = "", accessed: str = "") -> dict:
    """One CSL-JSON item of type 'speech' (Zotero's 'presentation') whose printed fields say it is a summary.

    A summary with no speaker (a Q&A) is credited to the organiser who published it, so that styles do not
    print the title twice in place of an author.
    """
    authors = [csl_name(n) for n in c.speakers] or ([{"literal": c.organiser}] if c.organiser else [])
    item = {"id": c.id, "type": "speech", "title": cited_title(c), "author": authors,
            "event": c.conference_name, "event-title": c.conference_name, "event-place": c.place,
            "publisher": ARCHIVE_NAME, "URL": absolute(c.url, base_url),
            "note": description(c), "keyword": "; ".join(c.topics), "source": c.source_url,
            "license": rights_statement(c), "accessed": csl_date(accessed or date.today().isoformat()),
            "language": c.language}
    if c.date:
        item.update({"event-date": csl_date(c.date), "issued": csl_date(c.date)})
    if c.summary:
        item["abstract"] = c.summary
    return {k: v for k, v in item.items() if v not in ("", [], None)}


def rights_statement(c: Citable) -> str:
    """Dublin Core rights: holder and terms, 'unknown' where the librarian could not find out."""
    parts = [f"Rights holder: {c.rights_holder}" if c.rights_holder else "", c.rights]
    return ". ".join(p.rstrip(".") for p in parts if p) + ("." if any(parts) else "")


def csl_json(items: list[Citable], base_url: str = "") -> str:
    return json.dumps([csl_item(c, base_url) for c in items], ensure_ascii=False, indent=2)


def ris_record(c: Citable, base_url: str = "", accessed: str = "") -> str:
    """One RIS record, TY CPAPER (a conference item, read sensibly everywhere) with the conference in T2."""
    lines = [("TY", "CPAPER"), ("ID", c.id), ("TI", cited_title(c)),
             *(("AU", f"{f}, {g}" if g else f) for g, f in map(split_name, c.speakers)),
             ("T2", c.conference_name), ("M3", SUMMARY_GENRES.get(c.kind, "Talk summary")), ("CY", c.place),
             ("PB", ARCHIVE_NAME), ("DA", c.date.replace("-", "/")), ("PY", c.date[:4]),
             ("UR", absolute(c.url, base_url)), ("Y2", (accessed or date.today().isoformat()).replace("-", "/")),
             *(("KW", t) for t in c.topics), ("AB", c.summary), ("N1", description(c)), ("N1", note(c)),
             ("C1", rights_statement(c))]
    body = "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines if value)
    return body + "ER  - \n"


def ris(items: list[Citable], base_url: str = "") -> str:
    return "\n".join(ris_record(c, base_url) for c in items)


def bibtex_entry(c: Citable, base_url: str = "", accessed: str = "") -> str:
    """One @misc entry: the summary marker in title and type, the talk described in note (which styles print)."""
    where = ", ".join(p for p in (SUMMARY_GENRES.get(c.kind, "Talk summary"), session_label(c).capitalize(),
                                  c.conference_name, c.place) if p)
    fields = [("author", " and ".join(bib_name(n) for n in c.speakers)),
              ("title", cited_title(c)), ("type", SUMMARY_GENRES.get(c.kind, "Talk summary")),
              ("howpublished", where), ("eventtitle", c.conference_name), ("venue", c.place),
              ("year", c.date[:4]), ("date", c.date), ("publisher", ARCHIVE_NAME), ("organization", c.organiser),
              ("note", description(c)), ("annote", note(c)), ("keywords", "; ".join(c.topics)),
              ("urldate", accessed or date.today().isoformat()), ("rights", rights_statement(c))]
    body = "".join(f"  {name} = {{{value if name == 'author' else bib_escape(value)}}},\n"
                   for name, value in fields if value)  # author: escaped name by name in bib_name
    body += f"  url = {{{absolute(c.url, base_url)}}},\n" if c.url else ""
    return f"@misc{{{bibtex_key(c.id)},\n{body}}}\n"


def bib_name(name: str) -> str:
    """'Family, Given', or a single-word name braced so BibTeX takes it whole."""
    given, family = split_name(name)
    return f"{bib_escape(family)}, {bib_escape(given)}" if given else f"{{{bib_escape(family)}}}"


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
            "url": absolute(c.url, base_url), "citation": citation_text(c, base_url),
            "source": c.source_url or source_title(c), "rights": rights_statement(c)}


def quotes_csv(items: list[Citable], base_url: str = "") -> str:
    """One row per quote with its context, attribution and citation."""
    return write_csv((csv_row(c, base_url) for c in items), CSV_COLUMNS)


def quotes_markdown(items: list[Citable], base_url: str = "") -> str:
    """Each quote as a block quote followed by its reference."""
    blocks = [f"> {md_escape(c.quote or c.title)}\n>\n> — {reference_markdown(c, base_url)}" for c in items]
    header = "# Quotes from confarchive\n\nSentences from summaries of the talks, not the speakers' own words.\n"
    rights = list(dict.fromkeys(f"- {md_escape(source_title(c))}: {md_escape(rights_statement(c) or 'rights not recorded')}"
                                for c in items))
    footer = "\n## Sources and rights\n\n" + "\n".join(rights) + "\n" if rights else ""
    return header + "".join(f"\n{block}\n" for block in blocks) + footer


def quotes_text(items: list[Citable], base_url: str = "") -> str:
    return "".join(f"{citation_text(c, base_url)}\n\n" for c in items)


# Metadata embedded in a talk page ------------------------------------------------------------------------------------

def schema_org(c: Citable, base_url: str = "") -> dict:
    """JSON-LD for a talk page: a summary (CreativeWork) about the talk (an Event within the conference)."""
    performers = [{"@type": "Person", "name": n} for n in c.speakers]
    talk = {"@type": "Event", "name": c.title, "startDate": c.date, "location": {"@type": "Place", "name": c.place},
            "superEvent": {"@type": "Event", "name": c.conference_name,
                           "organizer": {"@type": "Organization", "name": c.organiser}}}
    if performers:
        talk["performer"] = performers
    data = {"@context": "https://schema.org", "@type": "CreativeWork", "name": cited_title(c),
            "headline": cited_title(c), "genre": SUMMARY_GENRES.get(c.kind, "Talk summary"), "about": talk,
            "url": absolute(c.url, base_url), "keywords": list(c.topics),
            "publisher": {"@type": "Organization", "name": ARCHIVE_NAME}, "description": description(c),
            "isAccessibleForFree": True, "license": rights_statement(c), "isBasedOn": c.source_url}
    if c.rights_holder:
        data["copyrightHolder"] = {"@type": "Organization", "name": c.rights_holder}
    return {k: v for k, v in data.items() if v not in ("", None)}


def highwire_meta(c: Citable, base_url: str = "") -> list[tuple[str, str]]:
    """citation_* and DC.* meta tags, as Zotero's Embedded Metadata translator and Google Scholar read them.

    citation_conference_title makes Zotero save a conference item (conferencePaper) named for the event;
    citation_date is the day of the talk; citation_abstract, which Zotero prefers to DC.description, is the
    summary itself (never the attribution note). No DC.type: Zotero would try to read an item type from it.
    """
    authors = [("citation_author", f"{f}, {g}" if g else f) for g, f in map(split_name, c.speakers)]
    day = c.date.replace("-", "/")
    tags = [("citation_title", cited_title(c)), *authors, ("citation_date", day),
            ("citation_publication_date", day), ("citation_conference_title", c.conference_name),
            ("citation_publisher", ARCHIVE_NAME), ("citation_public_url", absolute(c.url, base_url)),
            ("citation_abstract_html_url", absolute(c.url, base_url)), ("citation_abstract", c.summary),
            ("citation_keywords", "; ".join(c.topics)), ("citation_language", c.language or "en"),
            ("DC.description", description(c)), ("DC.rights", rights_statement(c)),
            ("DC.source", c.source_url if c.source_url.startswith("http") else source_title(c))]
    return [(name, value) for name, value in tags if value]
