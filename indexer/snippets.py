"""Snippets for one page of results: query words found in the stored text, marked as Whoosh's pinpoint highlighter would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from whoosh import highlight
from whoosh.analysis import Token

from .analysis import TOKEN_PATTERN, thread_safe_stemming
from .snippet_edges import readable_snippet

SNIPPET_CHARS = 240
FRAGMENTS = 2


class EarliestFirstScorer(highlight.BasicFragmentScorer):
    """Whoosh breaks ties between equal fragments by object id; prefer the earlier one, so snippets repeat."""

    def __call__(self, fragment):
        return super().__call__(fragment) - fragment.startchar * 1e-9


class SurfaceTerms:
    """The index terms a field's analyzer makes of each written word, remembered per word.

    Every filter of the prose analyzer works on one token at a time, so analysing a word on its own
    gives the terms it got in its document; finding query words in the stored text this way costs a
    regex pass, where reading offsets from the postings costs a block read per word and document.
    """

    LIMIT = 200_000  # words remembered; the cache starts again past this

    def __init__(self, analyzer, pattern: str = TOKEN_PATTERN):
        self.analyzer = thread_safe_stemming(analyzer)  # shared by the server's threads
        self.token = re.compile(pattern, re.UNICODE)  # the analyzer's own tokenizer pattern
        self._terms: dict[str, tuple[str, ...]] = {}

    def __call__(self, word: str) -> tuple[str, ...]:
        terms = self._terms.get(word)
        if terms is None:
            if len(self._terms) >= self.LIMIT:
                self._terms.clear()
            terms = self._terms[word] = tuple(t.text for t in self.analyzer(word, mode="index"))
        return terms

    def offsets(self, text: str, wanted: set[str], charlimit: int | None) -> dict[str, list]:
        """word -> [(position, startchar, endchar)], numbered as the index numbers them (stop words renumbered)."""
        found: dict[str, list] = {}
        position = -1
        started = False  # the index numbers from the first kept word's place, then one per term
        remembered = self._terms.get
        for number, match in enumerate(self.token.finditer(text)):
            word = match.group()
            terms = remembered(word)
            if terms is None:
                terms = self(word)
            if not terms:
                continue
            if charlimit and match.start() > charlimit:
                break
            for term in terms:
                position = position + 1 if started else number
                started = True
                if term in wanted:
                    found.setdefault(term, []).append((position, match.start(), match.end()))
        return found


@dataclass
class LanguageMatches:
    """Query words found through a language's own field (body_de, body_da): the terms its stemmer made of the
    query, that stemmer's SurfaceTerms, and the documents in that language, whose text it may mark."""

    surface: SurfaceTerms
    words: list[str]
    docs: set[int]


def body_snippets(surface: SurfaceTerms, words: list[str], docs: dict[int, str],
                  readable: bool = False, languages: list[LanguageMatches] = ()) -> dict[int, str]:
    """HTML snippets (escaped, query words in <mark>) for the given documents' texts; '' where no word occurs.

    Marks the same words at the same places as Whoosh's pinpoint highlighter, which reads them from
    the postings' stored character offsets (tests/test_retrieval.py compares the two). With readable,
    fragments are widened to sentence or word boundaries and cuts are marked "…" (snippet_edges.py).
    A German or Danish talk's words that the query matched only through its language's stemmer
    ("Anwendungen" finding "Anwendung") are found with that stemmer (`languages`) and marked too.
    """
    fragmenter = highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=80, autotrim=True)
    formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    scorer = EarliestFirstScorer()
    snippets = {}
    for docnum, text in docs.items():
        parts = [Wanted(surface, set(words), "")] if words else []
        parts += [Wanted(language.surface, set(language.words), f"{index}:")
                  for index, language in enumerate(languages) if docnum in language.docs and language.words]
        tokens = _tokens(marked_places(text, parts, fragmenter.charlimit), fragmenter.charlimit)
        if not tokens:
            snippets[docnum] = ""
            continue
        fragments = highlight.top_fragments(fragmenter.fragment_matches(text, tokens), FRAGMENTS, scorer,
                                            highlight.FIRST)
        snippets[docnum] = readable_snippet(formatter, fragments) if readable else formatter.format(fragments)
    return snippets


@dataclass
class Wanted:
    """One analyzer's share of a document's marks: the terms it looks for, and the prefix of their keys."""

    surface: SurfaceTerms
    terms: set[str]
    key: str


def marked_places(text: str, parts: list[Wanted], charlimit: int | None) -> dict[str, list]:
    """key + term -> [(None, startchar, endchar)] of every word making a wanted term, in order of first place.

    One tokenizing pass serves every analyzer (they share TOKEN_PATTERN); the keys come in the
    order the separate passes would have made them: the body's terms, then each language's.
    """
    found: list[dict[str, list]] = [{} for _ in parts]
    if parts:
        for match in parts[0].surface.token.finditer(text):
            if charlimit and match.start() > charlimit:
                break
            word = match.group()
            for part, places in zip(parts, found):
                for term in part.surface(word):
                    if term in part.terms:
                        places.setdefault(term, []).append((None, match.start(), match.end()))
    return {part.key + term: places for part, terms in zip(parts, found) for term, places in terms.items()}


def _tokens(words: dict[str, list], charlimit: int | None) -> list[Token]:
    tokens = [Token(text=word, pos=pos, startchar=start, endchar=end)
              for word, chars in words.items() for pos, start, end in chars
              if not (charlimit and end > charlimit)]
    tokens.sort(key=lambda t: t.startchar)
    return [max(group, key=lambda t: t.endchar - t.startchar) for _, group in groupby(tokens, lambda t: t.startchar)]
