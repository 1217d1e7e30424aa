"""Expand a query with synonym groups (acronyms, demonyms), matching words as the index analyses them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import text_analyzer
from .snippets import SurfaceTerms

EXPANSION_BOOST = 0.6
PHRASE_BOOST = 1.5
LOOSE_BOOST = 0.3
_QUOTED = re.compile(r'"[^"]*"')


@dataclass(frozen=True)
class Member:
    text: str
    tokens: tuple[str, ...]


class SynonymExpander:
    """Finds group members in query text and ORs in the other members of each group."""

    def __init__(self, groups: list[list[str]]):
        self.analyzer = text_analyzer()
        self.words = SurfaceTerms(self.analyzer)  # the terms of each word, remembered: a query is analysed twice
        self.members: dict[tuple[str, ...], list[list[Member]]] = {}
        for group in groups:
            members = [Member(text, self._tokens(text)) for text in group]
            members = [m for m in members if m.tokens]
            for member in members:
                self.members.setdefault(member.tokens, []).append(members)
        self.longest = max((len(t) for t in self.members), default=0)

    def analysed(self, text: str) -> list[tuple[str, int, int]]:
        """(term, startchar, endchar) of each term, as `self.analyzer(text, chars=True)` makes them: each of its
        filters works on one token at a time, so the terms of a word are those of the word alone."""
        terms = self.words
        return [(term, match.start(), match.end()) for match in terms.token.finditer(text)
                for term in terms(match.group())]

    def _tokens(self, text: str) -> tuple[str, ...]:
        return tuple(t.text for t in self.analyzer(text))

    def expand(self, text: str) -> tuple[str, list[str]]:
        """Return the rewritten query text and the member texts it added, outside quoted phrases."""
        pieces, added, last = [], [], 0
        for match in _QUOTED.finditer(text):
            segment, extra = self._expand_segment(text[last:match.start()])
            pieces += [segment, match.group(0)]
            added += extra
            last = match.end()
        segment, extra = self._expand_segment(text[last:])
        pieces.append(segment)
        return "".join(pieces), list(dict.fromkeys(added + extra))

    def _expand_segment(self, segment: str) -> tuple[str, list[str]]:
        tokens = self.analysed(segment)
        out, added, cursor, i = [], [], 0, 0
        while i < len(tokens):
            size, groups = self._longest_match(tokens, i)
            if not groups:
                i += 1
                continue
            start, end = tokens[i][1], tokens[i + size - 1][2]
            original = segment[start:end]
            others = _others(groups, tuple(t[0] for t in tokens[i:i + size]))
            out += [segment[cursor:start], _or_group(original, others)]
            added += [m.text for m in others]
            cursor, i = end, i + size
        out.append(segment[cursor:])
        return "".join(out), added

    def concepts(self, text: str) -> list[frozenset[str]]:
        """The query's concepts as sets of index tokens: each word, or all words of a synonym group."""
        return list(dict.fromkeys(tokens for _, tokens in self.concept_words(text)))

    def concept_words(self, text: str) -> list[tuple[str, frozenset[str]]]:
        """Each concept of the query as typed (a word, a "quoted phrase", or a synonym group's member) with its tokens."""
        result: dict[frozenset[str], str] = {}
        last = 0
        for match in _QUOTED.finditer(text):
            self._segment_concepts(text[last:match.start()], result)
            phrase = match.group(0).strip('"').strip()
            tokens = frozenset(self._tokens(phrase))
            if tokens:
                result.setdefault(tokens, phrase)
            last = match.end()
        self._segment_concepts(text[last:].replace('"', " "), result)
        return [(word, found) for found, word in result.items()]

    def _segment_concepts(self, plain: str, result: dict[frozenset[str], str]) -> None:
        tokens = self.analysed(plain)
        i = 0
        while i < len(tokens):
            size, groups = self._longest_match(tokens, i)
            size = size or 1
            found = frozenset(tok for group in groups for m in group for tok in m.tokens) or frozenset([tokens[i][0]])
            result.setdefault(found, plain[tokens[i][1]:tokens[i + size - 1][2]])
            i += size

    def _longest_match(self, tokens: list, i: int) -> tuple[int, list]:
        for size in range(min(self.longest, len(tokens) - i), 0, -1):
            key = tuple(t[0] for t in tokens[i:i + size])
            if key in self.members:
                return size, self.members[key]
        return 0, []


def _others(groups: list[list[Member]], tokens: tuple[str, ...]) -> list[Member]:
    seen = {tokens}
    others = []
    for group in groups:
        for member in group:
            if member.tokens not in seen:
                seen.add(member.tokens)
                others.append(member)
    return others


def _or_group(original: str, others: list[Member]) -> str:
    """One clause for a concept: the words as typed, and each equivalent.

    A multi-word original counts as the phrase or all its words together, with its loose words kept at a
    low weight so the query never comes back empty; an acronym then weighs as much as the long form.
    """
    words = original.split()
    if len(words) == 1:
        alternatives = [_quote(m.text) + f"^{EXPANSION_BOOST}" for m in others]
        return "(" + " OR ".join([original, *alternatives]) + ")"
    exact = [f'"{" ".join(w.replace(chr(34), "") for w in words)}"^{PHRASE_BOOST}', "(" + " AND ".join(words) + ")"]
    alternatives = [_quote(m.text) + ("" if len(m.tokens) == 1 else f"^{EXPANSION_BOOST}") for m in others]
    loose = "(" + " OR ".join(words) + f")^{LOOSE_BOOST}"
    return "(" + " OR ".join([*exact, *alternatives, loose]) + ")"


def _quote(text: str) -> str:
    words = text.replace('"', " ").split()
    return f'"{" ".join(words)}"' if len(words) > 1 else _escape(words[0])


def _escape(word: str) -> str:
    return f'"{word}"' if re.search(r"[^\w]", word) else word
