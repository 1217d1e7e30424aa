"""Edit corpus/taxonomy.yaml and corpus/synonyms.yaml from the web: check, preview what changes, save, rebuild.

A save is refused if the file changed since the form was opened, keeps the replaced text in the
history, replaces the file atomically, and queues a full rebuild of the search index (every
record's topics may change), which runs in the background; the page says when it is done.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from archive import CorpusError, inspect_corpus
from archive.history import content_hash
from archive.writer import Change, WriteError, apply_changes, read_text

from . import bp
from .common import corpus_root, history, index_queue
from .editing import corpus_lock
from .forms import normalise_body
from .index_queue import FULL
from .vocabulary_check import FILES, Checked, check

NAME_RULE = "<any(taxonomy, synonyms):name>"
MAX_CHARS = 500_000
TITLES = {"taxonomy": "Topic taxonomy", "synonyms": "Search synonyms"}


@bp.get(f"/vocabulary/{NAME_RULE}")
def vocabulary(name: str):
    current = _current(name)
    return _page(name, current, content_hash(current))


@bp.post(f"/vocabulary/{NAME_RULE}")
def vocabulary_save(name: str):
    text = normalise_body(request.form.get("text", "")) + "\n"
    base_hash = request.form.get("base_hash", "")
    if len(text) > MAX_CHARS:
        return _page(name, text, base_hash, Checked([(1, f"the text is longer than {MAX_CHARS:,} characters")])), 400
    checked = _check(name, text)
    if not checked.ok or request.form.get("action") == "preview":
        return _page(name, text, base_hash, checked, previewed=True), 200 if checked.ok else 400
    return _save(name, text, base_hash, checked)


def _current(name: str) -> str:
    path = corpus_root() / FILES[name]
    return read_text(path) if path.exists() else ""


def _check(name: str, text: str) -> Checked:
    try:
        corpus, _ = inspect_corpus(corpus_root())
    except CorpusError:
        abort(503, description="The corpus cannot be read now (see Data quality), so nothing can be checked.")
    return check(name, text, corpus)


def _save(name: str, text: str, base_hash: str, checked: Checked):
    rel = FILES[name]
    path = corpus_root() / rel
    with corpus_lock(corpus_root()):
        current = _current(name)
        if content_hash(current) != base_hash:
            return _page(name, text, content_hash(current), checked, conflict=current), 409
        if text == current:
            flash("Nothing changed, so nothing was saved.", "notice")
            return redirect(url_for(".vocabulary", name=name), code=303)
        version = history().keep(rel, current, g.user)
        try:
            apply_changes([Change(path, text, expected=current if path.exists() else None)])
        except WriteError as exc:
            history().discard(version)
            return _page(name, text, base_hash, Checked([(1, f"nothing was saved: {exc}")])), 409
    index_queue().submit(full=True)
    flash(f"Saved {rel}. The previous version is kept in the history; the search index is being rebuilt "
          "in full, which takes a while: this page says when it is done.", "success")
    return redirect(url_for(".vocabulary", name=name), code=303)


def _page(name: str, text: str, base_hash: str, checked: Checked | None = None, previewed: bool = False,
          conflict: str | None = None):
    return render_template("curation/vocabulary.html", name=name, title=TITLES[name], rel=FILES[name], text=text,
                           base_hash=base_hash, checked=checked, previewed=previewed, conflict=conflict,
                           versions=history().versions(FILES[name]), indexing=index_queue().status(FULL),
                           indexing_key=FULL)
