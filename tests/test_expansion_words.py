"""The synonym expander reads a query's terms word by word, remembered; they must be the analyzer's own terms and
character ranges for the whole text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.expansion import SynonymExpander

EXPANDER = SynonymExpander([["EHDS", "European Health Data Space"], ["AI", "artificial intelligence"]])
WORDS = ["genome", "Genomes", "the", "of", "AI", "Løhde", "O’Cathaoir", "Crohn's", "cross-border", "tumour",
         "data-driven", "EHDS", "2025", "résumés", "what?", "health,", "naïve", "co-operation;", "GDPR:", "e.g.",
         "'", "’s", "ß", "Ærø", "ÆRØ", "İstanbul", "ﬁnance", "\u00a0", "don't", "organisation", "organization"]


def _whole(text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.startchar, t.endchar) for t in EXPANDER.analyzer(text, chars=True)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=8),
       st.sampled_from([" ", "  ", "\t", "-", "/", ", "]))
def test_word_by_word_terms_are_the_analyzer_s(words, separator):
    text = separator.join(words)
    assert EXPANDER.analysed(text) == _whole(text), text
    assert EXPANDER.analysed(text) == _whole(text), text  # remembered the second time


def test_expansion_and_concepts_are_unchanged_for_a_synonym():
    assert EXPANDER.expand("EHDS consent")[1] == ["European Health Data Space"]
    assert [word for word, _ in EXPANDER.concept_words("European Health Data Space and AI")] == [
        "European Health Data Space", "AI"]
