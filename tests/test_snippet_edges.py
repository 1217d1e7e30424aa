"""Snippets that read well: sentence or word boundaries, the sentence's subject kept, "…" at every cut."""

from __future__ import annotations

import re

import pytest
from whoosh import highlight
from whoosh.analysis import Token

from hypothesis import given, settings, strategies as st

from indexer.snippet_edges import REACH_BACK, SENTENCE_END, readable_snippet, sentence_start

FORMATTER = highlight.HtmlFormatter(tagname="mark", between=" … ")
LONG = ("The opening speaker welcomed everyone. Kym presented insights from harnessing AI to identify patients "
        "with rare diseases to tackle the well-known challenge of delayed diagnosis in patients everywhere in "
        "the country and far beyond it, with many more words that go on and on and on without any stop at all "
        "for a very long time indeed until the end")


def fragment(text: str, word: str, start: int, end: int):
    at = text.index(word)
    return highlight.Fragment(text, [Token(text=word.lower(), startchar=at, endchar=at + len(word))], start, end)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_a_fragment_begun_mid_sentence_goes_back_to_the_sentence_and_keeps_its_subject():
    cut = LONG.index("presented") + len("presented ")  # Whoosh began after "Kym presented"
    snippet = readable_snippet(FORMATTER, [fragment(LONG, "diseases", cut, LONG.index("diseases") + 40)])
    assert plain(snippet).startswith("Kym presented insights")
    assert '<mark class="match term0">diseases</mark>' in snippet


def test_a_cut_inside_a_long_sentence_is_at_a_word_and_marked_at_both_ends():
    start = LONG.index("far beyond") + 1  # mid-word, far from the sentence's start and end
    end = LONG.index("words") + 12  # mid-word: "words that g"
    snippet = plain(readable_snippet(FORMATTER, [fragment(LONG, "words", start, end)]))
    assert snippet == "… far beyond it, with many more words that go …"


def test_a_fragment_ending_near_the_sentence_end_ends_with_the_full_stop():
    text = "First sentence here. Second one names consent and stops soon after. Third sentence is next."
    snippet = plain(readable_snippet(FORMATTER, [fragment(text, "consent", 25, 55)]))
    assert snippet == "Second one names consent and stops soon after."


def test_two_fragments_with_text_between_them_are_joined_by_an_ellipsis():
    text = "Alpha says trust. " + "Filler words here. " * 20 + "Omega says trust too."
    first = fragment(text, "trust", 0, 17)
    second_at = text.rindex("trust")
    second = highlight.Fragment(text, [Token(text="trust", startchar=second_at, endchar=second_at + 5)],
                                text.index("Omega"), len(text))
    assert plain(readable_snippet(FORMATTER, [first, second])) == "Alpha says trust. … Omega says trust too."


def test_overlapping_fragments_are_merged_into_one():
    text = "One sentence has trust and consent in it."
    a = fragment(text, "trust", 4, 30)
    b = fragment(text, "consent", 20, len(text))
    snippet = readable_snippet(FORMATTER, [a, b])
    assert plain(snippet) == text and snippet.count("<mark") == 2


@pytest.mark.parametrize("q", ["consent", "trust", "data sharing", "rare diseases", "genomics"])
def test_search_snippets_start_and_end_at_boundaries(client, q):
    for hit in client.get(f"/api/search?q={q}&per_page=20").get_json()["results"]:
        text = plain(hit["snippet"])
        assert text[0].isupper() or text[0] in "“\"(…0123456789", (q, text[:40])
        assert text.rstrip()[-1] in ".!?…”\"’)", (q, text[-40:])


SENTENCE_TEXT = st.text(alphabet=st.sampled_from(list("ab .!?\n\t\"”’)(3")), max_size=300)


@settings(max_examples=3000, deadline=None)
@given(SENTENCE_TEXT, st.integers(min_value=0, max_value=300))
def test_sentence_start_is_where_the_last_sentence_end_before_it_ends(text, at):
    """sentence_start looks from the right; the scan from the left over the same window is the reference."""
    at = min(at, len(text))
    floor = max(0, at - REACH_BACK)
    ends = [m.end() for m in SENTENCE_END.finditer(text, floor, at)]
    assert sentence_start(text, at) == (ends[-1] if ends else (0 if floor == 0 else None))
