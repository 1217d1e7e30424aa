"""Phrase queries of 2, 3, 4 and 5 consecutive common words, sampled from the corpus's own talk texts.

The main benchmark's phrase class is mostly two rare adjacent words; issue 16 found the cost is in
phrases of several *common* words ("european health data space"). Here a word is common when at
least COMMON_SHARE of the talks contain it (and it is not a stop word, which the search drops); each
phrase is a run of such words inside one sentence of a real talk, so every phrase matches. The
texts are read from the corpus files themselves (front matter cut off), not through the indexer.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from random import Random
from typing import Callable

from whoosh.analysis import STOP_WORDS

from .queries import Query

LENGTHS = (2, 3, 4, 5)
COMMON_SHARE = 0.02  # a word in at least 2 % of the talks is common
TOKEN = re.compile(r"[A-Za-z]+")  # ASCII words only: a phrase never straddles 'für' or a hyphen rule
SENTENCE = re.compile(r"[.?!;:\n]+")


def phrase_class(length: int) -> str:
    return f"phrase of {length} common words"


def talk_texts(corpus_dir: Path) -> list[str]:
    """The body (after the front matter) of every talk file, in file order."""
    texts = []
    for path in sorted(Path(corpus_dir).glob("conferences/*/talks/*.md")):
        text = path.read_text(encoding="utf-8")
        parts = text.split("\n---\n", 1)
        texts.append(parts[1] if len(parts) == 2 and text.startswith("---") else text)
    return texts


def common_words(texts: list[str], share: float = COMMON_SHARE) -> set[str]:
    """Non-stop words of 3+ letters found in at least `share` of the texts."""
    df: Counter = Counter()
    for text in texts:
        df.update({w.lower() for w in TOKEN.findall(text)})
    floor = max(2, share * len(texts))
    return {w for w, n in df.items() if n >= floor and len(w) > 2 and w not in STOP_WORDS}


def sample_phrases(texts: list[str], per_length: int, seed: int = 11, lengths=LENGTHS,
                   max_tries: int = 200_000) -> list[Query]:
    """per_length distinct phrases for each length; fewer if the texts do not have enough (bounded tries).

    Half of each length (rounded down) are phrases that recur in several talks of a sample ("european
    health data space": entities, theme phrases), the rest runs taken at random positions, which mostly
    occur once: both cost a phrase search the same postings of common words, but differ in hits.
    """
    rng = Random(seed)
    common = common_words(texts)
    found: dict[int, list[str]] = {n: [] for n in lengths}
    if not texts or not common:
        return []
    recurring = recurring_phrases(texts, common, lengths, rng)
    for n in lengths:
        options = recurring.get(n, [])
        found[n] = rng.sample(options, min(per_length // 2, len(options)))
    for _ in range(max_tries):
        if all(len(v) >= per_length for v in found.values()):
            break
        sentences = SENTENCE.split(rng.choice(texts))
        words = [w.lower() for w in TOKEN.findall(rng.choice(sentences))]
        runs = _common_runs(words, common)
        wanted = [n for n in lengths if len(found[n]) < per_length]
        options = [(run, n) for run in runs for n in wanted if len(run) >= n]
        if not options:
            continue
        run, n = rng.choice(options)
        start = rng.randrange(len(run) - n + 1)
        phrase = " ".join(run[start:start + n])
        if phrase not in found[n]:
            found[n].append(phrase)
    return [Query(phrase_class(n), f'"{p}"') for n in lengths for p in found[n]]


def recurring_phrases(texts: list[str], common: set[str], lengths, rng: Random, sample: int = 1500,
                      min_talks: int = 2) -> dict[int, list[str]]:
    """Phrases of common words found in at least min_talks of a random sample of the talks (bounded memory)."""
    chosen = rng.sample(texts, min(sample, len(texts)))
    df: Counter = Counter()
    for text in chosen:
        grams = set()
        for sentence in SENTENCE.split(text):
            for run in _common_runs([w.lower() for w in TOKEN.findall(sentence)], common):
                for n in lengths:
                    grams.update(" ".join(run[i:i + n]) for i in range(len(run) - n + 1))
        df.update(grams)
    out: dict[int, list[str]] = {}
    for gram, count in df.items():
        if count >= min_talks:
            out.setdefault(gram.count(" ") + 1, []).append(gram)
    return {n: sorted(v) for n, v in out.items()}


def _common_runs(words: list[str], common: set[str]) -> list[list[str]]:
    """Maximal runs of consecutive common words."""
    runs, current = [], []
    for word in words:
        if word in common:
            current.append(word)
        else:
            if len(current) >= 2:
                runs.append(current)
            current = []
    if len(current) >= 2:
        runs.append(current)
    return runs


def hits(queries: list[Query], run: Callable[[Query], object]) -> dict[str, dict]:
    """Per class: how many of its phrases found something, and the mean number of matching records."""
    out: dict[str, dict] = {}
    for query in queries:
        total = getattr(run(query), "total", 0) or 0
        row = out.setdefault(query.cls, {"queries": 0, "matched": 0, "total": 0})
        row["queries"] += 1
        row["matched"] += 1 if total > 0 else 0
        row["total"] += total
    for row in out.values():
        row["mean_total"] = row.pop("total") / max(row["queries"], 1)
    return out
