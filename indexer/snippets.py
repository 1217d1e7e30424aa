"""Snippets for one page of results: query words found in the stored text, marked as Whoosh's pinpoint highlighter would."""

from __future__ import annotations

import heapq
import html
import re
from dataclasses import dataclass
from typing import Iterator

from whoosh import highlight

from .analysis import TOKEN_PATTERN, thread_safe_stemming
from .snippet_edges import cut_marks, edges, readable_snippet
from .written_forms import WrittenForms, candidate_runs

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
        self.remembered = self._terms.get  # the terms of a word seen before, or None; for hot loops
        self.forms: WrittenForms | None = None  # once known, snippets tokenize only where marks can be

    def __call__(self, word: str) -> tuple[str, ...]:
        terms = self._terms.get(word)
        if terms is None:
            if len(self._terms) >= self.LIMIT:
                self._terms.clear()  # in place: `remembered` stays this dict's
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
    body = [Wanted.of(surface, words, "")] if words else []
    wanted = [(Wanted.of(language.surface, language.words, f"{index}:"), language.docs)
              for index, language in enumerate(languages) if language.words and language.docs]
    snippets = {}
    for docnum, text in docs.items():
        parts = body + [part for part, language_docs in wanted if docnum in language_docs]
        places = marked_places(text, parts, fragmenter.charlimit)
        only = _only_place(places, fragmenter.charlimit) if readable else None
        if only is not None:
            snippets[docnum] = one_mark_snippet(fragmenter, formatter, text, *only)
            continue
        tokens = _tokens(places, fragmenter.charlimit)
        if not tokens:
            snippets[docnum] = ""
            continue
        fragments = best_fragments(fragmenter, text, tokens)
        if fragments is None:  # an exact tie, which Whoosh breaks by object id: let it
            fragments = highlight.top_fragments(fragmenter.fragment_matches(text, tokens), FRAGMENTS,
                                                EarliestFirstScorer(), highlight.FIRST)
        snippets[docnum] = readable_snippet(formatter, fragments) if readable else formatter.format(fragments)
    return snippets


def _only_place(places: dict[str, list], charlimit: int | None) -> tuple[str, int, int] | None:
    """(term, startchar, endchar) when the text has exactly one marked word (a rare word's usual case), else None."""
    if len(places) != 1:
        return None
    (term, chars), = places.items()
    if len(chars) != 1 or (charlimit and chars[0][1] > charlimit):
        return None
    return term, chars[0][0], chars[0][1]


def one_mark_snippet(fragmenter: highlight.PinpointFragmenter, formatter: highlight.HtmlFormatter, text: str,
                     term: str, startchar: int, endchar: int) -> str:
    """The readable snippet of a text with one marked word, made directly: what best_fragments picks (the one
    fragment PinpointFragmenter makes around it, trimmed as its autotrim trims) and readable_snippet makes of it,
    without the fragment, token and scoring objects (tests/test_best_fragments.py compares the two ways)."""
    start, end = max(0, startchar - fragmenter.surround), min(len(text), endchar + fragmenter.surround)
    if fragmenter.autotrim:
        start, end = _trimmed(text, start, end, startchar, endchar)
    start, end, cut_start, cut_end = edges(text, start, end, startchar, endchar)
    body = (html.escape(text[start:startchar], quote=False)  # as HtmlFormatter escapes the text between marks
            + formatter.format_token(text, Mark(term, startchar, endchar))
            + html.escape(text[endchar:end], quote=False)).strip()
    return cut_marks(body, cut_start, cut_end)


def _trimmed(text: str, start: int, end: int, first: int, last: int) -> tuple[int, int]:
    """A fragment's edges as PinpointFragmenter's autotrim leaves them: after its first space and before its last,
    never inside its marks (`first`: where they begin, `last`: where they end)."""
    space = text.find(" ", start, end)
    if space > 0:
        start = space + 1
    space = text.rfind(" ", start, end)
    if space > 0:
        end = space
    return min(start, first), max(end, last)


@dataclass
class Wanted:
    """One analyzer's share of a document's marks: the terms it looks for, the prefix of their keys, and
    the plain words that make those terms (None until the build's written forms are known)."""

    surface: SurfaceTerms
    terms: set[str]
    key: str
    forms: set[str] | None

    @classmethod
    def of(cls, surface: SurfaceTerms, terms: list[str], key: str) -> Wanted:
        return cls(surface, set(terms), key, None if surface.forms is None else surface.forms(terms))


def marked_places(text: str, parts: list[Wanted], charlimit: int | None) -> dict[str, list]:
    """key + term -> [(startchar, endchar)] of every word making a wanted term within charlimit,
    in order of first place (the places' order is what decides between words at one place, see _tokens).

    One tokenizing pass serves every analyzer (they share TOKEN_PATTERN); the keys come in the
    order the separate passes would have made them: the body's terms, then each language's.
    """
    if len(parts) == 1 and parts[0].forms is not None:
        return _one_part_places(text, parts[0], charlimit)
    found: list[dict[str, list]] = [{} for _ in parts]
    analyses = [(part.surface, part.surface.remembered, part.terms, places) for part, places in zip(parts, found)]
    for match in _words(text, parts, charlimit):
        if charlimit and match.end() > charlimit:  # the fragmenter drops such words; so do the next ones
            break
        word = match.group()
        for surface, remembered, terms, places in analyses:
            for term in remembered(word) or surface(word):
                if term in terms:
                    places.setdefault(term, []).append((match.start(), match.end()))
    return {part.key + term: places for part, terms in zip(parts, found) for term, places in terms.items()}


def _one_part_places(text: str, part: Wanted, charlimit: int | None) -> dict[str, list]:
    """marked_places for one analyzer whose written forms are known (a talk in English, the usual case): the same
    places, found in one loop over the candidate runs."""
    runs = candidate_runs(text, part.forms, charlimit)
    if runs is None:
        runs = [(0, len(text))]
    places: dict[str, list] = {}
    surface, terms, key = part.surface, part.terms, part.key
    remembered, words = surface.remembered, surface.token.finditer
    for start, end in runs:
        for match in words(text, start, end):
            if charlimit and match.end() > charlimit:  # the fragmenter drops such words; so do the next ones
                return places
            word = match.group()
            found = remembered(word)
            for term in surface(word) if found is None else found:
                if term in terms:
                    places.setdefault(key + term, []).append((match.start(), match.end()))
    return places


def _words(text: str, parts: list[Wanted], charlimit: int | None) -> Iterator[re.Match]:
    """The text's tokens, in order: all of them, or, once the build's written forms are known, those of
    the runs of word characters that may make a wanted term (written_forms.py)."""
    if not parts:
        return
    token = parts[0].surface.token
    runs = None
    if all(part.forms is not None for part in parts):
        runs = candidate_runs(text, set().union(*(part.forms for part in parts)), charlimit)
    for start, end in [(0, len(text))] if runs is None else runs:
        yield from token.finditer(text, start, end)


def best_fragments(fragmenter: highlight.PinpointFragmenter, text: str, tokens: list[Mark]) -> list | None:
    """The fragments Whoosh's top_fragments picks of fragmenter.fragment_matches(text, tokens) scored by
    EarliestFirstScorer, the same objects; None when an exact tie decides. Each fragment is scored from its
    place, and only the picked ones are made: a long talk can have hundreds of marked words. A single fragment
    (a rare word found once) is picked without scoring: its score is at least 100."""
    spans = list(_fragment_spans(fragmenter, text, tokens))
    if len(spans) == 1:
        return [_fragment(fragmenter, text, tokens, spans[0])]
    ranked = heapq.nlargest(FRAGMENTS + 1, ((_score(fragmenter, text, tokens, span), span) for span in spans))
    if len({score for score, _ in ranked}) < len(ranked):
        return None
    picked = [_fragment(fragmenter, text, tokens, span) for score, span in ranked[:FRAGMENTS] if score >= 1]
    picked.sort(key=highlight.FIRST)
    return picked


def _fragment_spans(fragmenter, text: str, tokens: list[Mark]) -> Iterator[tuple[int, int, int, int]]:
    """(first token, last token, startchar, endchar) of each fragment, as PinpointFragmenter.fragment_matches
    groups them (before trimming)."""
    last = -1
    for first, token in enumerate(tokens):
        if last >= first:
            continue
        last, left, right = first, token.startchar, token.endchar
        if fragmenter.charlimit and right > fragmenter.charlimit:
            break
        length = right - left
        while last < len(tokens) - 1 and length < fragmenter.maxchars:
            following = tokens[last + 1]
            if following.endchar - right <= fragmenter.surround and following.endchar - left <= fragmenter.maxchars:
                last, right = last + 1, following.endchar
                length += following.endchar - following.startchar
            else:
                break
        yield first, last, max(0, left - fragmenter.surround), min(len(text), right + fragmenter.surround)


def _score(fragmenter, text: str, tokens: list[Mark], span: tuple[int, int, int, int]) -> float:
    """EarliestFirstScorer's score of the fragment, computed as it computes it (so equal to the last bit)."""
    first, last, startchar, endchar = span
    matches = tokens[first:last + 1]
    score = sum(t.boost for t in matches)
    score *= (len({t.text for t in matches}) * 100) or 1
    if fragmenter.autotrim:
        startchar, _ = _trimmed(text, startchar, endchar, matches[0].startchar, matches[-1].endchar)
    return score - startchar * 1e-9


def _fragment(fragmenter, text: str, tokens: list[Mark], span: tuple[int, int, int, int]) -> highlight.Fragment:
    first, last, startchar, endchar = span
    matches = tokens[first:last + 1]
    if fragmenter.autotrim:
        startchar, endchar = _trimmed(text, startchar, endchar, matches[0].startchar, matches[-1].endchar)
    return highlight.Fragment(text, matches, startchar, endchar)


class Mark:
    """A marked word: the part of a Whoosh Token that fragments, scorers and formatters read, made cheaply."""

    __slots__ = ("text", "startchar", "endchar")
    boost = 1.0

    def __init__(self, text: str, startchar: int, endchar: int):
        self.text, self.startchar, self.endchar = text, startchar, endchar


def _tokens(words: dict[str, list], charlimit: int | None) -> list[Mark]:
    """One mark per place, in order: the longest word starting there, the first of the places' order on a tie."""
    places = sorted((start, start - end, order, word, end) for order, (word, start, end)
                    in enumerate((word, start, end) for word, chars in words.items() for start, end in chars)
                    if not (charlimit and end > charlimit))
    marks: list[Mark] = []
    for start, _, _, word, end in places:
        if not marks or marks[-1].startchar != start:
            marks.append(Mark(word, start, end))
    return marks
