"""Text analysis shared by indexing and querying: fold accents first, then stem."""

from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

from .postings import set_stemmer
from .spelling import normalise_spelling

# Accents fold before stemming, so "Résumés" and "resumes" agree (see STYLE.md).
FOLD_MAP = dict(accent_map)
FOLD_MAP.update({ord("æ"): "ae", ord("Æ"): "ae", ord("œ"): "oe", ord("ł"): "l", ord("đ"): "d"})
TOKEN_PATTERN = r"\w+(?:['’]\w+)*(?:\+\w*)?"


class ApostropheFilter(Filter):
    """Crohn's -> crohn; O'Cathaoir -> ocathaoir, plus cathaoir at the same position."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text.replace("’", "'")
            if "'" not in text:
                yield token
                continue
            if text.endswith("'s"):
                token.text = text[:-2]
                yield token
                continue
            head, _, tail = text.rpartition("'")
            token.text = head.replace("'", "") + tail
            yield token
            if len(tail) > 2:
                token.text = tail
                yield token


class SpellingFilter(Filter):
    """Map British spellings onto American ones (tumour -> tumor) so both find each other."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = normalise_spelling(token.text)
            yield token


class RememberedFilters(Filter):
    """A chain of word-by-word filters (one of them may drop stop words), run once per distinct token text.

    Whoosh passes every token through each filter's generator in turn; a build analyses millions of
    tokens drawn from a vocabulary of thousands, so the chain's outcome for a token text (what it
    becomes: none, one or two words, each stopped or not) is remembered and replayed. The filters
    must not look at positions or at neighbouring tokens; the stop filter's renumbering of positions,
    the one thing across tokens, is done here as StopFilter does it. Same tokens, texts and
    positions as the chain itself (tests/test_analysis.py compares them).
    """

    MEMORY = 50_000  # token texts remembered per stop mode (about 8 MB at most); then forgotten at once and refilled

    def __init__(self, *filters: Filter):
        self.filters = filters
        self.renumber = any(isinstance(f, StopFilter) and f.renumber for f in filters)
        self.forget()

    def forget(self) -> None:
        """Empty what was remembered, per stop mode (removestops True or False)."""
        self._outcomes: dict[bool, dict] = {True: {}, False: {}}

    def __getstate__(self):
        return {"filters": self.filters, "renumber": self.renumber}  # the remembered outcomes stay out of the schema

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.forget()

    def __eq__(self, other):
        return type(other) is type(self) and other.filters == self.filters

    def __hash__(self):
        return hash(self.filters)

    def _remembered(self, text: str, removestops: bool) -> str | tuple:
        """The outcome, kept small: a lone unstopped word as its text alone (the token's own text when unchanged)."""
        outcomes = self._outcomes[removestops]
        found = outcomes.get(text)
        if found is None:
            token = Token(removestops=removestops)
            token.text = text
            stream = iter((token,))
            for f in self.filters:
                stream = f(stream)
            found = tuple((t.text, t.stopped) for t in stream)
            if len(found) == 1 and not found[0][1]:
                found = text if found[0][0] == text else found[0][0]
            if len(outcomes) >= self.MEMORY:
                outcomes.clear()
            outcomes[text] = found
        return found

    def __call__(self, tokens):
        remembered, renumber = self._remembered, self.renumber
        pos = None
        for t in tokens:
            found = remembered(t.text, bool(t.removestops))
            for text, stopped in ((found, False),) if type(found) is str else found:
                t.text = text
                t.stopped = stopped
                if renumber and not stopped and t.positions:
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                yield t


def forget_remembered(schema) -> None:
    """Empty the remembered outcomes of a schema's analyzers: a build calls it once its documents are analysed,
    before the commit that is its peak of memory."""
    for _, field_type in schema.items():
        for item in getattr(getattr(field_type, "analyzer", None), "items", ()):
            if isinstance(item, RememberedFilters):
                item.forget()


def text_analyzer():
    """For prose: tokenise, lowercase, fold accents, drop stop words, unify spelling, stem."""
    return thread_safe_stemming(RegexTokenizer(TOKEN_PATTERN) | RememberedFilters(
        LowercaseFilter(), ApostropheFilter(), CharsetFilter(FOLD_MAP), StopFilter(), SpellingFilter())
        | StemFilter(cachesize=50000))


STEM_CACHE = 50_000


def thread_safe_stemming(analyzer):
    """Give the analyzer's stemmers a cache that threads can share, and return it.

    Whoosh's StemFilter keeps stems in its own LFU cache, which raises (dictionary changed size,
    KeyError) when two threads evict at once; a parser or snippet analyzer is shared by a server's
    threads. `functools.lru_cache` is safe across threads. The cache is not pickled with a schema, so
    an analyzer read back from an index needs this again.
    """
    for item in getattr(analyzer, "items", [analyzer]):
        if isinstance(item, StemFilter):
            stemfn = stemmer_for_language(item.lang) if item.lang else item.stemfn
            set_stemmer(item, lru_cache(maxsize=STEM_CACHE)(stemfn))
    return analyzer


def thread_safe_schema(schema):
    """thread_safe_stemming for every analyzer of a schema read from an index."""
    for _, field_type in schema.items():
        if getattr(field_type, "analyzer", None) is not None:
            thread_safe_stemming(field_type.analyzer)
    return schema


# Talks given in these languages also have their text in a field stemmed for that language (see schema.py).
LANGUAGE_FIELDS = {"de": ("body_de", "german"), "da": ("body_da", "danish")}


def language_analyzer(lang: str):
    """For prose in another language: its stop words and its Snowball stemmer, accents folded as the rest."""
    return thread_safe_stemming(RegexTokenizer(TOKEN_PATTERN) | RememberedFilters(
        LowercaseFilter(), ApostropheFilter(), StopFilter(lang=lang), CharsetFilter(FOLD_MAP)) | StemFilter(lang=lang))


def name_analyzer():
    """For names and organisations: fold accents but never stem, so names match as written."""
    return RegexTokenizer(TOKEN_PATTERN) | RememberedFilters(
        LowercaseFilter(), ApostropheFilter(), CharsetFilter(FOLD_MAP), StopFilter(minsize=1))
