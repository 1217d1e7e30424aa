"""Read corpus files into records, collecting every problem instead of stopping at the first."""

from __future__ import annotations

from pathlib import Path

from .fields import FieldReader
from .frontmatter import Document, FrontMatterError, parse
from .problems import Problem
from .records import TALK_KINDS, Appearance, Conference, Session, Source, Speaker, Talk

CONFERENCE_KEYS = {"id", "title", "name", "organiser", "date", "start_time", "end_time", "timezone", "venue",
                   "address", "city", "country", "online", "supporter", "registration_opens",
                   "privacy_policy", "source", "provenance"}
SCHEDULE_KEYS = ("start", "duration", "room", "language", "subtitle", "type", "event_id", "event_guid")
SESSION_KEYS = {"id", "conference", "number", "title", "recording", "source", "title_editorial", "notes"}
TALK_KEYS = {"id", "conference", "session", "kind", "order", "title", "title_editorial", "speakers", "byline",
             "question", "abstract", "topics", "notes", "source", "date", *SCHEDULE_KEYS}
SPEAKER_KEYS = {"id", "name", "honorific", "aliases", "topics", "appearances"}
APPEARANCE_KEYS = {"conference", "session", "listed_name", "role", "organisation", "organisations", "country",
                   "bio", "source", "person_id"}
SOURCE_DOCUMENT = "source.txt"


def read_document(path: Path, root: Path, problems: list, docs: dict,
                  text: str | None = None) -> tuple[str, Document] | None:
    """Parse one file (or `text`, the file's proposed new content); on failure record a Problem and return None."""
    rel = path.relative_to(root.parent).as_posix() if root.parent in path.parents else str(path)
    try:
        doc = parse(path.read_text(encoding="utf-8") if text is None else text)
        docs[rel] = doc
        return rel, doc
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, 1, f"file is not UTF-8 text ({exc.reason})", hint="save it as UTF-8"))
    except FrontMatterError as exc:
        problems.append(Problem(rel, exc.line, exc.message))
    except OSError as exc:
        problems.append(Problem(rel, 1, f"cannot read the file: {exc.strerror}", hint="it should be a text file"))
    return None


def _reader(rel: str, doc: Document, keys: set, problems: list) -> FieldReader:
    reader = FieldReader(rel, doc, doc.meta, problems)
    reader.check_keys(keys)
    return reader


def _require_body(rel: str, doc: Document, what: str, problems: list) -> str:
    if not doc.body.strip():
        problems.append(Problem(rel, doc.body_line, f"empty body: write the {what} below the front matter",
                                field="body"))
    return doc.body


def _check_id_matches_file(reader: FieldReader, ident: str, path: Path) -> None:
    if ident and ident != path.stem:
        reader.problem("id", f"id '{ident}' does not match the file name '{path.name}'",
                       hint=f"rename the file to {ident}.md or change the id")


def read_conference(path: Path, root: Path, problems: list, docs: dict, text: str | None = None) -> Conference | None:
    parsed = read_document(path, root, problems, docs, text)
    if parsed is None:
        return None
    rel, doc = parsed
    r = _reader(rel, doc, CONFERENCE_KEYS, problems)
    ident = r.identifier("id", required=True)
    if ident and ident != path.parent.name:
        r.problem("id", f"id '{ident}' does not match the folder name '{path.parent.name}'")
    return Conference(
        id=ident, title=r.text("title", True), name=r.text("name") or r.text("title"),
        organiser=r.text("organiser", True), date=r.date("date", True),
        introduction=_require_body(rel, doc, "introduction", problems), source=r.source(SOURCE_DOCUMENT),
        path=rel, venue=r.text("venue"), address=r.text("address"), city=r.text("city"),
        country=r.text("country"), online=r.boolean("online"), supporter=r.text("supporter"),
        start_time=r.text("start_time"), end_time=r.text("end_time"), timezone=r.text("timezone"),
        registration_opens=r.text("registration_opens"), privacy_policy=r.text("privacy_policy"),
        provenance=r.provenance())


def read_session(path: Path, root: Path, problems: list, docs: dict, text: str | None = None) -> Session | None:
    parsed = read_document(path, root, problems, docs, text)
    if parsed is None:
        return None
    rel, doc = parsed
    r = _reader(rel, doc, SESSION_KEYS, problems)
    ident = r.identifier("id", required=True)
    _check_id_matches_file(r, ident, path)
    return Session(id=ident, conference=r.identifier("conference", True), number=r.integer("number", True),
                   title=r.text("title", True), purpose=_require_body(rel, doc, "session's purpose", problems),
                   source=r.source(SOURCE_DOCUMENT), path=rel, recording=r.boolean("recording"))


def read_talk(path: Path, root: Path, problems: list, docs: dict, text: str | None = None) -> Talk | None:
    parsed = read_document(path, root, problems, docs, text)
    if parsed is None:
        return None
    rel, doc = parsed
    r = _reader(rel, doc, TALK_KEYS, problems)
    ident = r.identifier("id", required=True)
    _check_id_matches_file(r, ident, path)
    kind = r.text("kind", True)
    if kind and kind not in TALK_KINDS:
        r.problem("kind", f"unknown kind '{kind}'", hint="use one of: " + ", ".join(TALK_KINDS))
    return Talk(id=ident, conference=r.identifier("conference", True), session=r.identifier("session") or None,
                kind=kind, order=r.integer("order", True), title=r.text("title", True),
                text=_require_body(rel, doc, "summary", problems), source=r.source(SOURCE_DOCUMENT), path=rel,
                speakers=r.identifiers("speakers"), byline=r.strings("byline"),
                title_editorial=r.boolean("title_editorial"), question=r.text("question"),
                abstract=r.text("abstract"), notes=r.text("notes"), topic_overrides=r.overrides(), date=r.date("date"),
                **r.schedule_fields())


def read_speaker(path: Path, root: Path, problems: list, docs: dict, text: str | None = None) -> Speaker | None:
    parsed = read_document(path, root, problems, docs, text)
    if parsed is None:
        return None
    rel, doc = parsed
    r = _reader(rel, doc, SPEAKER_KEYS, problems)
    ident = r.identifier("id", True)
    _check_id_matches_file(r, ident, path)
    appearances = _read_appearances(r)
    if not appearances:
        r.problem("appearances", "a speaker needs at least one appearance", hint="list where they were listed")
    source = appearances[0].source if appearances else Source(SOURCE_DOCUMENT)
    return Speaker(id=ident, name=r.text("name", True), bio=doc.body, source=source, path=rel,
                   honorific=r.text("honorific"), aliases=r.strings("aliases"),
                   appearances=appearances, topic_overrides=r.overrides())


def _read_appearances(r: FieldReader) -> list[Appearance]:
    items = r.mapping.get("appearances")
    if items is None:
        return []
    if not isinstance(items, list):
        r.problem("appearances", "'appearances' must be a list of mappings")
        return []
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            r.problems.append(Problem(r.path, r.doc.line_of("appearances", index),
                                      "each appearance must be a mapping of `name: value` lines",
                                      field=f"appearances.{index}"))
            continue
        a = FieldReader(r.path, r.doc, item, r.problems, ("appearances", index))
        a.check_keys(APPEARANCE_KEYS)
        result.append(Appearance(
            conference=a.identifier("conference", True), session=a.identifier("session") or None,
            listed_name=a.text("listed_name", True), role=a.text("role"), source=a.source(SOURCE_DOCUMENT),
            organisation=a.text("organisation"), organisations=a.strings("organisations"),
            country=a.text("country"), bio=a.text("bio"), person_id=a.text("person_id")))
    return result
