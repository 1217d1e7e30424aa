"""Markdown bodies: the direct rendering of text without Markdown equals Python-Markdown's, whatever the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import load_corpus
from archive.text import _markdown, plain_paragraphs, to_html

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PIECES = ["word", "Data", "the", "1", "2.", "3)", "e.g.", " ", "  ", "\n", "\n\n", "\n \n", "-", "- ", "+", "=", "==",
          "*", "_", "`", "[", "]", "(", ")", "<", ">", "&", "&amp;", "#", "\\", "|", "~", "!", "'", '"', "%", "/",
          ":", ";", ",", "\t", "\r", "\u00a0", "\u2028", "é", "ø", "–", "—", "…", "\x02", "http://x.org", "    "]


def _markdown_of(text: str) -> str:
    return _markdown().reset().convert(text)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_the_direct_rendering_equals_python_markdowns_wherever_it_answers(pieces):
    text = "".join(pieces)
    direct = plain_paragraphs(text)
    if direct is not None:
        assert direct == _markdown_of(text), repr(text)


def test_the_shipped_corpus_renders_as_python_markdown_renders_it():
    corpus = load_corpus(CORPUS)
    texts = [t.text for t in corpus.talks.values()] + [s.bio for s in corpus.speakers.values()]
    answered = [text for text in texts if plain_paragraphs(text) is not None]
    assert len(answered) > len(texts) / 2  # most summaries hold no Markdown
    for text in answered:
        assert plain_paragraphs(text) == _markdown_of(text)


@pytest.mark.parametrize("text", ["Plain words.\n\nTwo paragraphs.", "**bold**", "- a list", "1. first", "a  \nbreak",
                                  "Tom & Jerry", "    code", "Title\n====="])
def test_to_html_is_the_sanitised_markdown_rendering_either_way(text):
    import nh3

    from archive.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
    expected = nh3.clean(_markdown_of(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    assert to_html(text) == expected
