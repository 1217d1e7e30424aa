"""What the curation views share: the corpus folder, its history, looking up a record, diff rows."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, g

from archive.history import History
from archive.taxonomy import load_taxonomy

from . import bp, csrf
from .records import RecordRef, find_record


def corpus_root() -> Path:
    return Path(current_app.config["CORPUS_DIR"])


def history() -> History:
    folder = current_app.config.get("HISTORY_DIR") or corpus_root() / ".history"
    return History(folder)


def record_or_404(kind: str, ident: str) -> RecordRef:
    ref = find_record(corpus_root(), kind, ident)
    if ref is None:
        abort(404, description=f"There is no {kind.rstrip('s')} with the id '{ident}' in the corpus.")
    return ref


def topic_choices() -> list[tuple[str, str]]:
    """(id, label) of every topic in the taxonomy, for the topic override checkboxes."""
    root = corpus_root()
    topics, _ = load_taxonomy(root / "taxonomy.yaml", "taxonomy.yaml", [])
    return [(t.id, t.label) for t in topics.values()]


def diff_rows(lines: list[str]) -> list[tuple[str, str]]:
    """Unified diff lines as (css class, text), for a table the template escapes."""
    def kind(line: str) -> str:
        if line.startswith(("+++", "---")):
            return "diff-file"
        if line.startswith("@@"):
            return "diff-hunk"
        return {"+": "diff-add", "-": "diff-del"}.get(line[:1], "diff-same")
    return [(kind(line), line) for line in lines]


@bp.context_processor
def _template_helpers() -> dict:
    return {"csrf_token": csrf.token, "user": g.get("user")}
