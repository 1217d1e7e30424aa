"""Merge two speaker records that are one person: the second into the first, nothing lost.

Every talk that lists the merged speaker lists the kept one instead; the merged speaker's name
and aliases become aliases; the appearances are combined in programme order, each keeping its own
bio when it differs; topic overrides are combined. All files are written together by
`writer.apply_changes` (talks first, the merged file deleted last), or not at all.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import Corpus
from .frontmatter import parse
from .writer import Change, read_text, update_text


class MergeError(ValueError):
    """The merge cannot be done; the message says why. Nothing was written."""


@dataclass
class MergePlan:
    keep: str
    drop: str
    changes: list[Change] = field(default_factory=list)
    talks: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)

    def diff(self, root: Path) -> str:
        """A unified diff of every change, paths relative to the corpus folder's parent."""
        return "".join(_diff(change, root.parent) for change in self.changes)


def _diff(change: Change, base: Path) -> str:
    name = change.path.relative_to(base).as_posix() if base in change.path.parents else str(change.path)
    old = (change.expected or "").splitlines(keepends=True)
    new = (change.text or "").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{name}", "/dev/null" if change.text is None else f"b/{name}"))


def record_file(corpus: Corpus, record) -> Path:
    """The file a loaded record came from (records keep paths relative to the corpus folder's parent)."""
    path = Path(record.path)
    return path if path.is_absolute() else corpus.root.parent / path


def plan_merge(corpus: Corpus, keep_id: str, drop_id: str) -> MergePlan:
    """Plan merging speaker `drop_id` into `keep_id`; MergeError if either is unknown or they are the same."""
    if keep_id == drop_id:
        raise MergeError(f"cannot merge speaker '{keep_id}' into itself")
    for ident in (keep_id, drop_id):
        if ident not in corpus.speakers:
            raise MergeError(f"unknown speaker '{ident}': see the files in {corpus.root / 'speakers'}")
    plan = MergePlan(keep_id, drop_id)
    for talk in corpus.talks_by_speaker(drop_id):
        plan.changes.append(_talk_change(corpus, talk, keep_id, drop_id))
        plan.talks.append(talk.id)
    keep_path, drop_path = (record_file(corpus, corpus.speakers[i]) for i in (keep_id, drop_id))
    drop_text = read_text(drop_path)
    plan.changes.append(_kept_speaker(corpus, read_text(keep_path), drop_text, keep_path))
    plan.changes.append(Change(drop_path, None, expected=drop_text))
    plan.mentions = _other_mentions(corpus, drop_id, {c.path for c in plan.changes})
    return plan


def _talk_change(corpus: Corpus, talk, keep_id: str, drop_id: str) -> Change:
    path = record_file(corpus, talk)
    old = read_text(path)
    speakers = parse(old).meta.get("speakers") or []
    rewritten = list(dict.fromkeys(keep_id if s == drop_id else s for s in speakers))
    return Change(path, update_text(old, {"speakers": rewritten}), expected=old)


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))


def _kept_speaker(corpus: Corpus, keep_text: str, drop_text: str, keep_path: Path) -> Change:
    keep, drop = parse(keep_text), parse(drop_text)
    body = keep.body or drop.body
    aliases = [a for a in _unique([*(keep.meta.get("aliases") or []), drop.meta.get("name"),
                                   *(drop.meta.get("aliases") or [])]) if a != keep.meta.get("name")]
    changes = {"aliases": aliases, "appearances": _appearances(corpus, keep.meta, drop.meta, drop.body, body)}
    if not keep.meta.get("honorific") and drop.meta.get("honorific"):
        changes["honorific"] = drop.meta["honorific"]
    topics = _topics(keep.meta.get("topics"), drop.meta.get("topics"))
    if topics != keep.meta.get("topics"):
        changes["topics"] = topics
    return Change(keep_path, update_text(keep_text, changes, body=body), expected=keep_text)


def _appearances(corpus: Corpus, keep: dict, drop: dict, drop_bio: str, body: str) -> list[dict]:
    """Both speakers' appearances in programme order; the merged one's bio stays with its own listings."""
    moved = []
    for item in drop.get("appearances") or []:
        item = dict(item)
        if not item.get("bio") and drop_bio and drop_bio != body:
            item["bio"] = drop_bio
        moved.append(item)
    return sorted([*(keep.get("appearances") or []), *moved], key=lambda a: _programme_key(corpus, a))


def _programme_key(corpus: Corpus, appearance: dict) -> tuple:
    conference = corpus.conferences.get(appearance.get("conference") or "")
    session = corpus.sessions.get(appearance.get("session") or "")
    return (conference.date.isoformat() if conference and conference.date else "", session.number if session else 0)


def _topics(keep, drop):
    """Combined topic overrides; where the two disagree, the kept speaker's choice wins."""
    if not isinstance(drop, dict) or not (drop.get("add") or drop.get("remove")):
        return keep
    keep = keep if isinstance(keep, dict) else {}
    add = _unique([*(keep.get("add") or []), *(t for t in drop.get("add") or [] if t not in (keep.get("remove") or []))])
    remove = _unique([*(keep.get("remove") or []), *(t for t in drop.get("remove") or [] if t not in add)])
    return {"add": add, "remove": remove}


def _other_mentions(corpus: Corpus, ident: str, changed: set) -> list[str]:
    """Other record files that still contain the merged id as a whole word, for the librarian to check."""
    pattern = re.compile(rf"(?<![a-z0-9-]){re.escape(ident)}(?![a-z0-9-])")
    files = [*corpus.root.glob("*.yaml"), *corpus.root.glob("speakers/*.md"), *corpus.root.glob("conferences/**/*.md")]
    return sorted(path.relative_to(corpus.root).as_posix() for path in files
                  if path not in changed and pattern.search(path.read_text(encoding="utf-8", errors="replace")))
