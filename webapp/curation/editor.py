"""Edit a talk, speaker or session: the form, its preview, and a save that validates, keeps history and reindexes."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for

from archive.frontmatter import FrontMatterError, parse
from archive.history import content_hash, unified_diff
from archive.text import to_html
from archive.writer import WriteError, read_text, update_text
from indexer import pending

from . import bp
from .common import diff_rows, history, index_queue, record_or_404, topic_choices
from .context import load_record, note_sentences, notes_beside, preview_topics, topic_labels
from .editing import CONFLICT, FAILED, INVALID, SAVED, save_text
from .forms import BODY_LABELS, EditForm, changes, form_from_file, form_from_request

KIND_RULE = "<any(talks, speakers, sessions):kind>"


@bp.get(f"/{KIND_RULE}/<ident>/edit")
def edit(kind: str, ident: str):
    ref = record_or_404(kind, ident)
    text = read_text(ref.path)
    try:
        doc = parse(text)
    except FrontMatterError as exc:
        return render_template("curation/broken.html", ref=ref, text=text, line=exc.line, message=exc.message)
    return _form_page(ref, form_from_file(kind, doc.meta, doc.body), content_hash(text))


@bp.post(f"/{KIND_RULE}/<ident>/edit")
def save(kind: str, ident: str):
    ref = record_or_404(kind, ident)
    form = form_from_request(kind, request.form)
    base_hash = request.form.get("base_hash", "")
    if request.form.get("action") == "preview":
        return _form_page(ref, form, base_hash, preview=to_html(form.body))
    if form.errors:
        return _form_page(ref, form, base_hash, problems=form.errors), 400
    current = read_text(ref.path)
    if content_hash(current) != base_hash:
        return _conflict_page(ref, form, base_hash, current)
    try:
        new_text = update_text(current, changes(form, parse(current).meta), form.body)
    except (WriteError, FrontMatterError) as exc:
        return _form_page(ref, form, base_hash, general=[str(exc)]), 400
    return _after_save(ref, form, base_hash, new_text)


def _after_save(ref, form: EditForm, base_hash: str, new_text: str):
    outcome = save_recorded(ref, new_text, base_hash)
    if outcome.status == CONFLICT:
        return _conflict_page(ref, form, base_hash, outcome.current)
    if outcome.status == INVALID:
        by_field, general = split_problems(outcome.problems, form)
        return _form_page(ref, form, base_hash, problems=by_field, general=general), 400
    if outcome.status == FAILED:
        return _form_page(ref, form, base_hash, general=[outcome.message + " Your text is still in the form."]), 503
    if outcome.status == SAVED:
        flash(f"Saved {ref.rel}. The previous version is kept in its history.", "success")
        flash_warnings(outcome.problems)
        queue_reindex([ref.ident])
    else:
        flash("Nothing changed, so nothing was saved.", "notice")
    return redirect(url_for(".edit", kind=ref.kind, ident=ref.ident), code=303)


def save_recorded(ref, new_text: str, base_hash: str, restoring: str | None = None):
    """save_text, noting the edit as pending for the index first (indexer/pending.py); if the note
    cannot be written, nothing is saved, and a save that did not happen leaves no note. The index
    queue clears the note once the edit is searchable."""
    index_dir = current_app.config["INDEX_DIR"]
    already = any(e["file"] == ref.rel for e in pending.pending(index_dir))  # an earlier edit still not indexed
    outcome = save_text(ref, new_text, base_hash, g.user, history(),
                        before_write=lambda: pending.record(index_dir, ref.rel, g.user), restoring=restoring)
    if outcome.status != SAVED and not already:
        pending.clear(index_dir, [ref.rel])
    return outcome


def flash_warnings(warnings, limit: int = 3) -> None:
    """A few warnings about the saved file; flashes live in the session cookie, which must stay small."""
    for warning in warnings[:limit]:
        flash(f"Warning: {warning.message}" + (f" ({warning.hint})" if warning.hint else ""), "notice")
    if len(warnings) > limit:
        flash(f"… and {len(warnings) - limit} more warning(s): see Data quality.", "notice")


def queue_reindex(changed: list[str]) -> None:
    """Queue the saved records for the next (shared) index update; the page then says when they are searchable."""
    index_queue().submit(changed)


def split_problems(problems, form: EditForm) -> tuple[dict, list[str]]:
    """Problems next to the field they are about; the rest (source, ids, ...) above the form."""
    names = {f.name for f in form.fields} | {"body"}
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for p in problems:
        text = p.message + (f" ({p.hint})" if p.hint else "")
        key = p.field.split(".")[0]
        if key in names:
            by_field.setdefault(key, []).append(text)
        else:
            general.append(f"line {p.line}: {text}")
    return by_field, general


def _form_page(ref, form: EditForm, base_hash: str, problems=None, general=None, preview=None):
    return render_template("curation/edit.html", ref=ref, form=form, base_hash=base_hash, problems=problems or {},
                           general=general or [], preview=preview, topics=topic_choices(),
                           body_label=BODY_LABELS[ref.kind], **_context(ref, form, preview is not None))


def _context(ref, form: EditForm, previewing: bool) -> dict:
    """The notes beside their fields, the record's topics now and (in a preview) after the edit, indexing."""
    notes = str(form.shown.get("notes") or "")
    found = {"notes": note_sentences(notes), "beside": notes_beside(notes, form), "current_topics": None,
             "preview_topics": None, "indexing": index_queue().status(ref.ident)}
    corpus, record = load_record(ref)
    if record is not None:
        found["current_topics"] = topic_labels(corpus, record.topics)
        if previewing and not form.errors:
            found["preview_topics"] = topic_labels(corpus, preview_topics(corpus, record, form))
    return found


def _conflict_page(ref, form: EditForm, base_hash: str, theirs: str):
    """Both versions and their difference; the form keeps the librarian's text, now based on theirs."""
    yours = _yours(theirs, form)
    base = history().find(ref.rel, base_hash)
    return render_template(
        "curation/conflict.html", ref=ref, form=form, base_hash=content_hash(theirs), theirs=theirs, yours=yours,
        diff=diff_rows(unified_diff(theirs, yours, "saved meanwhile (theirs)", "your version")) if yours else None,
        their_change=diff_rows(unified_diff(base.text(), theirs, "when you opened the form", "saved meanwhile"))
        if base else None, problems={}, general=[], preview=None, topics=topic_choices(),
        body_label=BODY_LABELS[ref.kind], **_context(ref, form, False)), 409


def _yours(theirs: str, form: EditForm) -> str | None:
    """The file as it would be if your form were saved over their version (None if it cannot be rendered)."""
    try:
        return update_text(theirs, changes(form, parse(theirs).meta), form.body)
    except (WriteError, FrontMatterError):
        return None

