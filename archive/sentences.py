"""Split plain text into sentences that survive abbreviations, initials, "(?)", curly quotes and decimals."""

from __future__ import annotations

import re

# A candidate end: terminal punctuation, any closing quotes or brackets, then whitespace.
_END = re.compile(r"(?:[.!?]+|…)[”’\"')\]]*(?=\s)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_OPENERS = "“‘\"'(["  # may stand before the capital or digit that opens a sentence
_WORD_BEFORE = re.compile(r"(\S+)$")
_DOTTED = re.compile(r"^(?:[A-Za-z]{1,2}\.){2,}$")  # Ph.D. U.S. e.g. M.Sc.
_INITIAL = re.compile(r"^[A-Z]\.$")

# Never the end of a sentence: titles before a name, and Latin or English abbreviations used mid-sentence.
ABBREVIATIONS = frozenset(
    "dr. mr. mrs. ms. mx. prof. rev. hon. st. sr. jr. gen. col. lt. sgt. e.g. i.e. cf. vs. viz. approx. ca. "
    "incl. esp. resp. al. dept. univ. assoc. jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec."
    .split())
# Abbreviations only when a number follows: "no. 5", "vol. 2", "pp. 10-12".
NUMBER_ABBREVIATIONS = frozenset("no. nos. nr. vol. vols. p. pp. art. para. fig. figs. eq. ref. refs. ch. sec. est."
                                 .split())
# Words that open a new sentence after a dotted abbreviation such as "Ph.D." or "U.S.".
SENTENCE_STARTERS = frozenset(
    "The This These That Those There Their They Then She He His Her It Its We Our In On At As For From After "
    "Before Since During With Today Currently Now Later Moreover However Furthermore Also A An".split())


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain text, split on blank lines and stripped."""
    return [p.strip() for p in _PARAGRAPH.split(text or "") if p.strip()]


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, verbatim and in order; paragraphs always end a sentence."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in text, without the whitespace between them."""
    spans: list[tuple[int, int]] = []
    for block in _blocks(text):
        start = _skip_space(text, block[0], block[1])
        for match in _END.finditer(text, start, block[1]):
            if _is_boundary(text, start, match):
                spans.append((start, match.end()))
                start = _skip_space(text, match.end(), block[1])
        end = len(text[start:block[1]].rstrip()) + start
        if end > start:
            spans.append((start, end))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    bounds, position = [], 0
    for match in _PARAGRAPH.finditer(text):
        bounds.append((position, match.start()))
        position = match.end()
    return bounds + [(position, len(text))]


def _skip_space(text: str, position: int, stop: int) -> int:
    while position < stop and text[position].isspace():
        position += 1
    return position


def _is_boundary(text: str, start: int, match: re.Match) -> bool:
    """Whether the punctuation matched ends a sentence, judged by the word before and the word after."""
    following = text[_skip_space(text, match.end(), len(text)):]
    first = following.lstrip(_OPENERS)[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    if text[match.start() - 1: match.start()] == "(" and match.group().startswith(("?", "!")):
        return False  # an editorial "(?)" or "(!)"
    if not match.group().startswith("."):
        return True
    word = _word_before(text, start, match.end())
    return not _is_abbreviation(word, following)


def _word_before(text: str, start: int, end: int) -> str:
    """The token that ends at the punctuation, without closing quotes or brackets, from its first letter."""
    found = _WORD_BEFORE.search(text, start, end)
    token = found.group(1).rstrip("”’\"')]") if found else ""
    return token.lstrip("“‘\"'([")


def _is_abbreviation(word: str, following: str) -> bool:
    lower = word.lower()
    next_word = re.match(r"[“‘\"'(\[]*(\w+)", following)
    next_word = next_word.group(1) if next_word else ""
    if lower in ABBREVIATIONS or _INITIAL.match(word):
        return True
    if lower in NUMBER_ABBREVIATIONS:
        return next_word[:1].isdigit()
    if _DOTTED.match(word):
        return next_word not in SENTENCE_STARTERS
    return False
