"""Topic tagging measured against judgments made by reading: sentences, and talks about or mentioning a topic.

The judgments (tests/fixtures/sentence_topic_judgments.yaml) cover every summary sentence, talk and
speaker for the four core topics; `python -m benchmarks.relevance --out docs/relevance.md` adds these
figures to the relevance report, and tests/test_topic_strength.py asserts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from archive import Corpus
from archive.quotes import corpus_quotes
from archive.topic_strength import bio_text, sentence_topics, talk_mentions
from archive.taxonomy import rule_topics

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_JUDGMENTS = ROOT / "tests" / "fixtures" / "sentence_topic_judgments.yaml"
CORE = ("genomics", "ehds", "ai", "ethics")


@dataclass
class Agreement:
    level: str
    topic: str
    got: set[str]
    wanted: set[str]
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return len(self.got & self.wanted) / len(self.got) if self.got else 1.0

    @property
    def recall(self) -> float:
        return len(self.got & self.wanted) / len(self.wanted) if self.wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def failures(self) -> list[str]:
        wrong = [("extra", i) for i in sorted(self.got - self.wanted)] + [("missed", i) for i in sorted(self.wanted - self.got)]
        return [f"{kind} `{i}`" + (f": {self.texts[i]}" if i in self.texts else "") for kind, i in wrong]


def measure(corpus: Corpus, path: Path = SENTENCE_JUDGMENTS) -> list[Agreement]:
    """Agreement per core topic for sentences, talks (about or mentions) and speaker biographies."""
    judged = yaml.safe_load(path.read_text(encoding="utf-8"))
    quotes = {q.id: q for q in corpus_quotes(corpus)}
    found = []
    for topic in CORE:
        found.append(Agreement("sentence", topic,
                               {i for i, q in quotes.items() if topic in sentence_topics(corpus.topics, q.text)},
                               {i for i, t in judged["sentences"].items() if topic in (t or [])},
                               {i: q.text for i, q in quotes.items()}))
        found.append(Agreement("talk (about or mentions)", topic,
                               {t.id for t in corpus.talks.values() if topic in t.topics
                                or any(m.topic == topic for m in talk_mentions(corpus.topics, t))},
                               _either(judged["talks"], topic)))
        found.append(Agreement("speaker biography (about or mentions)", topic,
                               {s.id for s in corpus.speakers.values() if topic in s.topics
                                or topic in rule_topics(corpus.topics, bio_text(s), sentence=True)},
                               _either(judged["speakers"], topic)))
    return found


def _either(judged: dict, topic: str) -> set[str]:
    return {i for i, j in judged.items() if topic in (j.get("about") or []) + (j.get("mentions") or [])}


def markdown(agreements: list[Agreement]) -> list[str]:
    """The report's section: a table per level and every disagreement listed."""
    out = ["", "## Topics at the sentence and at two strengths", "",
           "Judged by reading every summary sentence, talk and biography for the four core topics",
           "(`tests/fixtures/sentence_topic_judgments.yaml`, written without the rules or their output).",
           "A sentence is on a topic when it names it itself; a talk *mentions* a topic when a sentence names it",
           "but the talk is not about it. `tests/test_topic_strength.py` asserts sentence precision and recall",
           ">= 0.90 and talk F1 >= 0.90 per topic. The taxonomy's `explicit: false` rules and the GDPR term",
           "were set after the judgments were written and checked against them: these figures are on the same",
           "set, with no held-out part (the speaker rows are reported, not asserted).", "",
           "| Level | Topic | Judged | Tagged | Precision | Recall | F1 |", "|---|---|---:|---:|---:|---:|---:|"]
    for a in agreements:
        out.append(f"| {a.level} | {a.topic} | {len(a.wanted)} | {len(a.got)} | {a.precision:.2f} | {a.recall:.2f} "
                   f"| {a.f1:.2f} |")
    out += ["", "### Disagreements", ""]
    for a in agreements:
        for line in a.failures():
            out.append(f"- {a.level}, {a.topic}: {line}")
    return out
