"""The curation start page (every editable record) and the data-quality dashboard (every validator problem)."""

from __future__ import annotations

from flask import current_app, render_template

from archive import ERROR, CorpusError, inspect_corpus
from indexer import pending

from . import bp
from .common import corpus_root
from .records import KINDS, list_records, ref_for_problem_path


@bp.get("/")
def index():
    root = corpus_root()
    waiting = pending.pending(current_app.config["INDEX_DIR"])
    return render_template("curation/index.html", groups=[(kind, list_records(root, kind)) for kind in KINDS],
                           not_indexed=pending.describe(waiting) if waiting else "")


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
