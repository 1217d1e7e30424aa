"""Previous versions of corpus files, kept on every save so that no edit is ever lost.

Layout: the history folder (by default `<corpus>/.history/`) mirrors the corpus; each file's
versions live in a folder named after the file without `.md`:

    .history/conferences/dngc-2025/talks/dngc-2025-s1-qa/20250908T101500123456Z-alice.prev

A version file holds the exact text a save replaced; its name says when (UTC) and who replaced
it. The newest version plus the file on disk give the last change, and so on back in time. A
revert is an ordinary save of an old version's text, so it is itself kept in the history; a version a
restore replaced has a `<name>.restore` file beside it naming the version restored, so the history
can label restores as restores. The taxonomy and synonyms files (`*.yaml`) keep versions the same way.
Version files end in `.prev`, not `.md`, and live under a dot-folder, so nothing that reads
the corpus (`*.md` globs) mistakes them for records.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .writer import WriteError, read_text, write_file

HISTORY_FOLDER = ".history"
SUFFIX = ".prev"
RESTORE_SUFFIX = ".restore"
EDITABLE_SUFFIXES = (".md", ".yaml")
_WORD = re.compile(r"\s+|[^\s]+")
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{12}Z)-(?P<user>[a-z0-9][a-z0-9._-]{0,31})(?:~(?P<n>\d+))?$")


def content_hash(text: str) -> str:
    """A fingerprint of a file's exact text, to tell whether it changed since it was read."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    """One kept version of a file: the text that `user` replaced at `saved_at`."""

    name: str
    saved_at: datetime
    user: str
    path: Path

    def text(self) -> str:
        return read_text(self.path)

    @property
    def restored(self) -> str | None:
        """The name of the version whose restore replaced this one, or None for an ordinary save."""
        note = self.path.with_name(self.name + RESTORE_SUFFIX)
        try:
            return read_text(note).strip() or None
        except (OSError, WriteError):
            return None


class History:
    """The kept versions of the files of one corpus."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def _folder_for(self, rel_path: str) -> Path:
        rel = Path(rel_path)
        if rel.is_absolute() or ".." in rel.parts or rel.suffix not in EDITABLE_SUFFIXES:
            raise ValueError(f"not a corpus file path: {rel_path!r}")
        return self.folder / rel.with_suffix("")

    def keep(self, rel_path: str, text: str, user: str, now: datetime | None = None,
             restoring: str | None = None) -> Version:
        """Store `text` as the version of `rel_path` that `user` is replacing now (by restoring that version)."""
        now = now or datetime.now(timezone.utc)
        base = now.strftime(_STAMP) + f"-{user}"
        folder = self._folder_for(rel_path)
        for attempt in range(100):
            name = base if attempt == 0 else f"{base}~{attempt}"
            path = folder / f"{name}{SUFFIX}"
            try:
                write_file(path, text, create=True)
            except WriteError:
                continue  # two saves in the same microsecond: number the second
            if restoring:
                write_file(folder / f"{name}{RESTORE_SUFFIX}", restoring + "\n")
            return Version(name, now, user, path)
        raise WriteError(f"could not keep the previous version of {rel_path} in {folder}")

    def discard(self, version: Version) -> None:
        """Remove a version kept for a save that then did not happen."""
        version.path.unlink(missing_ok=True)
        version.path.with_name(version.name + RESTORE_SUFFIX).unlink(missing_ok=True)

    def versions(self, rel_path: str) -> list[Version]:
        """Every kept version of a file, newest first."""
        folder = self._folder_for(rel_path)
        found = []
        for path in folder.glob(f"*{SUFFIX}") if folder.is_dir() else ():
            match = _NAME.match(path.name[: -len(SUFFIX)])
            if match:
                saved_at = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=timezone.utc)
                found.append(Version(path.name[: -len(SUFFIX)], saved_at, match["user"], path))
        return sorted(found, key=lambda v: (v.saved_at, int(_NAME.match(v.name)["n"] or 0)), reverse=True)

    def version(self, rel_path: str, name: str) -> Version | None:
        """The version of that name, or None when there is no such version."""
        return next((v for v in self.versions(rel_path) if v.name == name), None)

    def find(self, rel_path: str, digest: str) -> Version | None:
        """The newest version whose text has this content hash, if one was kept."""
        return next((v for v in self.versions(rel_path) if content_hash(v.text()) == digest), None)


def unified_diff(old: str, new: str, old_label: str, new_label: str, context: int = 3) -> list[str]:
    """The lines of a unified diff from old to new (empty when they are equal)."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), old_label, new_label, n=context)]


def word_diff(old: str, new: str, similar: float = 0.3) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Two lines as segments ("same", "del" or "ins", text): what changed word by word, spaces kept.
    Lines with too little in common (under `similar`) come back whole, as ordinary changed lines."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < similar:
        return [("same", old)], [("same", new)]
    old_parts: list[tuple[str, str]] = []
    new_parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            old_parts.append(("same", "".join(a[i1:i2])))
            new_parts.append(("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            old_parts.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            new_parts.append(("ins", "".join(b[j1:j2])))
    return old_parts, new_parts
