"""Topic review: why a record has each topic, and which records change topics when the taxonomy changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from .corpus import Corpus
from .load import record_topics, topic_text
from .problems import ERROR
from .records import Speaker, Talk, Topic
from .taxonomy import Match, explain, in_domain, load_taxonomy, words
from .topic_strength import quotes_with_topics, sentence_evidence, speaker_mentions, talk_mentions


class ReviewError(ValueError):
    """The review cannot be made (unknown id, unreadable taxonomy); the message says why."""


@dataclass
class RuleHit:
    """One rule that matched: its terms and phrases, weight, the words found and what they add."""

    terms: list[str]
    phrases: list[str]
    weight: float
    words: dict[str, int]
    contribution: float


@dataclass
class TopicReason:
    id: str
    label: str
    score: float
    threshold: float
    hits: list[RuleHit]
    added: bool = False
    removed: bool = False

    @property
    def by_rules(self) -> bool:
        return self.score >= self.threshold

    @property
    def assigned(self) -> bool:
        return (self.by_rules or self.added) and not self.removed

    @property
    def verdict(self) -> str:
        """One line: assigned or not, and why."""
        rules = f"score {self.score:g} {'≥' if self.by_rules else '<'} threshold {self.threshold:g}"
        if self.removed:
            return f"removed by the record's override (topics.remove); {rules}"
        if self.added and not self.by_rules:
            return f"added by the record's override (topics.add); {rules}"
        return f"{'assigned' if self.by_rules else 'not assigned'}: {rules}" + (
            " (also in topics.add)" if self.added else "")


@dataclass
class SentenceReason:
    """One sentence of a talk's summary, the topics it is on by itself, and the words that put it there."""

    id: str
    text: str
    topics: list[str]
    evidence: dict[str, list[str]]


@dataclass
class Explanation:
    id: str
    kind: str
    title: str
    topics: list[str]
    reasons: list[TopicReason]
    notes: list[str] = field(default_factory=list)
    sentences: list[SentenceReason] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # topics named in a sentence that the record is not about

    def as_dict(self) -> dict:
        """JSON-ready form, each reason with its verdict and whether it is assigned."""
        data = asdict(self)
        for reason, item in zip(self.reasons, data["reasons"]):
            item.update(assigned=reason.assigned, by_rules=reason.by_rules, verdict=reason.verdict)
        return data


def find_record(corpus: Corpus, ident: str) -> Talk | Speaker:
    record = corpus.talks.get(ident) or corpus.speakers.get(ident)
    if record is None:
        raise ReviewError(f"no talk or speaker has the id '{ident}'")
    return record


def explain_record(corpus: Corpus, ident: str) -> Explanation:
    """Every topic's score, matching rules and overrides for one talk or speaker."""
    record = find_record(corpus, ident)
    text = topic_text(record)
    tokens = words(text)
    overrides = record.topic_overrides
    reasons = [_reason(topic, explain(topic, text), tokens, overrides) for topic in corpus.topics.values()]
    notes = [f"the override names topic '{t}', which the taxonomy does not define (ignored)"
             for t in (*overrides.add, *overrides.remove) if t not in corpus.topics]
    if not isinstance(record, Talk):
        mentions = [m.topic for m in speaker_mentions(corpus, record)]
        return Explanation(record.id, "speaker", record.display_name, list(record.topics), reasons, notes,
                           mentions=mentions)
    if corpus.topics and not in_domain(next(iter(corpus.topics.values())), text):
        notes.append("the talk names none of the taxonomy's `domain` words (taxonomy.yaml), so the rules give it "
                     "no topic and none of its sentences is on one")
    sentences = [SentenceReason(quote.id, quote.text, on, {t: found for t, found in
                                sentence_evidence(corpus.topics, quote.text).items() if t in on})
                 for quote, on in quotes_with_topics(corpus.topics, record)]
    mentions = [m.topic for m in talk_mentions(corpus.topics, record)]
    return Explanation(record.id, record.kind, record.title, list(record.topics), reasons, notes, sentences, mentions)


def _reason(topic: Topic, matches: list[Match], tokens: list[str], overrides) -> TopicReason:
    hits = [RuleHit(list(m.rule.terms), list(m.rule.phrases), m.rule.weight, _found_words(m, tokens), m.score)
            for m in matches]
    return TopicReason(topic.id, topic.label, sum(m.score for m in matches), topic.threshold, hits,
                       added=topic.id in overrides.add, removed=topic.id in overrides.remove)


def _found_words(match: Match, tokens: list[str]) -> dict[str, int]:
    """The words of the text a rule matched: a prefix term like 'genom*' shows 'genome', 'genomic'..."""
    found: Counter = Counter()
    for pattern, count in Counter(match.matched).items():
        if pattern.endswith("*"):
            found.update(t for t in tokens if t.startswith(pattern[:-1]))
        else:
            found[pattern] += count
    return dict(found)


# --- Which records changed topics -------------------------------------------------------------------

Snapshot = dict[str, tuple[str, list[str]]]  # record id -> (kind, topic ids)


@dataclass
class TopicChange:
    id: str
    kind: str
    before: Optional[list[str]]
    after: Optional[list[str]]

    @property
    def added(self) -> list[str]:
        return [t for t in self.after or [] if t not in (self.before or [])]

    @property
    def removed(self) -> list[str]:
        return [t for t in self.before or [] if t not in (self.after or [])]

    def describe(self) -> str:
        if self.before is None:
            return f"new record ({', '.join(self.after or []) or 'no topics'})"
        if self.after is None:
            return f"no longer in the corpus (had {', '.join(self.before) or 'no topics'})"
        return " ".join([*(f"+{t}" for t in self.added), *(f"-{t}" for t in self.removed)])


def snapshot(corpus: Corpus) -> Snapshot:
    """The topics of every talk and speaker as tagged now."""
    return {**{t.id: (t.kind, list(t.topics)) for t in corpus.talks.values()},
            **{s.id: ("speaker", list(s.topics)) for s in corpus.speakers.values()}}


def retag(corpus: Corpus, taxonomy_path: Path) -> Snapshot:
    """The topics every talk and speaker would have under another taxonomy file (their overrides kept)."""
    problems: list = []
    try:
        topics, _ = load_taxonomy(Path(taxonomy_path), str(taxonomy_path), problems)
    except (UnicodeDecodeError, OSError) as exc:
        raise ReviewError(f"cannot read {taxonomy_path}: {exc}") from None
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise ReviewError(f"cannot read {taxonomy_path}: " + "; ".join(str(p) for p in errors))
    records = [*corpus.talks.values(), *corpus.speakers.values()]
    return {r.id: (r.kind if isinstance(r, Talk) else "speaker",
                   record_topics(topics, r)) for r in records}


def compare(before: Snapshot, after: Snapshot) -> list[TopicChange]:
    """Records whose topic sets differ, plus records only on one side, sorted by kind and id."""
    changes = []
    for ident in sorted(set(before) | set(after)):
        old, new = before.get(ident), after.get(ident)
        if old is None or new is None or set(old[1]) != set(new[1]):
            kind = (new or old)[0]
            changes.append(TopicChange(ident, kind, old[1] if old else None, new[1] if new else None))
    return sorted(changes, key=lambda c: (c.kind == "speaker", c.id))
