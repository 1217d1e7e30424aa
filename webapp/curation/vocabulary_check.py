"""Check a taxonomy.yaml or synonyms.yaml text typed into a web form, and say what it would change.

No Flask here. YAML from a form is read with `yaml.safe_load` only, after refusing anchors and
aliases (`&name`, `*name`: they let a few bytes expand into a huge document); then the corpus's own
loaders check it in a copy of the corpus, so the messages are the validator's, with line numbers.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from archive import ERROR, Corpus
from archive.synonyms import load_synonyms
from archive.taxonomy import load_taxonomy
from archive.topic_review import ReviewError, TopicChange, compare, retag, snapshot

FILES = {"taxonomy": "taxonomy.yaml", "synonyms": "synonyms.yaml"}


@dataclass
class Checked:
    """The problems found (line, message), and what the text would change when there are none."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    topic_changes: list[TopicChange] = field(default_factory=list)
    groups_added: list[list[str]] = field(default_factory=list)
    groups_removed: list[list[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def yaml_problems(text: str) -> list[tuple[int, str]]:
    """Anchors, aliases and YAML syntax errors, each with its line; [] when the text is plain YAML."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                return [(line, f"aliases (*{event.anchor}) are not accepted from the web form: write the values out")]
            if getattr(event, "anchor", None):
                return [(line, f"anchors (&{event.anchor}) are not accepted from the web form: write the values out")]
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [((mark.line + 1) if mark else 1, f"invalid YAML: {getattr(exc, 'problem', None) or exc}")]
    if not isinstance(data, dict):
        return [(1, "the file must be a mapping (it starts with `topics:` or `groups:`)")]
    return []


def check(name: str, text: str, corpus: Corpus) -> Checked:
    """Every problem in the text; when there is none, the records that change topics or the synonym groups."""
    problems = yaml_problems(text)
    if problems:
        return Checked(problems)
    with tempfile.TemporaryDirectory(prefix="confarchive-vocabulary-") as tmp:
        path = Path(tmp) / FILES[name]
        path.write_text(text, encoding="utf-8")
        if name == "taxonomy":
            return _check_taxonomy(path, corpus)
        return _check_synonyms(path, corpus)


def _errors(found: list) -> list[tuple[int, str]]:
    return [(p.line, p.message + (f" ({p.hint})" if p.hint else "")) for p in found if p.severity == ERROR]


def _check_taxonomy(path: Path, corpus: Corpus) -> Checked:
    found: list = []
    topics, _ = load_taxonomy(path, FILES["taxonomy"], found)
    problems = _errors(found) or ([] if topics else [(1, "the taxonomy must define at least one topic")])
    if problems:
        return Checked(problems)
    try:
        return Checked(topic_changes=compare(snapshot(corpus), retag(corpus, path)))
    except ReviewError as exc:
        return Checked([(1, str(exc))])


def _check_synonyms(path: Path, corpus: Corpus) -> Checked:
    found: list = []
    groups = load_synonyms(path, FILES["synonyms"], found)
    if _errors(found):
        return Checked(_errors(found))
    before, after = {tuple(g) for g in corpus.synonyms}, {tuple(g) for g in groups}
    return Checked(groups_added=[list(g) for g in groups if tuple(g) not in before],
                   groups_removed=[list(g) for g in corpus.synonyms if tuple(g) not in after])
