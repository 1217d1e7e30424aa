"""Snippets for one page of results, marked from the character offsets stored at index time."""

from __future__ import annotations

from itertools import groupby

from whoosh import highlight
from whoosh.analysis import Token

from .postings import Cursor

SNIPPET_CHARS = 240
FRAGMENTS = 2


class EarliestFirstScorer(highlight.BasicFragmentScorer):
    """Whoosh breaks ties between equal fragments by object id; prefer the earlier one, so snippets repeat."""

    def __call__(self, fragment):
        return super().__call__(fragment) - fragment.startchar * 1e-9


def body_snippets(searcher, field: str, words: list[str], docs: dict[int, str]) -> dict[int, str]:
    """HTML snippets (escaped, query words in <mark>) for the given documents' texts; '' where no word occurs.

    Reads each query word's offsets for just these documents, as Whoosh's pinpoint highlighter does,
    without needing Whoosh's Results object.
    """
    offsets = _offsets(searcher, field, words, sorted(docs))
    fragmenter = highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=80, autotrim=True)
    formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    scorer = EarliestFirstScorer()
    snippets = {}
    for docnum, text in docs.items():
        tokens = _tokens(offsets.get(docnum, {}), fragmenter.charlimit)
        if not tokens:
            snippets[docnum] = ""
            continue
        fragments = highlight.top_fragments(fragmenter.fragment_matches(text, tokens), FRAGMENTS, scorer,
                                            highlight.FIRST)
        snippets[docnum] = formatter.format(fragments)
    return snippets


def _offsets(searcher, field: str, words: list[str], docnums: list[int]) -> dict[int, dict[str, list]]:
    """docnum -> word -> [(position, startchar, endchar)] for the words present in those documents."""
    reader = searcher.reader()
    found: dict[int, dict[str, list]] = {}
    for word in words:
        if (field, word) not in reader:
            continue
        cursor = Cursor(reader, field, word)
        for docnum in docnums:
            matcher = cursor.seek(docnum)
            if matcher is not None:
                found.setdefault(docnum, {})[word] = matcher.value_as("characters")
    return found


def _tokens(words: dict[str, list], charlimit: int | None) -> list[Token]:
    tokens = [Token(text=word, pos=pos, startchar=start, endchar=end)
              for word, chars in words.items() for pos, start, end in chars
              if not (charlimit and end > charlimit)]
    tokens.sort(key=lambda t: t.startchar)
    return [max(group, key=lambda t: t.endchar - t.startchar) for _, group in groupby(tokens, lambda t: t.startchar)]
