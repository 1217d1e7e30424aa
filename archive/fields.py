"""Read typed fields out of front matter, collecting a Problem for each bad one."""

from __future__ import annotations

import datetime as dt
import re

from .frontmatter import Document
from .problems import Problem
from .records import PROVENANCE_FIELDS, UNKNOWN, Provenance, Source, TopicOverrides

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
DURATION = re.compile(r"^[0-9]{1,3}:[0-5][0-9]$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class FieldReader:
    """Typed access to one mapping of a document; bad values become Problems, not exceptions."""

    def __init__(self, path: str, doc: Document, mapping: dict, problems: list, prefix: tuple = ()):
        self.path, self.doc, self.mapping, self.problems, self.prefix = path, doc, mapping, problems, prefix

    def line(self, key=None) -> int:
        return self.doc.line_of(*self.prefix, *((key,) if key is not None else ()))

    def problem(self, key, message: str, hint: str = "") -> None:
        name = ".".join(str(p) for p in (*self.prefix, key) if p != "")
        self.problems.append(Problem(self.path, self.line(key), message, field=name, hint=hint))

    def check_keys(self, allowed: set) -> None:
        for key in self.mapping:
            if key not in allowed:
                self.problem(key, f"unknown field '{key}'", hint="allowed: " + ", ".join(sorted(allowed)))

    def _get(self, key, required: bool):
        value = self.mapping.get(key)
        if value is None and required:
            self.problems.append(Problem(self.path, self.line(), f"missing required field '{key}'",
                                         field=key, hint=f"add a line `{key}: ...`"))
        return value

    def text(self, key, required: bool = False) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if isinstance(value, (dict, list, bool)):
            self.problem(key, f"'{key}' must be text, not {type(value).__name__}")
            return ""
        value = str(value).strip()
        if required and not value:
            self.problem(key, f"'{key}' must not be empty")
        return value

    def identifier(self, key, required: bool = False) -> str:
        value = self.text(key, required)
        if value and not ID_PATTERN.match(value):
            self.problem(key, f"'{key}' is not a valid id: {value!r}",
                         hint="use lowercase letters, digits and single hyphens")
        return value

    def integer(self, key, required: bool = False, default: int = 0) -> int:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"'{key}' must be a whole number, not {value!r}")
            return default
        return value

    def boolean(self, key, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"'{key}' must be true or false, not {value!r}")
            return default
        return value

    def date(self, key, required: bool = False):
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(key, f"'{key}' is not a date: {value!r}", hint="write it as YYYY-MM-DD")
            return None

    def strings(self, key, required: bool = False) -> list[str]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.problem(key, f"'{key}' must be a list of text values")
            return []
        return [str(v).strip() for v in value]

    def identifiers(self, key, required: bool = False) -> list[str]:
        values = self.strings(key, required)
        for value in values:
            if not ID_PATTERN.match(value):
                self.problem(key, f"'{key}' holds an invalid id: {value!r}")
        return values

    def child(self, key) -> "FieldReader | None":
        value = self.mapping.get(key)
        prefix = self.prefix + (key,)
        if not isinstance(value, dict):
            self.problem(key, f"'{key}' must be a mapping of `name: value` lines")
            return None
        return FieldReader(self.path, self.doc, value, self.problems, prefix)

    def source(self, default_document: str) -> Source:
        if self.mapping.get("source") is None:
            self.problem("source", "missing required field 'source'",
                         hint="say where this came from: {section: ..., lines: ...}")
            return Source(default_document)
        reader = self.child("source")
        if reader is None:
            return Source(default_document)
        reader.check_keys({"document", "section", "lines", "url"})
        return Source(document=reader.text("document") or default_document, section=reader.text("section"),
                      lines=reader.text("lines"), url=reader.text("url") or None)

    def overrides(self) -> TopicOverrides:
        if self.mapping.get("topics") is None:
            return TopicOverrides()
        reader = self.child("topics")
        if reader is None:
            return TopicOverrides()
        reader.check_keys({"add", "remove"})
        return TopicOverrides(tuple(reader.identifiers("add")), tuple(reader.identifiers("remove")))

    def provenance(self) -> Provenance:
        """A conference's provenance and rights; each field is text, 'unknown', or (retrieved) a date."""
        if self.mapping.get("provenance") is None:
            return Provenance()
        reader = self.child("provenance")
        if reader is None:
            return Provenance()
        reader.check_keys(set(PROVENANCE_FIELDS))
        values = {name: reader.text(name) for name in PROVENANCE_FIELDS if name != "retrieved"}
        url = values["source_url"]
        if url and url.lower() != UNKNOWN and not url.startswith(("http://", "https://")):
            reader.problem("source_url", f"'source_url' must be an http(s) address or 'unknown', not {url!r}")
        return Provenance(retrieved=reader.retrieved(), **values)

    def retrieved(self) -> str:
        """'unknown', or a YYYY-MM-DD date as text."""
        value = self.mapping.get("retrieved")
        if value is None or str(value).strip().lower() == UNKNOWN:
            return "" if value is None else UNKNOWN
        found = self.date("retrieved")
        return found.isoformat() if found else ""

    def pattern(self, key, pattern: re.Pattern, hint: str) -> str:
        """Text that must match a pattern (times, durations, language codes); '' and a Problem when not."""
        value = self.text(key)
        if value and not pattern.match(value):
            self.problem(key, f"'{key}' is not valid: {value!r}", hint=hint)
            return ""
        return value

    def schedule_fields(self) -> dict:
        """A talk's fields from its conference schedule: when, where, in which language, and the event's ids."""
        return {"start": self.pattern("start", CLOCK, 'write the local start time as "HH:MM"'),
                "duration": self.pattern("duration", DURATION, 'write the duration as "HH:MM"'),
                "language": self.pattern("language", LANGUAGE, "use an ISO 639 code such as en, de or da"),
                **{key: self.text(key) for key in ("room", "subtitle", "type", "event_id", "event_guid")}}
