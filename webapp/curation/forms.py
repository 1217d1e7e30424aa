"""The edit forms: which front-matter fields each kind shows, and converting them to and from form values.

A form works on the file's own front matter (a dict), not on loaded records, so that fields the
form does not show (source, conference, notes...) are left exactly as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from archive.records import TALK_KINDS
from archive.writer import dump_yaml
from archive.yamlguard import form_yaml_problem


@dataclass(frozen=True)
class Field:
    name: str      # the front-matter key and the form field's name
    label: str
    widget: str    # text, textarea, number, select, ids, lines, topics, yaml
    help: str = ""
    choices: tuple = ()


TALK_FIELDS = (
    Field("title", "Title", "text"),
    Field("kind", "Kind", "select", choices=TALK_KINDS),
    Field("order", "Order in the session", "number", "Position in the session's programme, 1-based."),
    Field("speakers", "Speakers", "ids", "Speaker ids, one per line (the file names under speakers/)."),
    Field("byline", "Byline", "lines", "The heading lines above the summary, one per line, verbatim."),
    Field("question", "Question", "textarea", "Panels only: the question the panel debated."),
    Field("topics", "Topic overrides", "topics"),
    Field("notes", "Librarian's notes", "textarea",
          "Why something odd is kept as it is (a typo in the source, a paraphrased question); shown beside "
          "the fields it explains."),
)
SPEAKER_FIELDS = (
    Field("name", "Name", "text", "The fullest form the sources give."),
    Field("honorific", "Honorific", "text", "Dr., Dame, … shown before the name."),
    Field("aliases", "Aliases", "lines", "Every other form of the name the sources use, one per line."),
    Field("topics", "Topic overrides", "topics"),
    Field("appearances", "Appearances", "yaml",
          "One entry per listing, as YAML: conference, session, listed_name, role, organisation, "
          "organisations, country, bio, source."),
)
SESSION_FIELDS = (
    Field("title", "Title", "text"),
    Field("number", "Number", "number", "Programme order; 0 for an opening outside the numbered sessions."),
    Field("notes", "Librarian's notes", "textarea",
          "Why something odd is kept as it is; shown beside the fields it explains."),
)
FIELDS = {"talks": TALK_FIELDS, "speakers": SPEAKER_FIELDS, "sessions": SESSION_FIELDS}
BODY_LABELS = {"talks": "Summary (Markdown)", "speakers": "Biography (Markdown)",
               "sessions": "Purpose (Markdown)"}


@dataclass
class EditForm:
    """What the form shows (strings and lists) and what it means for the file (front-matter values)."""

    kind: str
    shown: dict
    body: str
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # field name -> messages found before validation

    @property
    def fields(self) -> tuple[Field, ...]:
        return FIELDS[self.kind]


def form_from_file(kind: str, meta: dict, body: str) -> EditForm:
    """The form as it first shows a file."""
    shown = {f.name: _show(f, meta.get(f.name)) for f in FIELDS[kind]}
    return EditForm(kind, shown, body, values={f.name: meta.get(f.name) for f in FIELDS[kind]})


def form_from_request(kind: str, data) -> EditForm:
    """The form as submitted: the values as typed, and their front-matter meaning."""
    form = EditForm(kind, {}, normalise_body(data.get("body", "")))
    for f in FIELDS[kind]:
        if f.widget == "topics":
            form.shown[f.name] = {"add": data.getlist("topics_add"), "remove": data.getlist("topics_remove")}
        else:
            form.shown[f.name] = data.get(f.name, "")
        try:
            form.values[f.name] = _parse(f, form.shown[f.name])
        except ValueError as exc:
            form.errors[f.name] = [str(exc)]
    return form


def normalise_body(text: str) -> str:
    """Browsers send CRLF line ends; the corpus uses LF and no blank lines around the body."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def changes(form: EditForm, meta: dict) -> dict:
    """The front-matter keys whose value the form changes (an empty field equals a missing or null key)."""
    return {name: value for name, value in form.values.items() if not _same(meta.get(name), value)}


def _same(current, new) -> bool:
    if isinstance(new, dict) and set(new) == {"add", "remove"}:
        current = current if isinstance(current, dict) else {}
        return (set(current) <= {"add", "remove"} and (current.get("add") or []) == new["add"]
                and (current.get("remove") or []) == new["remove"])
    if new in (None, "", []):
        return current in (None, "", [])
    return current == new


def _show(f: Field, value):
    if f.widget == "topics":
        value = value if isinstance(value, dict) else {}
        return {"add": [str(t) for t in value.get("add") or []], "remove": [str(t) for t in value.get("remove") or []]}
    if value is None:
        return ""
    if f.widget in ("ids", "lines") and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if f.widget == "yaml":
        return dump_yaml(value) if value else ""
    return str(value)


def _parse(f: Field, shown):
    if f.widget == "topics":
        return {"add": list(dict.fromkeys(shown["add"])), "remove": list(dict.fromkeys(shown["remove"]))}
    text = shown.replace("\r\n", "\n").strip()
    if f.widget == "ids":
        return [v for v in re.split(r"[\s,]+", text) if v]
    if f.widget == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()]
    if f.widget == "number":
        return int(text) if re.fullmatch(r"-?\d+", text) else (text or None)  # the validator words the error
    if f.widget == "yaml":
        return _parse_yaml(text)
    return text or None


def _parse_yaml(text: str):
    """The box's YAML as data: plain values only (archive/yamlguard.py), else ValueError with the reason."""
    try:
        problem = form_yaml_problem(text) if text else None
        if problem:
            raise ValueError(problem)
        return yaml.safe_load(text) if text else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1} of the box)" if mark else ""
        raise ValueError(f"invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
