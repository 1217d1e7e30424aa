"""Snippets that read well: each fragment begins at its sentence's start (keeping the sentence's subject) or
else at a word, ends at its sentence's end or else after a word, and says "…" wherever the text is cut."""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+|\n\s*")
REACH_BACK = 110  # characters back to the sentence's start worth adding, to keep its subject
REACH_ON = 70  # characters on to the sentence's end worth adding
ELLIPSIS = "…"


def sentence_start(text: str, at: int) -> int | None:
    """Where the sentence holding `at` begins, when that is at most REACH_BACK characters back.

    That is where the last SENTENCE_END in text[floor:at] ends. Found from the right: each match begins at one
    of ".!?\n" and ends after the whitespace that follows, so the last match ends where a match at the last
    of those characters that begins one ends (a line break inside an earlier match ends where it ends).
    """
    floor = max(0, at - REACH_BACK)
    before = at
    while True:
        place = max(text.rfind(".", floor, before), text.rfind("!", floor, before), text.rfind("?", floor, before),
                    text.rfind("\n", floor, before))
        if place < 0:
            return 0 if floor == 0 else None
        found = SENTENCE_END.match(text, place, at)
        if found:
            return found.end()
        before = place  # a full stop inside a word ("3.5", "e.g."): look further back


def sentence_end(text: str, at: int) -> int | None:
    """Where the sentence holding `at` ends (after its full stop), when at most REACH_ON characters on."""
    if at > 0 and text[at - 1] in ".!?":
        return at
    found = SENTENCE_END.search(text, at, at + REACH_ON)
    if found:
        return found.start() + len(found.group().rstrip())
    return len(text) if len(text) - at <= REACH_ON else None


def word_start(text: str, at: int) -> int:
    """`at`, moved back to the start of the word it falls in."""
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def word_end(text: str, at: int) -> int:
    """`at`, moved on to the end of the word it falls in (trailing punctuation and spaces left out)."""
    while at < len(text) and not text[at].isspace():
        at += 1
    while at > 0 and text[at - 1] in ",;:—–-(":
        at -= 1
    return at


def next_sentence(text: str, start: int, before: int) -> int | None:
    """The first sentence start in text[start:before], if any."""
    found = SENTENCE_END.search(text, start, before)
    return found.end() if found else None


def last_sentence_end(text: str, after: int, at: int) -> int | None:
    """The last sentence end in text[after:at], if any."""
    ends = [m.start() + len(m.group().rstrip()) for m in SENTENCE_END.finditer(text, after, at)]
    return ends[-1] if ends else None


def widen(fragment) -> tuple[bool, bool]:
    """Move a Whoosh fragment's edges to sentence or word boundaries (`edges`); say whether each edge is a cut."""
    marks = [t for t in fragment.matches if t.startchar is not None]
    first = min((t.startchar for t in marks), default=fragment.startchar)
    last = max((t.endchar for t in marks), default=fragment.endchar)
    fragment.startchar, fragment.endchar, cut_start, cut_end = edges(fragment.text, fragment.startchar,
                                                                     fragment.endchar, first, last)
    return cut_start, cut_end


def edges(text: str, startchar: int, endchar: int, first: int, last: int) -> tuple[int, int, bool, bool]:
    """A fragment's edges moved to sentence or word boundaries, and whether each is a cut; `first` and `last`:
    where its first mark begins and its last one ends.

    A sentence begun too far back is skipped for the next one when that still holds the first match;
    a sentence ending too far on is left out when the fragment only reaches into its first words.
    """
    start = sentence_start(text, startchar)
    if start is None:
        start = next_sentence(text, startchar, first)
    cut_start = start is None
    end = sentence_end(text, endchar)
    if end is None:
        end = last_sentence_end(text, last, endchar)
    cut_end = end is None and endchar < len(text)
    return (word_start(text, startchar) if cut_start else start, word_end(text, endchar) if end is None else end,
            cut_start, cut_end)


def cut_marks(body: str, cut_start: bool, cut_end: bool) -> str:
    """One formatted piece with "…" where the text is cut (two cuts that meet say it once)."""
    lead = ELLIPSIS + " " if cut_start else ""
    return (lead + body + (" " + ELLIPSIS if cut_end else "")).replace(f"{ELLIPSIS} {ELLIPSIS}", ELLIPSIS)


def readable_snippet(formatter, fragments: list) -> str:
    """The fragments, widened and merged where they meet, formatted with "…" at every cut."""
    pieces: list[list] = []  # [fragment, cut at start, cut at end]
    for fragment in sorted(fragments, key=lambda f: f.startchar):
        cut_start, cut_end = widen(fragment)
        if pieces and fragment.startchar <= pieces[-1][0].endchar:
            _merge(pieces[-1], fragment, cut_end)
        else:
            pieces.append([fragment, cut_start, cut_end])
    out = []
    for i, (fragment, cut_start, cut_end) in enumerate(pieces):
        skipped = i > 0 and not pieces[i - 1][2]  # text left out between two whole sentences
        lead = ELLIPSIS + " " if cut_start or skipped else ""
        body = formatter.format_fragment(fragment, replace=False).strip()
        out.append(lead + body + (" " + ELLIPSIS if cut_end else ""))
    return " ".join(out).replace(f"{ELLIPSIS} {ELLIPSIS}", ELLIPSIS)


def _merge(piece: list, fragment, cut_end: bool) -> None:
    """Join a fragment into the piece it overlaps."""
    if fragment.endchar >= piece[0].endchar:
        piece[0].endchar, piece[2] = fragment.endchar, cut_end
    known = {(t.startchar, t.endchar) for t in piece[0].matches}
    piece[0].matches = sorted(piece[0].matches + [t for t in fragment.matches if (t.startchar, t.endchar) not in known],
                              key=lambda t: t.startchar)
