"""Edits saved to the corpus that the index does not have yet, so corpus and index are never silently apart.

A save records its file here (`<index>/pending-edits.json`) before it writes the corpus, and the
update that follows removes it. When the update fails (disk full, a build held elsewhere), the
record stays: the editor, `confarchive serve` and the app's start-up say which edits are missing,
and the next full build, which reads every file, clears them all.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from archive.writer import write_file

FILE = "pending-edits.json"


def pending(index_dir: Path | str) -> list[dict]:
    """The recorded edits, oldest first: [{"file", "user", "saved"}]; [] when there are none or the record is unreadable."""
    path = Path(index_dir) / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in data if isinstance(e, dict) and isinstance(e.get("file"), str)] if isinstance(data, list) else []


def record(index_dir: Path | str, rel: str, user: str) -> None:
    """Note that `rel` is about to change; raises OSError when it cannot be noted (then do not save)."""
    entries = [e for e in pending(index_dir) if e["file"] != rel]
    entries.append({"file": rel, "user": user, "saved": now()})
    _write(index_dir, entries)


def clear(index_dir: Path | str, files: list[str] | None = None, before: str | None = None) -> None:
    """Forget the given files' edits (all, for a full build), or only those noted before `before` (see now());
    a failure here only leaves a stale warning."""
    entries = pending(index_dir)
    keep = [e for e in entries if (files is not None and e["file"] not in files) or (before and e["saved"] >= before)]
    if keep == entries:
        return
    try:
        _write(index_dir, keep) if keep else (Path(index_dir) / FILE).unlink(missing_ok=True)
    except OSError:
        pass


def now() -> str:
    """The time as pending notes write it, to compare with their `saved`."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def describe(entries: list[dict]) -> str:
    """One sentence for the librarian or the operator."""
    files = ", ".join(e["file"] for e in entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
    return (f"The search index does not include {len(entries)} saved edit(s) ({files}): the corpus files were saved but "
            "the index could not be updated. Run `confarchive build` to bring them together.")


def _write(index_dir: Path | str, entries: list[dict]) -> None:
    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_file(folder / FILE, json.dumps(entries, indent=2) + "\n")
