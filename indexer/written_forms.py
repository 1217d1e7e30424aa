"""Where a snippet's words can be in a text, found without tokenizing the whole text.

Tokenizing a long talk word by word in Python was most of a search's cost. But a plain word (ASCII
letters, digits, '_' or '+', no apostrophe) is analysed exactly as its lowercase form is (every
analyzer starts by tokenizing and lowercasing), and that
form is a word of the build's vocabulary (vocabulary.py), whose analyzer (name_analyzer) lowercases, folds (a
no-op on lowercase ASCII) and drops English stop words only. So, knowing which such forms make
each wanted term (WrittenForms, worked out once per build from its vocabulary), a
C-speed search of the lowercased text finds every plain word that may be marked; every word that
is not plain holds an apostrophe or a non-ASCII character, which a second search finds. Only the
runs of word characters around these places are then tokenized and analysed, exactly as the full
pass would: a run is bounded by characters no token contains, so its tokens are the text's own.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from typing import Iterable

from whoosh.analysis import STOP_WORDS

from .analysis import TOKEN_PATTERN

RUN_CHAR = re.compile(r"[\w'’+]")  # every character a token can hold (TOKEN_PATTERN's)
RUN_END = re.compile(r"[\w'’+]*")
NON_ASCII = re.compile(r"[^\x00-\x7f][\w'’+]*")  # to its run's end (a plain set is the fastest scan)
PLAIN_WORD = re.compile(TOKEN_PATTERN)


class WrittenForms:
    """term -> the plain lowercase words that an analyzer makes it of, over one build's vocabulary.

    Kept as two aligned sorted lists, not a dict of tuples: about a megabyte per analyzer instead of
    over ten, for tens of thousands of words; a term equal to its word shares the word's string.
    """

    def __init__(self, analyzer, words: Iterable[str], known: "WrittenForms | None" = None):
        """The forms of `words`, plus those of `known` (an earlier build's, by the same analyzer), whose words are
        not analysed again."""
        words = [w for w in words if (known is None or w not in known.words)
                 and w.isascii() and "'" not in w and PLAIN_WORD.fullmatch(w)]
        starts, place = {}, 0
        for word in words:
            starts[place] = word
            place += len(word) + 1
        pairs = set()
        # one analyzer call over all the words: its filters work a token at a time, so each gets its own terms
        for token in analyzer(" ".join(words), chars=True, mode="index"):
            word = starts[token.startchar]
            pairs.add((word if token.text == word else token.text, word))
        if known is None:
            ordered = sorted(pairs)
            self._terms = [term for term, _ in ordered]
            self._words = [word for _, word in ordered]
            self.words = set(words)
        else:
            self._terms, self._words = _merged(known._terms, known._words, sorted(pairs))
            self.words = known.words.union(words)

    def __call__(self, terms: Iterable[str]) -> set[str]:
        """The plain words making any of the terms."""
        found = set()
        for term in terms:
            at = bisect_left(self._terms, term)
            while at < len(self._terms) and self._terms[at] == term:
                found.add(self._words[at])
                at += 1
        return found


def _merged(terms: list[str], words: list[str], pairs: list[tuple[str, str]],
            insert_below: float = 1 / 64) -> tuple[list[str], list[str]]:
    """The sorted aligned lists with the (few, sorted) new pairs put in their places: an update's handful of new
    words, where sorting every pair again took most of the time a new build's learning took."""
    if len(pairs) > len(terms) * insert_below:  # many new words (an import): one sort beats many inserts
        ordered = sorted([*zip(terms, words), *pairs])
        return [t for t, _ in ordered], [w for _, w in ordered]
    terms, words = list(terms), list(words)
    for term, word in pairs:
        at = bisect_left(terms, term)
        end = bisect_left(terms, term + "\0", at)  # the run of this term; within it, words are sorted
        at = bisect_left(words, word, at, end)
        terms.insert(at, term)
        words.insert(at, word)
    return terms, words


def build_vocabulary(vocabulary) -> list[str]:
    """The words of the build's vocabulary, plus the English stop words it leaves out (a language's analyzer
    has its own stop words, so it may make terms of them)."""
    return sorted(set(vocabulary.counts()[0]) | set(STOP_WORDS))


def learn_in_background(vocabulary, surfaces: list) -> threading.Thread:
    """Give each SurfaceTerms its WrittenForms in a thread: snippets take the full pass until then."""
    def learn():
        for surface in surfaces:
            try:
                surface.forms = learned_for(surface.analyzer, vocabulary)
            except Exception:  # a build dropped meanwhile: its searches keep the exact full pass
                return

    thread = threading.Thread(target=learn, name="written-forms", daemon=True)
    thread.start()
    return thread


def learned_for(analyzer, vocabulary) -> WrittenForms:
    """The analyzer's forms of a build's words. When it last learned a build of the same full build (a save's
    build follows the last), only the words the updates added are read: listing the whole vocabulary again
    took tens of milliseconds of the interpreter after every save, while the searches for the saved
    word waited for it."""
    known, base = _last_learned(analyzer)
    words = vocabulary.added_words() if known is not None and base == vocabulary.base else build_vocabulary(vocabulary)
    return _remember(analyzer, WrittenForms(analyzer, words, known), vocabulary.base)  # holds every word of the build


def _learned(analyzer, words: list[str]) -> WrittenForms:
    """The analyzer's forms of the words, starting from what it learned of the last build: an update adds a few
    words to a vocabulary of tens of thousands, and analysing them all again after every save took a
    third of a second of CPU per analyzer from the searches that follow it."""
    known, _ = _last_learned(analyzer)
    return _remember(analyzer, WrittenForms(analyzer, words, known), None)


def _last_learned(analyzer) -> tuple["WrittenForms | None", tuple | None]:
    """What the analyzer learned last, and the full build whose every word that holds (None when not known)."""
    with _LEARNED_LOCK:
        return next(((forms, base) for seen, forms, base in _LEARNED if seen == analyzer), (None, None))


def _remember(analyzer, forms: WrittenForms, base: tuple | None) -> WrittenForms:
    with _LEARNED_LOCK:
        _LEARNED[:] = [entry for entry in _LEARNED if entry[0] != analyzer][-7:] + [(analyzer, forms, base)]
    return forms


# (analyzer, what it learned last, the full build whose words that holds), a few analyzers' worth
_LEARNED: list[tuple[object, WrittenForms, tuple | None]] = []
_LEARNED_LOCK = threading.Lock()


def candidate_runs(text: str, forms: set[str], charlimit: int | None) -> list[tuple[int, int]] | None:
    """(start, end) spans, in order and apart, each a whole number of runs of token characters, that hold every
    word of the forms and every word that is not plain; None when lowercasing moves characters."""
    head = text[:charlimit] if charlimit else text
    lowered = head.lower()
    if len(lowered) != len(head):
        return None
    places = _finds(lowered, forms)
    if "'" in head:
        places += _finds(head, ("'",))
    if not head.isascii():
        places += [match.start() for match in NON_ASCII.finditer(head)]
    places.sort()
    spans: list[tuple[int, int]] = []
    covered = -1
    for place in places:
        if place < covered:
            continue
        start, covered = _run_start(text, place), RUN_END.match(text, place).end()
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], covered)
        elif covered > start:
            spans.append((start, covered))
    return spans


def _finds(text: str, words: Iterable[str]) -> list[int]:
    """Where each of the words starts in the text (str.find: the fastest search there is)."""
    places = []
    for word in words:
        found = text.find(word)
        while found >= 0:
            places.append(found)
            found = text.find(word, found + len(word))  # an overlapping one is in the same run
    return places


def _run_start(text: str, place: int) -> int:
    while place > 0 and RUN_CHAR.match(text, place - 1):
        place -= 1
    return place
