"""What the curation views share: the corpus folder, its history, looking up a record, diff rows."""

from __future__ import annotations

from pathlib import Path

import threading

from flask import abort, current_app, g, make_response, render_template

from archive.history import History, word_diff
from archive.names import fold
from archive.taxonomy import load_taxonomy

from indexer import pending

from . import bp, csrf
from .index_queue import IndexQueue
from .records import KINDS, RecordRef, closest_ids, find_record
from .reindex import compact_if_needed, rebuild

_queue_guard = threading.Lock()


def corpus_root() -> Path:
    return Path(current_app.config["CORPUS_DIR"])


def history() -> History:
    folder = current_app.config.get("HISTORY_DIR") or corpus_root() / ".history"
    return History(folder)


def record_or_404(kind: str, ident: str) -> RecordRef:
    ref = find_record(corpus_root(), kind, ident)
    if ref is None:
        abort(not_found(kind, ident))
    return ref


def not_found(kind: str, ident: str):
    """A 404 page that offers the closest ids of that kind ("did you mean tine-jess?")."""
    label = KINDS[kind][1] if kind in KINDS else "record"
    elsewhere = [ref for other in KINDS if other != kind and (ref := find_record(corpus_root(), other, ident))]
    page = render_template("curation/not_found.html", kind=kind, ident=ident, label=label, elsewhere=elsewhere,
                           suggestions=closest_ids(corpus_root(), kind, ident))
    return make_response(page, 404)


def index_queue() -> IndexQueue:
    """The app's one reindexing queue (created on first use)."""
    app = current_app._get_current_object()
    with _queue_guard:
        if "confarchive.index_queue" not in app.extensions:
            config = app.config

            def run(ids):
                started = pending.now()
                result = rebuild(config["CORPUS_DIR"], config["INDEX_DIR"], wait=config["REBUILD_WAIT_SECONDS"],
                                 changed=ids)
                if result.ok:  # the saves noted before this update are searchable now
                    files = None if ids is None else _files_of(Path(config["CORPUS_DIR"]), ids)
                    pending.clear(config["INDEX_DIR"], files, before=started)
                return result
            def compact(changed_since):
                return compact_if_needed(config["CORPUS_DIR"], config["INDEX_DIR"], changed_since)
            app.extensions["confarchive.index_queue"] = IndexQueue(
                run, config["REINDEX_DELAY_SECONDS"], config["REINDEX_MAX_DELAY_SECONDS"], compact,
                config["COMPACT_IDLE_SECONDS"])
        return app.extensions["confarchive.index_queue"]


def _files_of(root: Path, ids) -> list[str]:
    """The corpus files (relative paths) of the given record ids, whatever their kind."""
    refs = (find_record(root, kind, ident) for ident in ids for kind in KINDS)
    return [ref.rel for ref in refs if ref is not None]


def topic_choices() -> list[tuple[str, str]]:
    """(id, label) of every topic in the taxonomy, for the topic override checkboxes."""
    root = corpus_root()
    topics, _ = load_taxonomy(root / "taxonomy.yaml", "taxonomy.yaml", [])
    return [(t.id, t.label) for t in topics.values()]


def _line_kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "diff-file"
    if line.startswith("@@"):
        return "diff-hunk"
    return {"+": "diff-add", "-": "diff-del"}.get(line[:1], "diff-same")


def diff_rows(lines: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Unified diff lines as (css class, [(segment kind, text)]): a removed line followed by an added one
    gets word-level segments ("del", "ins", "same"), for a table the template escapes."""
    rows = [(_line_kind(line), [("same", line)]) for line in lines]
    i = 0
    while i < len(rows):
        dels = _run(rows, i, "diff-del")
        adds = _run(rows, i + len(dels), "diff-add")
        for offset, (old, new) in enumerate(zip(dels, adds)):
            old_parts, new_parts = word_diff(old[1][0][1][1:], new[1][0][1][1:])
            rows[i + offset] = ("diff-del", [("same", "-"), *old_parts])
            rows[i + len(dels) + offset] = ("diff-add", [("same", "+"), *new_parts])
        i += max(1, len(dels) + len(adds))
    return rows


def _run(rows: list, start: int, kind: str) -> list:
    end = start
    while end < len(rows) and rows[end][0] == kind:
        end += 1
    return rows[start:end]


@bp.app_template_filter("fold")
def _fold(text: str) -> str:
    return fold(text)


@bp.context_processor
def _template_helpers() -> dict:
    return {"csrf_token": csrf.token, "user": g.get("user")}
