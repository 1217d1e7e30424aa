"""Why a talk or speaker has each topic: the taxonomy rules that matched, their words, and the overrides."""

from __future__ import annotations

from flask import abort, render_template

from archive import CorpusError, inspect_corpus
from archive.topic_review import ReviewError, explain_record

from . import bp
from .common import corpus_root, record_or_404

EXPLAINED_KINDS = ("talks", "speakers")


@bp.get("/<any(talks, speakers):kind>/<ident>/topics")
def topics(kind: str, ident: str):
    record_or_404(kind, ident)
    try:
        corpus, _ = inspect_corpus(corpus_root())
        explanation = explain_record(corpus, ident)
    except (CorpusError, ReviewError) as exc:
        abort(404, description=str(exc))
    if (explanation.kind == "speaker") != (kind == "speakers"):
        abort(404, description=f"no {kind[:-1]} has the id '{ident}'")
    return render_template("curation/topics.html", e=explanation, kind=kind)
