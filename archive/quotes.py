"""Quotes: every sentence of every summary, numbered as the talk page anchors them (s-1, s-2, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import Corpus
from .records import Talk
from .sentences import sentence_spans, split_paragraphs
from .text import to_plain


@dataclass(frozen=True)
class Quote:
    """One sentence of a talk's summary, verbatim, with the sentences either side of it."""

    id: str
    talk: str
    number: int
    text: str
    before: str = ""
    after: str = ""

    @property
    def anchor(self) -> str:
        return sentence_anchor(self.number)


def sentence_anchor(number: int) -> str:
    """The id of a sentence's element on its talk page."""
    return f"s-{number}"


def quote_id(talk_id: str, number: int) -> str:
    """A quote's stable id: its talk and its sentence number, e.g. 'dngc-2025-s1-qa.s3'."""
    return f"{talk_id}.s{number}"


def parse_quote_id(ident: str) -> tuple[str, int] | None:
    """(talk id, sentence number) from a quote id, or None when it is not shaped like one."""
    talk_id, dot, number = (ident or "").rpartition(".s")
    return (talk_id, int(number)) if dot and talk_id and number.isdigit() and int(number) > 0 else None


def summary_sentences(text: str) -> list[list[str]]:
    """A plain summary's sentences, verbatim, grouped by paragraph."""
    return [[paragraph[a:b] for a, b in sentence_spans(paragraph)] for paragraph in split_paragraphs(text)]


def talk_quotes(talk: Talk) -> list[Quote]:
    """Every sentence of the talk's summary as a quote, in reading order."""
    sentences = [s for paragraph in summary_sentences(to_plain(talk.text)) for s in paragraph]
    return [Quote(id=quote_id(talk.id, n), talk=talk.id, number=n, text=text,
                  before=sentences[n - 2] if n > 1 else "", after=sentences[n] if n < len(sentences) else "")
            for n, text in enumerate(sentences, 1)]


def corpus_quotes(corpus: Corpus) -> list[Quote]:
    """Every quote of the corpus, talks in programme order."""
    return [quote for talk in corpus.ordered_talks() for quote in talk_quotes(talk)]
