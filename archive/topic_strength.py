"""Topics at two strengths: what a record is *about*, what it only *mentions*, and what one sentence is on.

A talk is about a topic when the taxonomy's rules reach the topic's `threshold` over its whole text
(more than a passing mention), or a librarian's override says so. One sentence is on a topic when the
explicit rules reach the topic's `sentence_threshold` (default 1) in that sentence alone: one explicit
word or phrase is enough ("AI", "genome", "EHDS", "consent"), while words a rule marks `explicit: false`
("Europe", "borders", "database") only add to a whole record's score. A sentence that carries its talk's subject on without
naming it ("She emphasised the value of a timely diagnosis" in a talk about AI) is not on the topic:
a quote is filed under what it says, and its talk's topics travel with it separately (`talk_topics`).
A talk *mentions* a topic when at least one of its sentences is on it but the talk is not about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .corpus import Corpus
from .quotes import Quote, talk_quotes
from .records import Speaker, Talk, Topic
from .taxonomy import Match, Words, explain, forget_rule_topics, in_domain, rule_topics, words
from .text import forget_rendered, to_plain


@dataclass(frozen=True)
class Mention:
    """A topic a record names without being about it, and the sentences (quote ids) that name it."""

    topic: str
    sentences: tuple[str, ...] = ()
    talks: tuple[str, ...] = ()  # for a speaker: their talks that are about the topic
    bio: bool = False  # for a speaker: the biography names it

    def as_dict(self) -> dict:
        found = {"topic": self.topic, "sentences": list(self.sentences)}
        if self.talks:
            found["talks"] = list(self.talks)
        if self.bio:
            found["bio"] = True
        return found


def sentence_topics(topics: dict[str, Topic], text: str) -> list[str]:
    """The topics one sentence is on, in taxonomy order."""
    return rule_topics(topics, text, sentence=True)


def sentence_evidence(topics: dict[str, Topic], text: str) -> dict[str, list[str]]:
    """For each topic of a sentence, the rule words and phrases that put it there."""
    return {topic: _matched(explain(topics[topic], text, sentence=True)) for topic in sentence_topics(topics, text)}


def evidence_for(topics: dict[str, Topic], text: str, on: list[str]) -> dict[str, list[str]]:
    """sentence_evidence for a sentence whose topics are already known (quotes_with_topics gives them), limited to
    `on`: the same words, without working out the sentence's topics again."""
    counted = Words(text)
    return {topic: _matched(explain(topics[topic], counted, sentence=True)) for topic in on}


def _matched(matches: list[Match]) -> list[str]:
    return list(dict.fromkeys(word for match in matches for word in match.matched))


_SPLIT: dict[tuple[str, str], list[Quote]] = {}  # (talk id, summary) -> its sentences; a build asks several times
MAX_SPLIT = 20000


def _quotes(talk: Talk) -> list[Quote]:
    key = (talk.id, talk.text)
    if key not in _SPLIT:
        if len(_SPLIT) >= MAX_SPLIT:
            _SPLIT.clear()
        _SPLIT[key] = talk_quotes(talk)
    return _SPLIT[key]


def forget_worked_out() -> None:
    """Drop the sentence splits, rule topics and renderings remembered so far. A build calls it every few
    hundred talks: it asks for a talk's only while making that talk's documents, and remembering all of
    them cost each of its processes over 100 MB at 10,000 talks."""
    _SPLIT.clear()
    _ON_TOPICS.clear()
    forget_rule_topics()
    forget_rendered()


def quotes_with_topics(topics: dict[str, Topic], talk: Talk) -> list[tuple[Quote, list[str]]]:
    """Every sentence of a talk's summary with the topics it is on; none when the talk is outside the
    taxonomy's domain (taxonomy.in_domain).

    Remembered per talk text while the taxonomy is the same object (the loader keeps it while
    taxonomy.yaml is unchanged): a save re-indexes a talk's speakers, and each speaker's document
    asks this of every talk they gave, which cost a tenth of a second per save at 10,000 talks.
    """
    key = (talk.id, talk.title, talk.question, talk.abstract, talk.text)
    known = _ON_TOPICS.get(key)
    if known is not None and known[0] is topics:
        return [(quote, list(on)) for quote, on in known[1]]
    fits = _in_domain(topics, "\n".join((talk.title, talk.question, talk.abstract, talk.text)))
    found = [(quote, [t for t in sentence_topics(topics, quote.text) if t in fits]) for quote in _quotes(talk)]
    if len(_ON_TOPICS) >= MAX_SPLIT:
        _ON_TOPICS.clear()
    _ON_TOPICS[key] = (topics, found)
    return [(quote, list(on)) for quote, on in found]


# talk text -> (the taxonomy it was worked out with, each sentence with its topics)
_ON_TOPICS: dict[tuple, tuple[dict, list]] = {}


def _in_domain(topics: dict[str, Topic], text: str) -> set[str]:
    counted = Words(text)
    return {t.id for t in topics.values() if in_domain(t, counted)}


def talk_mentions(topics: dict[str, Topic], talk: Talk) -> list[Mention]:
    """Topics some sentence of the talk is on while the talk is not about them, in taxonomy order."""
    named: dict[str, list[str]] = {}
    for quote, on in quotes_with_topics(topics, talk):
        for topic in on:
            named.setdefault(topic, []).append(quote.id)
    return [Mention(t, tuple(named[t])) for t in topics if t in named and t not in talk.topics]


def speaker_mentions(corpus: Corpus, speaker: Speaker, talk_mentions_of=None) -> list[Mention]:
    """Topics a speaker's talks are about or mention, or the bio names, that the speaker is not about."""
    talk_mentions_of = talk_mentions_of or (lambda talk: talk_mentions(corpus.topics, talk))
    sentences: dict[str, list[str]] = {}
    talks: dict[str, list[str]] = {}
    for talk in corpus.talks_by_speaker(speaker.id):
        for topic in talk.topics:
            talks.setdefault(topic, []).append(talk.id)
        for mention in talk_mentions_of(talk):
            sentences.setdefault(mention.topic, []).extend(mention.sentences)
    in_bio = set(rule_topics(corpus.topics, bio_text(speaker), sentence=True))
    named = set(sentences) | set(talks) | in_bio
    return [Mention(t, tuple(sentences.get(t, ())), tuple(talks.get(t, ())), t in in_bio)
            for t in corpus.topics if t in named and t not in speaker.topics]


def bio_text(speaker: Speaker) -> str:
    """A speaker's biographies, as plain text."""
    return "\n".join(to_plain(b) for b in (speaker.bio, *(a.bio for a in speaker.appearances)) if b)


_WORD_SPAN = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:[+'’][A-Za-z0-9\u00C0-\u024F]*)*")


def evidence_spans(text: str, matched: list[str]) -> list[tuple[int, int]]:
    """(start, end) of the words in text that the rule words and phrases in `matched` found ('genom*' included)."""
    tokens = [(m.start(), m.end(), words(m.group())) for m in _WORD_SPAN.finditer(text)]
    flat = [(start, end, w) for start, end, found in tokens for w in found[:1]]
    spans = []
    for pattern in matched:
        parts = words(pattern.rstrip("*")) if " " in pattern else [pattern]
        for i in range(len(flat) - len(parts) + 1):
            if all(_word_matches(flat[i + k][2], part) for k, part in enumerate(parts)):
                spans.append((flat[i][0], flat[i + len(parts) - 1][1]))
    return _merged(spans)


def _word_matches(word: str, pattern: str) -> bool:
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
