"""Which corpus file holds a talk, speaker or session, and the list of editable records."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from archive.fields import ID_PATTERN
from archive.frontmatter import FrontMatterError, parse

# URL segment -> (glob of its files relative to the corpus, singular label)
KINDS = {
    "talks": ("conferences/*/talks/{id}.md", "talk"),
    "speakers": ("speakers/{id}.md", "speaker"),
    "sessions": ("conferences/*/sessions/{id}.md", "session"),
}


@dataclass(frozen=True)
class RecordRef:
    """One editable record: its kind (URL segment), id and file."""

    kind: str
    ident: str
    root: Path
    rel: str  # path relative to the corpus folder, with forward slashes

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @property
    def problem_path(self) -> str:
        """The path as the validator writes it in problems: the corpus folder's name first."""
        return f"{self.root.name}/{self.rel}"

    @property
    def label(self) -> str:
        return KINDS[self.kind][1]


MAX_ID_LENGTH = 200  # a longer id cannot be a file name on common file systems (255 bytes with ".md")


def find_record(root: Path, kind: str, ident: str) -> RecordRef | None:
    """The record's file, or None for an unknown kind, a malformed or overlong id or a missing file."""
    if kind not in KINDS or len(ident or "") > MAX_ID_LENGTH or not ID_PATTERN.match(ident or ""):
        return None
    try:
        matches = sorted(root.glob(KINDS[kind][0].format(id=ident)))
    except OSError:  # the folder cannot be read: as good as missing, the page says so
        return None
    if not matches:
        return None
    return RecordRef(kind, ident, root, matches[0].relative_to(root).as_posix())


def ref_for_problem_path(root: Path, problem_path: str) -> RecordRef | None:
    """The record a validator problem is about, when it is an editable one."""
    prefix = f"{root.name}/"
    if not problem_path.startswith(prefix) or not problem_path.endswith(".md"):
        return None
    parts = problem_path[len(prefix):].split("/")
    kind = {("speakers",): "speakers"}.get(tuple(parts[:1]))
    if len(parts) == 4 and parts[0] == "conferences" and parts[2] in ("talks", "sessions"):
        kind = parts[2]
    if kind is None or (kind == "speakers" and len(parts) != 2):
        return None
    return find_record(root, kind, parts[-1][:-3])


@dataclass(frozen=True)
class Listed:
    ref: RecordRef
    title: str
    group: str


def list_records(root: Path, kind: str) -> list[Listed]:
    """Every record of a kind with its title or name, for the curation index page."""
    pattern = KINDS[kind][0].format(id="*")
    found = []
    for path in sorted(root.glob(pattern)):
        meta = _meta(path)
        title = str(meta.get("title") or meta.get("name") or path.stem)
        group = str(meta.get("session") or meta.get("conference") or "")
        found.append(Listed(RecordRef(kind, path.stem, root, path.relative_to(root).as_posix()), title, group))
    return found


def _meta(path: Path) -> dict:
    try:
        return parse(path.read_text(encoding="utf-8")).meta
    except (FrontMatterError, UnicodeDecodeError, OSError):
        return {}


def closest_ids(root: Path, kind: str, ident: str, limit: int = 3) -> list[Listed]:
    """The records of a kind whose ids look most like a mistyped one: close spellings, or ids ending in it."""
    records = {item.ref.ident: item for item in list_records(root, kind)} if kind in KINDS else {}
    typed = (ident or "").lower()
    ends = [i for i in records if typed and (i.endswith("-" + typed) or typed.endswith("-" + i))]
    tails = {i: i.split("-", 3)[-1] for i in records}  # dngc-2025-s2-tine-jess -> tine-jess
    close = difflib.get_close_matches(typed, list(records), n=limit, cutoff=0.6)
    close += [i for i in records if difflib.get_close_matches(typed, [tails[i]], n=1, cutoff=0.75)]
    return [records[i] for i in list(dict.fromkeys(ends + close))[:limit]]
