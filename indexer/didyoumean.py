"""Did-you-mean: correct unknown words against the unstemmed vocabulary of the index."""

from __future__ import annotations

import re

from .analysis import name_analyzer, text_analyzer
from .vocabulary import Vocabulary

_WORD = re.compile(r"(?<![\w:])[^\W\d_][\w'’]*(?![\w*~:^])")  # not prefix*, fuzzy~ or field: words
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


MAX_REMEMBERED = 10000  # corrections remembered per build


class SpellingMemory:
    """Per build: the analysers and the corrections already worked out (a fuzzy lexicon scan costs ~10 ms)."""

    def __init__(self):
        self.analyzer = name_analyzer()
        self.prose = text_analyzer()
        self.corrections: dict[str, str | None] = {}
        self.known: set[str] = set()  # words as typed that need no correction (most of what people type)

    def remember(self, folded: str, correction: str | None) -> None:
        if len(self.corrections) >= MAX_REMEMBERED:
            self.corrections.clear()
        self.corrections[folded] = correction

    def remember_known(self, word: str) -> None:
        if len(self.known) >= MAX_REMEMBERED:
            self.known.clear()
        self.known.add(word)


class Speller:
    """Suggests the closest known word (of the build's vocabulary), nearest edit distance first, then the most
    frequent."""

    def __init__(self, searcher, vocabulary: Vocabulary, memory: SpellingMemory | None = None):
        self.reader = searcher.reader()
        self.vocabulary = vocabulary
        self.memory = memory or SpellingMemory()
        self.analyzer = self.memory.analyzer
        self.prose = self.memory.prose

    def known(self, word: str, folded: str) -> bool:
        """Known as written, or as the search finds it (stemmed, American spelling: tumor, predicting)."""
        if self.vocabulary.frequency(folded) > 0:
            return True
        stems = [t.text for t in self.prose(word)]
        return bool(stems) and all(self.reader.doc_frequency("body", s) or self.reader.doc_frequency("title", s)
                                   for s in stems)

    def correct_word(self, word: str) -> str | None:
        """A correction for one word, or None when it is known or nothing is close enough."""
        if word in self.memory.known:
            return None
        folded = " ".join(t.text for t in self.analyzer(word))
        if not folded or " " in folded or len(folded) < 4 or self.known(word, folded):
            self.memory.remember_known(word)
            return None
        corrections = self.memory.corrections
        if folded not in corrections:
            self.memory.remember(folded, self._closest(folded))
        return corrections.get(folded)

    def _closest(self, folded: str) -> str | None:
        for maxdist in (1, 2) if len(folded) > 5 else (1,):
            candidates = self.vocabulary.within(folded, maxdist, prefix=1)
            if candidates:
                return max(candidates, key=lambda w: (self.vocabulary.frequency(w), w))
        return None

    def suggest(self, text: str) -> str | None:
        """The query with each unknown word replaced by its correction, or None if nothing changed."""
        changed = False

        def fix(match: re.Match) -> str:
            nonlocal changed
            word = match.group(0)
            if word in OPERATORS:
                return word
            correction = self.correct_word(word)
            if correction is None:
                return word
            changed = True
            return _match_case(word, correction)

        suggestion = _WORD.sub(fix, text)
        return suggestion if changed else None


def _match_case(original: str, correction: str) -> str:
    if original.isupper():
        return correction.upper()
    if original[:1].isupper():
        return correction[:1].upper() + correction[1:]
    return correction
