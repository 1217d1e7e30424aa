"""Move an import's files into the corpus in one step, and undo an import that was killed halfway.

Every file is first written to `<corpus>/.staging/<run>/new/` (and the files it replaces copied to
`.../old/`). A journal naming each move is then written; a new conference folder moves in with one
`os.replace`, other files one rename each; deleting the journal marks the import done. If the process
dies while the journal exists, `recover` puts the corpus back as it was before that import.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from ..writer import Change, check_unchanged, write_file

JOURNAL = ".import-journal.json"
STAGING = ".staging"


def commit_changes(root: Path, changes: list[Change]) -> None:
    """Apply every change or none (new files and replaced ones; deletions are not part of imports)."""
    recover(root)
    check_unchanged(changes)
    stage = root / STAGING / uuid.uuid4().hex
    moves = _plan_moves(root, changes)
    for change in changes:
        rel = change.path.relative_to(root)
        _write_synced(stage / "new" / rel, change.text or "")
        if change.expected is not None:
            _write_synced(stage / "old" / rel, change.expected)
    os.sync()  # every staged file on disk before the journal: one call, not one fsync per file
    try:
        write_file(root / JOURNAL, json.dumps({"stage": stage.name, "moves": moves}))
        for move in moves:
            target = root / move["target"]
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / "new" / move["target"], target)
    except BaseException:
        recover(root)
        raise
    _fsync(root)
    (root / JOURNAL).unlink()
    _fsync(root)
    shutil.rmtree(stage, ignore_errors=True)


def _plan_moves(root: Path, changes: list[Change]) -> list[dict]:
    """One move per new top folder (a whole new conference at once), else one per file."""
    moves, folders = [], set()
    for change in changes:
        rel = change.path.relative_to(root)
        top = _new_top(root, rel)
        if top is None:
            moves.append({"target": rel.as_posix(), "folder": False, "replaces": change.expected is not None})
        elif top not in folders:
            folders.add(top)
            moves.append({"target": top, "folder": True, "replaces": False})
    return moves


def _new_top(root: Path, rel: Path) -> str | None:
    """The highest folder on rel's path (below the corpus's own top folders) that does not exist yet."""
    for depth in range(2, len(rel.parts)):
        folder = Path(*rel.parts[:depth])
        if not (root / folder).exists():
            return folder.as_posix()
    return None


def _write_synced(path: Path, text: str) -> None:
    """Write a staged file; commit_changes syncs them all at once before the journal is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _fsync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(root: Path) -> bool:
    """Undo an import that did not finish, and clear staging left behind; True when something was undone."""
    journal = root / JOURNAL
    undone = False
    if journal.exists():
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:
            data = None  # killed while the journal itself was written: no move had started
        if data:
            _undo(root, root / STAGING / data["stage"], data["moves"])
            undone = True
        journal.unlink()
    for stray in root.glob(f".{JOURNAL}.*.tmp"):  # killed while the journal was written (writer._stage): no move began
        stray.unlink(missing_ok=True)
    shutil.rmtree(root / STAGING, ignore_errors=True)
    return undone


def _undo(root: Path, stage: Path, moves: list[dict]) -> None:
    for move in reversed(moves):
        target = root / move["target"]
        if move["folder"]:
            shutil.rmtree(target, ignore_errors=True)
        elif move["replaces"]:
            old = stage / "old" / move["target"]
            if old.exists():
                os.replace(old, target)
        else:
            target.unlink(missing_ok=True)
    _fsync(root)
