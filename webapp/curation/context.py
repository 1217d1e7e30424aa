"""What the edit form shows around the fields: the record's notes beside the fields they explain, and its topics.

A note such as "The “(?)” after “drive” is in the source; kept verbatim." explains a field: each
sentence of `notes` is shown beside every field whose text holds a phrase the sentence quotes, or
whose name it uses ("byline", "question": then only those), so the oddity is visible before someone
"fixes" it.
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

from archive import CorpusError, inspect_corpus
from archive.load import record_topics
from archive.records import Talk, TopicOverrides

from .common import corpus_root
from .forms import EditForm
from .records import RecordRef

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘(])")
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
NAMED = {"byline": "byline", "question": "question", "title": "title", "aliases": "aliases", "alias": "aliases",
         "summary": "body", "biography": "body", "bio": "body", "purpose": "body", "speakers": "speakers"}


def note_sentences(notes: str) -> list[str]:
    """The sentences of a notes text."""
    return [s.strip() for s in _SENTENCE.split(notes or "") if s.strip()]


def notes_beside(notes: str, form: EditForm) -> dict[str, list[str]]:
    """Field name ("body" for the text) -> the note sentences that explain it."""
    values = {name: _flat(value) for name, value in form.shown.items()} | {"body": form.body}
    beside: dict[str, list[str]] = {}
    for sentence in note_sentences(notes):
        for name in _explained(sentence, values):
            beside.setdefault(name, []).append(sentence)
    return beside


def _explained(sentence: str, values: dict[str, str]) -> list[str]:
    quoted = [a or b for a, b in _QUOTED.findall(sentence)]
    patterns = [re.compile(rf"(?<!\w){re.escape(q)}(?!\w)") for q in quoted]  # whole words: "drive" is not in "driven"
    by_quote = [n for n, text in values.items() if n != "notes" and any(p.search(text) for p in patterns)]
    words = set(re.findall(r"[a-z]+", sentence.lower()))
    by_name = [field for word, field in NAMED.items() if word in words and field in values]
    return by_name or by_quote  # a sentence that names its field is about that field only


def _flat(value) -> str:
    if isinstance(value, dict):
        return " ".join(" ".join(v) for v in value.values())
    return str(value or "")


def load_record(ref: RecordRef):
    """The talk or speaker as the corpus loads it now (with its topics), or None."""
    try:
        corpus, _ = inspect_corpus(corpus_root(), reuse=True)  # read only here
    except CorpusError:
        return None, None
    table = {"talks": corpus.talks, "speakers": corpus.speakers}.get(ref.kind, {})
    return corpus, table.get(ref.ident)


def topic_labels(corpus, ids) -> list[tuple[str, str]]:
    return [(t, corpus.topics[t].label if t in corpus.topics else t) for t in ids]


def preview_topics(corpus, record, form: EditForm) -> list[str]:
    """The topics the record would have once this form is saved (its text and overrides as typed)."""
    chosen = form.values.get("topics") or {}
    overrides = TopicOverrides(add=tuple(chosen.get("add") or ()), remove=tuple(chosen.get("remove") or ()))
    if isinstance(record, Talk):
        changed = dataclasses.replace(record, title=str(form.values.get("title") or ""),
                                      question=str(form.values.get("question") or ""), text=form.body)
    else:
        changed = dataclasses.replace(record, bio=form.body, appearances=_appearances(form, record))
    return record_topics(corpus.topics, dataclasses.replace(changed, topic_overrides=overrides))


def _appearances(form: EditForm, record) -> list:
    """The appearances as typed (only their bios and roles feed the topics); the saved ones if unreadable."""
    typed = form.values.get("appearances")
    if not isinstance(typed, list) or not all(isinstance(a, dict) for a in typed):
        return record.appearances
    return [SimpleNamespace(bio=str(a.get("bio") or ""), role=str(a.get("role") or "")) for a in typed]
