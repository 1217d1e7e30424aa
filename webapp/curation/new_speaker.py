"""Create a speaker from the web: the checks of `confarchive new speaker`, the validator, an atomic write, history.

The file starts from the same commented skeleton as the command (archive/skeletons.py), filled in
with what the form gives; it is written only when the validator finds no error in it, never over an
existing file, and its creation is kept in the history (as a version with no text before it).
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from archive import ERROR, CorpusError, inspect_corpus
from archive.skeletons import speaker_skeleton
from archive.writer import WriteError, update_text, write_file

from . import bp
from .common import corpus_root, history
from .editing import corpus_lock, validate
from .editor import flash_warnings, queue_reindex
from .forms import normalise_body
from .records import RecordRef

FIELDS = ("ident", "name", "honorific", "conference", "session", "role", "organisation", "country", "bio")
REQUIRED = {"ident": "Give the speaker an id.", "name": "Give the speaker's name.",
            "conference": "Choose the conference of the speaker's first appearance."}


@bp.route("/speakers/new", methods=["GET", "POST"])
def new_speaker():
    corpus = _corpus()
    if request.method == "GET":
        return _page(corpus, dict.fromkeys(FIELDS, ""))
    typed = {name: request.form.get(name, "").strip() for name in FIELDS}
    typed["bio"] = normalise_body(request.form.get("bio", ""))
    problems = {name: [message] for name, message in REQUIRED.items() if not typed[name]}
    if problems or corpus is None:
        return _page(corpus, typed, problems), 400
    try:
        ref, text = _file_for(corpus, typed)
    except WriteError as exc:
        return _page(corpus, typed, {}, [_sentence(exc)]), 400
    problems_found = validate(ref, text)
    errors = [p for p in problems_found if p.severity == ERROR]
    if errors:
        return _page(corpus, typed, {}, [f"line {p.line}: {p.message}" + (f" ({p.hint})" if p.hint else "")
                                         for p in errors]), 400
    return _create(ref, text, problems_found)


def _corpus():
    try:
        corpus, _ = inspect_corpus(corpus_root())
    except CorpusError:
        return None
    return corpus


def _file_for(corpus, typed: dict) -> tuple[RecordRef, str]:
    """The new file's place and text; WriteError for a bad or taken id, or an unknown conference or session."""
    skeleton = speaker_skeleton(corpus, typed["ident"].lower(), typed["conference"], typed["session"] or None,
                                typed["name"])
    appearance = {"conference": typed["conference"], "session": typed["session"] or None,
                  "listed_name": typed["name"], "role": typed["role"] or None,
                  "organisation": typed["organisation"] or None,
                  "organisations": [typed["organisation"]] if typed["organisation"] else [],
                  "country": typed["country"] or None, "bio": None, "source": {"section": None, "lines": None}}
    text = update_text(skeleton.text, {"honorific": typed["honorific"] or None, "appearances": [appearance]},
                       typed["bio"])
    rel = skeleton.path.relative_to(corpus.root).as_posix()
    return RecordRef("speakers", skeleton.path.stem, corpus_root(), rel), text


def _create(ref: RecordRef, text: str, warnings: list):
    with corpus_lock(ref.root):
        try:
            write_file(ref.path, text, create=True)
        except WriteError as exc:
            return _page(_corpus(), {**dict.fromkeys(FIELDS, ""), "ident": ref.ident}, {}, [_sentence(exc)]), 409
        history().keep(ref.rel, "", g.user)  # the version before the creation: no file
    flash(f"Created {ref.rel}. Its creation is kept in its history.", "success")
    flash_warnings(warnings)
    queue_reindex([ref.ident])
    return redirect(url_for(".edit", kind="speakers", ident=ref.ident), code=303)


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _page(corpus, typed: dict, problems: dict | None = None, general: list | None = None):
    conferences = sorted(corpus.conferences.values(), key=lambda c: c.id) if corpus else []
    sessions = sorted(corpus.sessions.values(), key=lambda s: (s.conference, s.number)) if corpus else []
    return render_template("curation/new_speaker.html", typed=typed, problems=problems or {}, general=general or [],
                           conferences=conferences, sessions=sessions, broken=corpus is None)
