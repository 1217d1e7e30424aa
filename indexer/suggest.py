"""Suggestions as you type: speakers, topics, organisations, sessions, acronyms and common words."""

from __future__ import annotations

import heapq
from urllib.parse import urlencode

from whoosh.analysis import STOP_WORDS

from archive import Corpus
from archive.names import fold

from .page_data import url_for

KIND_RANK = {"speaker": 0, "topic": 1, "session": 2, "organisation": 3, "synonym": 4, "term": 5}
COMMON_TERMS = 3000
DEFAULT_LIMIT = 8
MIN_PREFIX = 2


def _search(**params) -> str:
    return "/search?" + urlencode(params)


def corpus_entries(corpus: Corpus) -> list[dict]:
    """Named things of the corpus, each with the page a suggestion leads to."""
    entries = []
    for speaker in corpus.speakers.values():
        for name in dict.fromkeys([speaker.display_name, *speaker.aliases]):
            entries.append({"label": name, "kind": "speaker", "url": url_for("speaker", speaker.id),
                            "count": len(corpus.talks_by_speaker(speaker.id)) + 1})
    for topic in corpus.topics.values():
        entries.append({"label": topic.label, "kind": "topic", "url": url_for("topic", topic.id), "count": 1000})
    for session in corpus.sessions.values():
        entries.append({"label": session.label, "kind": "session", "url": url_for("session", session.id), "count": 1})
    organisations: dict[str, int] = {}
    for speaker in corpus.speakers.values():
        for org in speaker.organisations:
            organisations[org] = organisations.get(org, 0) + 1
    entries += [{"label": org, "kind": "organisation", "url": _search(organisation=org), "count": n}
                for org, n in organisations.items()]
    entries += [{"label": member, "kind": "synonym", "url": _search(q=member), "count": 1}
                for group in corpus.synonyms for member in group]
    return entries


def term_entries(words: list[str], counts) -> list[dict]:
    """The most frequent plain words of the index, from its vocabulary (words and their document counts)."""
    candidates = ((int(count), term) for term, count in zip(words, counts)
                  if len(term) >= 4 and term.isalpha() and term not in STOP_WORDS)
    top = heapq.nlargest(COMMON_TERMS, candidates)
    return [{"label": term, "kind": "term", "url": _search(q=term), "count": df} for df, term in top]


class Suggester:
    """Prefix matching on the start of any word of each label, best kinds and most used first."""

    def __init__(self, entries: list[dict]):
        self.entries = []
        seen = set()
        for entry in entries:
            key = (entry["kind"], fold(entry["label"]))
            if key not in seen:
                seen.add(key)
                words = fold(entry["label"]).replace("-", " ").split()
                self.entries.append((tuple(" ".join(words[i:]) for i in range(len(words))), entry))

    def suggest(self, text: str, limit: int = DEFAULT_LIMIT) -> list[dict]:
        prefix = " ".join(fold(text).replace("-", " ").split())
        if len(prefix) < MIN_PREFIX:
            return []
        found = [entry for tails, entry in self.entries if any(t.startswith(prefix) for t in tails)]
        found.sort(key=lambda e: (KIND_RANK[e["kind"]], not fold(e["label"]).startswith(prefix), -e["count"],
                                  e["label"]))
        return _without_repeats(found)[:limit]


def _without_repeats(entries: list[dict]) -> list[dict]:
    """Drop an entry whose words a better entry already shows (the term 'hasselbalch' after the speaker)."""
    shown: set[str] = set()
    result = []
    for entry in entries:
        words = set(fold(entry["label"]).split())
        if fold(entry["label"]) in shown or (entry["kind"] == "term" and words <= shown):
            continue
        shown |= words | {fold(entry["label"])}
        result.append(entry)
    return result
