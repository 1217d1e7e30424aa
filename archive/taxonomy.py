"""The topic taxonomy: load taxonomy.yaml, then tag records by its weighted term and phrase rules."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

from .fields import FieldReader
from .frontmatter import Document, FrontMatterError, load_yaml
from .names import fold
from .problems import Problem
from .records import Rule, Topic, TopicOverrides

TOPIC_KEYS = {"id", "label", "description", "threshold", "sentence_threshold", "core", "rules"}
RULE_KEYS = {"terms", "phrases", "weight", "explicit"}
WORD = re.compile(r"[a-z0-9]+(?:[+'][a-z0-9]*)*")


def load_taxonomy(path: Path, rel: str, problems: list) -> tuple[dict[str, Topic], Document | None]:
    """Read taxonomy.yaml; every bad entry becomes a Problem."""
    try:
        meta, lines = load_yaml(path.read_text(encoding="utf-8"), first_line=1)
    except FileNotFoundError:
        problems.append(Problem(rel, 1, "taxonomy file is missing", hint="create it with a `topics:` list"))
        return {}, None
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, 1, f"file is not UTF-8 text ({exc.reason})", hint="save it as UTF-8"))
        return {}, None
    except OSError as exc:
        problems.append(Problem(rel, 1, f"cannot read the taxonomy file: {exc.strerror}"))
        return {}, None
    except FrontMatterError as exc:
        problems.append(Problem(rel, exc.line, exc.message))
        return {}, None
    doc = Document(meta=meta, body="", body_line=1, lines=lines)
    items = meta.get("topics")
    if not isinstance(items, list):
        problems.append(Problem(rel, 1, "taxonomy must have a `topics:` list"))
        return {}, doc
    topics: dict[str, Topic] = {}
    domain = _read_domain(rel, doc, meta.get("domain"), problems)
    for index, item in enumerate(items):
        topic = _read_topic(rel, doc, item, index, problems)
        if topic and topic.id in topics:
            problems.append(Problem(rel, doc.line_of("topics", index), f"duplicate topic id '{topic.id}'"))
        elif topic:
            topics[topic.id] = replace(topic, domain=domain)
            doc.lines[("topics", topic.id)] = doc.line_of("topics", index)
    return topics, doc


def _read_domain(rel, doc, raw, problems) -> Rule | None:
    """The optional `domain: {terms, phrases}`: words of the field the taxonomy is for (see in_domain)."""
    if raw is None:
        return None
    reader = FieldReader(rel, doc, raw if isinstance(raw, dict) else {}, problems, ("domain",))
    if not isinstance(raw, dict):
        reader.problem("", "`domain` must be a mapping such as {terms: [health, patient*], phrases: [...]}")
        return None
    reader.check_keys({"terms", "phrases"})
    return _read_rule(reader, {**raw, "weight": 1.0})


def in_domain(topic: Topic, text: "str | Words") -> bool:
    """Whether a text names the taxonomy's field (any domain term or phrase); always, when it declares none.

    A talk outside the field (a hardware talk at a hacker congress) uses the rules' words in another
    sense ("algorithm", "infrastructure", "EU"), so it gets no topic from them and no sentence of it is
    on one. One domain word is enough: every talk of a health conference names it somewhere.
    """
    if topic.domain is None:
        return True
    counted = text if isinstance(text, Words) else Words(text)
    return any(counted.term_matches(t) for t in topic.domain.terms) or any(
        counted.phrase_count(p) for p in topic.domain.phrases)


def _read_topic(rel, doc, item, index, problems) -> Topic | None:
    if not isinstance(item, dict):
        problems.append(Problem(rel, doc.line_of("topics", index), "each topic must be a mapping"))
        return None
    r = FieldReader(rel, doc, item, problems, ("topics", index))
    r.check_keys(TOPIC_KEYS)
    rules = []
    raw_rules = item.get("rules") or []
    if not isinstance(raw_rules, list):
        r.problem("rules", "`rules` must be a list of {terms: [...], weight: N} entries")
        raw_rules = []
    for rule_index, raw in enumerate(raw_rules):
        rr = FieldReader(rel, doc, raw if isinstance(raw, dict) else {}, problems, ("topics", index, "rules", rule_index))
        if not isinstance(raw, dict):
            rr.problem("", "each rule must be a mapping such as {terms: [...], weight: 1.0}")
            continue
        rr.check_keys(RULE_KEYS)
        rules.append(_read_rule(rr, raw))
    core = item.get("core", False)
    if not isinstance(core, bool):
        r.problem("core", f"core must be true or false, not {core!r}")
        core = False
    return Topic(id=r.identifier("id", True), label=r.text("label", True), description=r.text("description"),
                 threshold=_number(r, item, "threshold"), rules=rules,
                 sentence_threshold=_number(r, item, "sentence_threshold"), core=core)


def _number(r: FieldReader, item: dict, key: str) -> float:
    value = item.get(key, 1.0)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        r.problem(key, f"{key} must be a number, not {value!r}")
        return 1.0
    return float(value)


def _read_rule(rr: FieldReader, raw) -> Rule:
    """One rule; terms must be single words, phrases must not use *, weights must be positive."""
    weight = raw.get("weight", 1.0) if isinstance(raw, dict) else 1.0
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight <= 0:
        rr.problem("weight", f"weight must be a positive number, not {weight!r}")
        weight = 1.0
    terms, phrases = rr.strings("terms"), rr.strings("phrases")
    if not terms and not phrases:
        rr.problem("terms", "a rule needs `terms:` or `phrases:`")
    for term in terms:
        if len(term.split()) > 1:
            rr.problem("terms", f"term '{term}' has a space and can never match", hint="put it under `phrases:`")
    for phrase in phrases:
        if "*" in phrase:
            rr.problem("phrases", f"phrase '{phrase}' uses *, which phrases do not support",
                       hint="list each form of the phrase")
    explicit = raw.get("explicit", True) if isinstance(raw, dict) else True
    if not isinstance(explicit, bool):
        rr.problem("explicit", f"explicit must be true or false, not {explicit!r}")
        explicit = True
    return Rule(float(weight), tuple(fold(t) for t in terms), tuple(fold(p) for p in phrases), explicit)


def words(text: str) -> list[str]:
    """Folded words of a text, as the taxonomy rules match them."""
    return WORD.findall(fold(text).replace("’", "'"))


@lru_cache(maxsize=4096)
def _spaced(phrase: str) -> str:
    """A phrase's words between spaces, as it appears in `Words.joined`."""
    return " " + " ".join(words(phrase)) + " "


@dataclass(frozen=True)
class Match:
    """One rule's contribution to a topic's score, for explaining a tag."""

    rule: Rule
    matched: tuple[str, ...]
    score: float


class Words:
    """A text's folded words, counted once, so each rule costs a lookup rather than a scan."""

    def __init__(self, text: str):
        tokens = words(text)
        self.counts = Counter(tokens)
        self.joined = " " + " ".join(tokens) + " "

    @cached_property
    def sorted(self) -> list[str]:
        """The distinct words in order: a prefix term is a range of this list (made when one is asked for)."""
        return sorted(self.counts)

    def term_matches(self, term: str) -> list[str]:
        if not term.endswith("*"):
            return [term] * self.counts.get(term, 0)
        stem = term[:-1]
        found = []
        for word in self.sorted[bisect_left(self.sorted, stem):]:
            if not word.startswith(stem):
                break
            found += [term] * self.counts[word]
        return found

    def phrase_count(self, phrase: str) -> int:
        return self.joined.count(_spaced(phrase))


def explain(topic: Topic, text: "str | Words", sentence: bool = False) -> list[Match]:
    """Which of the topic's rules match the text, and how much each adds (for one sentence: explicit rules only)."""
    counted = text if isinstance(text, Words) else Words(text)
    matches = []
    for rule in topic.rules:
        if sentence and not rule.explicit:
            continue
        found = [m for t in rule.terms for m in counted.term_matches(t)]
        found += [p for p in rule.phrases for _ in range(counted.phrase_count(p))]
        if found:
            matches.append(Match(rule, tuple(found), rule.weight * len(found)))
    return matches


def score(topic: Topic, text: "str | Words", sentence: bool = False) -> float:
    return sum(m.score for m in explain(topic, text, sentence))


class RuleScorer:
    """Every topic's score for a text in one pass over its distinct words, as `score` gives it.

    `score` asks each rule's every term and phrase of the text (over a hundred lookups a sentence with
    the shipped taxonomy); a build scores every sentence of every talk. Here the rules are indexed by
    word: a text costs a lookup per distinct word and per phrase that could start at one of them.
    Scores are summed rule by rule in the taxonomy's order, so they equal `score`'s to the bit.
    """

    def __init__(self, topics: dict[str, Topic]):
        self.topics = list(topics.values())
        self.modes = {sentence: _RuleIndex(self.topics, sentence) for sentence in (False, True)}

    def scores(self, counted: "Words", sentence: bool = False) -> list[float]:
        """Each topic's score, in taxonomy order (for one sentence: explicit rules only)."""
        hits = self.modes[sentence].hits(counted)
        totals: list[float] = [0] * len(self.topics)
        for t, r in sorted(hits):
            totals[t] += self.topics[t].rules[r].weight * hits[t, r]
        return totals


class _RuleIndex:
    """The rules of one mode (every rule, or explicit ones only) by word: (topic, rule) numbers per exact term,
    per stem, and per phrase's first word ('' for a phrase without words)."""

    def __init__(self, topics: list[Topic], sentence: bool):
        self.exact: dict[str, list[tuple[int, int]]] = {}
        self.stems: dict[str, list[tuple[int, int]]] = {}
        self.phrases: dict[str, list[tuple[str, int, int]]] = {}
        for t, topic in enumerate(topics):
            for r, rule in enumerate(topic.rules):
                if sentence and not rule.explicit:
                    continue
                for term in rule.terms:
                    if term.endswith("*"):
                        self.stems.setdefault(term[:-1], []).append((t, r))
                    else:
                        self.exact.setdefault(term, []).append((t, r))
                for phrase in rule.phrases:
                    self.phrases.setdefault((words(phrase) or [""])[0], []).append((_spaced(phrase), t, r))

    def hits(self, counted: "Words") -> dict[tuple[int, int], int]:
        """(topic, rule) -> how many of the rule's terms and phrases the text holds, counted as `explain` counts.

        A stem's count is how often a word starts with it: in `Words.joined` (the words between single
        spaces) that is how often a space and the stem occur, found by str.count in C where asking every
        distinct word of a long talk cost most of tagging a corpus. A stem holding a space starts no word.
        """
        hits: dict[tuple[int, int], int] = {}
        counts, joined = counted.counts, counted.joined
        for word in counts.keys() & self.exact.keys():
            for t, r in self.exact[word]:
                hits[t, r] = hits.get((t, r), 0) + counts[word]
        for stem, rules in self.stems.items():
            n = sum(counts.values()) if not stem else 0 if " " in stem else joined.count(" " + stem)
            if n:
                for t, r in rules:
                    hits[t, r] = hits.get((t, r), 0) + n
        for first in {*(counts.keys() & self.phrases.keys()), ""}:
            for spaced, t, r in self.phrases.get(first, ()):
                n = joined.count(spaced)
                if n:
                    hits[t, r] = hits.get((t, r), 0) + n
        return hits


_RULED: dict[tuple[str, bool, bool], list[str]] = {}  # (text, sentence?, domain?) -> topics, for the taxonomy in _RULED_FOR
_RULED_FOR: list = [None, "", None]  # the last taxonomy object seen, its rules as text, and their RuleScorer


def rule_topics(topics: dict[str, Topic], text: str, sentence: bool = False, domain: bool = False) -> list[str]:
    """Topics whose rules reach their threshold in text; remembered per text while the taxonomy is unchanged.

    A whole record needs the topic's `threshold` (more than a passing mention), and with `domain` (talks)
    to name the taxonomy's domain (in_domain); one sentence needs its `sentence_threshold` (by default one
    explicit word), and its talk decides the domain (topic_strength.quotes_with_topics).
    """
    if topics is not _RULED_FOR[0]:
        rules = repr(list(topics.values()))
        if rules != _RULED_FOR[1]:
            _RULED.clear()
        _RULED_FOR[:] = [topics, rules, RuleScorer(topics)]
    key = (text, sentence, domain)
    if key not in _RULED:
        counted = Words(text)
        scores = _RULED_FOR[2].scores(counted, sentence)
        _RULED[key] = [t.id for t, found in zip(topics.values(), scores)
                       if found >= (t.sentence_threshold if sentence else t.threshold)
                       and (not domain or in_domain(t, counted))]
    return list(_RULED[key])


def forget_rule_topics() -> None:
    """Empty rule_topics' memory of texts (a build reads each sentence once, then holds 150,000 of them for nothing)."""
    _RULED.clear()


def assign_topics(topics: dict[str, Topic], text: str, overrides: TopicOverrides, domain: bool = False) -> list[str]:
    """Topics whose rules reach their threshold (in the domain, for talks), then the record's own additions
    and removals."""
    chosen = rule_topics(topics, text, domain=domain)
    chosen += [t for t in overrides.add if t in topics and t not in chosen]
    return [t for t in chosen if t not in overrides.remove]
