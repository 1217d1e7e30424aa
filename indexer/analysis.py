"""Text analysis shared by indexing and querying: fold accents first, then stem."""

from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
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


def text_analyzer():
    """For prose: tokenise, lowercase, fold accents, drop stop words, unify spelling, stem."""
    return thread_safe_stemming(RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | ApostropheFilter()
                                | CharsetFilter(FOLD_MAP) | StopFilter() | SpellingFilter() | StemFilter(cachesize=50000))


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
    return thread_safe_stemming(RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | ApostropheFilter()
                                | StopFilter(lang=lang) | CharsetFilter(FOLD_MAP) | StemFilter(lang=lang))


def name_analyzer():
    """For names and organisations: fold accents but never stem, so names match as written."""
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | ApostropheFilter() | CharsetFilter(FOLD_MAP)
            | StopFilter(minsize=1))
