"""Seeded query sets per class, drawn from the documents themselves so every class has real hits."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from random import Random

from whoosh.analysis import STOP_WORDS

from indexer.documents import IndexDoc

CLASSES = ("rare term", "common term", "term in nearly every talk", "multi-word question", "phrase",
           "faceted: word + 2 filters", "faceted: browse + 2 filters", "quotes")
FACETED = "faceted: word + 2 filters"
FILTER_PAIRS = (("topic", "year"), ("topic", "kind"), ("country", "topic"), ("year", "kind"), ("topic", "conference"))
QUESTIONS = ("How can {a} improve {b} for {c}?", "What is the role of {a} in {b} and {c}?",
             "Why does {a} matter for {b} {c}?", "Which {a} help {b} reach {c}?")
WORD = re.compile(r"[a-z][a-z]+")


@dataclass
class Query:
    cls: str
    q: str
    filters: dict[str, list[str]] = field(default_factory=dict)


def document_frequencies(docs: list[IndexDoc]) -> tuple[Counter, int]:
    """How many talks each plain word occurs in, and the number of talks."""
    df: Counter = Counter()
    talks = [d for d in docs if d.kind in ("talk", "panel", "qa")]
    for doc in talks:
        df.update(set(WORD.findall((doc.title + " " + doc.body).lower())))
    return df, len(talks)


def make_queries(docs: list[IndexDoc], per_class: int, seed: int = 7, with_quotes: bool = False) -> list[Query]:
    """per_class queries for each class (quotes only when the quote index exists)."""
    rng = Random(seed)
    df, n_talks = document_frequencies(docs)
    words = [w for w, _ in df.most_common() if w not in STOP_WORDS and len(w) > 3]
    talks = [d for d in docs if d.kind in ("talk", "panel", "qa")]
    rare = [w for w in words if 1 <= df[w] <= 3] or words[-50:]
    common = [w for w in words if 0.15 * n_talks <= df[w] <= 0.6 * n_talks] or words[10:40]
    everywhere = words[:max(3, min(8, per_class))]
    middle = words[20:2000] or words
    out: list[Query] = []
    out += [Query(CLASSES[0], rng.choice(rare)) for _ in range(per_class)]
    out += [Query(CLASSES[1], rng.choice(common)) for _ in range(per_class)]
    out += [Query(CLASSES[2], everywhere[i % len(everywhere)]) for i in range(per_class)]
    out += [Query(CLASSES[3], rng.choice(QUESTIONS).format(a=rng.choice(middle), b=rng.choice(middle),
                                                           c=rng.choice(middle))) for _ in range(per_class)]
    out += [Query(CLASSES[4], _phrase(rng, talks)) for _ in range(per_class)]
    out += [Query(CLASSES[5], rng.choice(common), _filters(rng, talks)) for _ in range(per_class)]
    out += [Query(CLASSES[6], "", _filters(rng, talks)) for _ in range(per_class)]
    if with_quotes:
        out += [Query(CLASSES[7], rng.choice(common + middle[:200])) for _ in range(per_class)]
    return out


def _phrase(rng: Random, talks: list[IndexDoc]) -> str:
    """Two or three adjacent content words of a real talk, as a quoted phrase."""
    for _ in range(50):
        tokens = WORD.findall(rng.choice(talks).body.lower())
        start = rng.randrange(max(1, len(tokens) - 3))
        chunk = tokens[start:start + rng.choice((2, 2, 3))]
        if len(chunk) >= 2 and all(t not in STOP_WORDS for t in chunk):
            return '"' + " ".join(chunk) + '"'
    return '"personalised medicine"'


def _filters(rng: Random, talks: list[IndexDoc]) -> dict[str, list[str]]:
    """Two filters that one real talk satisfies, so the combination is realistic and not empty."""
    for _ in range(50):
        doc = rng.choice(talks)
        pair = rng.choice(FILTER_PAIRS)
        if all(doc.facets.get(name) for name in pair):
            return {name: [rng.choice(doc.facets[name])] for name in pair}
    return {"kind": ["talk"]}
