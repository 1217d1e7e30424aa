"""Where builds live on disk: builds/<name>/, a `current` pointer file, and a build lock."""

from __future__ import annotations

import os
import stat
from pathlib import Path

CURRENT = "current"
BUILDS = "builds"
LOCK = "build.lock"
META = "meta.json"
FACETS = "facets.json"
SUGGEST = "suggest.json"


class IndexUnavailable(Exception):
    """No usable index: the message says which command fixes it."""


def current_build(root: Path) -> Path:
    """The published build folder, or IndexUnavailable with the command that creates one."""
    pointer = root / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexUnavailable(f"No index in {root}. Build it with `confarchive build --index {root}`.") from None
    path = root / BUILDS / name
    if not name or not (path / META).is_file():
        raise IndexUnavailable(f"The index in {root} is damaged (build '{name}' is missing). "
                               f"Rebuild it with `confarchive build --index {root}`.")
    return path


def publish(root: Path, build: Path) -> None:
    """Point `current` at a finished build in one atomic step."""
    tmp = root / f".{CURRENT}.{os.getpid()}.tmp"
    tmp.write_text(build.name + "\n", encoding="utf-8")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, root / CURRENT)


def pointer_path(root: Path) -> str:
    """The pointer file's path, as the string `pointer_stamp` takes (a Path join per request cost more than the stat)."""
    return os.fspath(root / CURRENT)


def pointer_stamp(pointer: str) -> tuple:
    """Cheap fingerprint of the pointer file (`pointer_path`), to notice a newly published build; a store
    checks it on every request."""
    try:
        stat = os.stat(pointer)
    except FileNotFoundError:
        return ()
    return (stat.st_mtime_ns, stat.st_ino, stat.st_size)


def looks_like_json(path: Path, brackets: bytes) -> bool:
    """A cheap check, when opening a build, that a large JSON file is whole: it opens and closes with brackets."""
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip()
        handle.seek(max(0, path.stat().st_size - 64))
        tail = handle.read().rstrip()
    return head[:1] == brackets[:1] and tail[-1:] == brackets[1:]


def segment_files(folder: Path) -> dict[str, int]:
    """The sizes of a Whoosh index's own files in folder, recorded in meta.json and checked when opening.
    One listing and a stat per index file: an updated build's folder holds a dozen more files per update."""
    with os.scandir(folder) as entries:
        sizes = {entry.name: entry.stat().st_size for entry in entries
                 if entry.name.startswith(("MAIN_", "_MAIN_")) and entry.name != "MAIN_WRITELOCK" and entry.is_file()}
    return dict(sorted(sizes.items()))


def files_problem(folder: Path, expected: dict[str, int]) -> str | None:
    """What is wrong with the index files compared with the sizes recorded at build time, or None.
    One stat per file: an updated build lists a dozen more files per update, checked at every open."""
    for name, size in expected.items():
        try:
            found = os.stat(os.path.join(folder, name))
        except (FileNotFoundError, NotADirectoryError):
            return f"{name} is missing"
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror})"
        if not stat.S_ISREG(found.st_mode):
            return f"{name} is missing"
        if found.st_size != size:
            return f"{name} has {found.st_size} bytes, the build wrote {size}"
    return None
