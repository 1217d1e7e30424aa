"""The curation start page (every editable record) and the data-quality dashboard (every validator problem)."""

from __future__ import annotations

from flask import current_app, render_template, request

from archive import ERROR, CorpusError, inspect_corpus
from archive.names import fold
from indexer import pending

from . import bp
from .common import corpus_root
from .records import KINDS, Listed, list_records, ref_for_problem_path


MAX_FILTER = 200


@bp.get("/")
def index():
    root = corpus_root()
    waiting = pending.pending(current_app.config["INDEX_DIR"])
    typed = request.args.get("q", "")[:MAX_FILTER].strip()
    groups = [(kind, filter_records(list_records(root, kind), typed)) for kind in KINDS]
    return render_template("curation/index.html", groups=groups, q=typed,
                           shown=sum(len(records) for _, records in groups),
                           not_indexed=pending.describe(waiting) if waiting else "")


def filter_records(records: list[Listed], typed: str) -> list[Listed]:
    """The records whose title, id or session/conference contain every word typed (case and accents ignored)."""
    words = fold(typed).split()
    return [r for r in records if all(w in fold(f"{r.title} {r.ref.ident} {r.group}") for w in words)]


@bp.get("/quality")
def quality():
    root = corpus_root()
    try:
        _, problems = inspect_corpus(root)
    except CorpusError as exc:
        problems = exc.problems
    rows = [(p, ref_for_problem_path(root, p.path)) for p in problems]
    return render_template("curation/quality.html", errors=[r for r in rows if r[0].severity == ERROR],
                           warnings=[r for r in rows if r[0].severity != ERROR], root=root)
