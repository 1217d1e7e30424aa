"""RuleScorer, the word-indexed topic scorer, against the rule-by-rule `score` it replaces in rule_topics.

Both must give the same float for every topic, text and mode: a topic sits exactly at its threshold
more often than one would think (one word of weight 1.0 against the default threshold of 1.0).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from archive import load_corpus
from archive.records import Rule, Topic
from archive.taxonomy import RuleScorer, Words, rule_topics, score, words

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EDGE_TOPICS = {
    "stems": Topic("stems", "Stems", rules=[
        Rule(1.0, terms=("a*", "ab*", "abc*", "abc", "abc")),  # a term listed twice counts twice, as in score()
        Rule(0.3, terms=("*",), explicit=False),  # a bare star matches every word
        Rule(0.9, terms=("b d*", "ab*")),  # a stem holding a space starts no word; one stem in two rules
        Rule(0.7, phrases=("abc def", "def abc abc"))]),
    "implicit": Topic("implicit", "Implicit", threshold=0.0, sentence_threshold=0.5, rules=[
        Rule(0.1, terms=("x", "y*"), explicit=False), Rule(0.2, phrases=("x y",), explicit=False),
        Rule(0.45, terms=("z",))]),
    "order": Topic("order", "Order", rules=[  # 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1 in floating point
        Rule(0.1, terms=("p",)), Rule(0.2, terms=("q",)), Rule(0.3, terms=("r",))]),
    "unmatchable": Topic("unmatchable", "Unmatchable", rules=[
        Rule(2.0, terms=("covid-19",), phrases=("—",))]),  # a term with a hyphen; a phrase with no words
}
WORDS = ["p", "q", "r", "a", "ab", "abc", "abcd", "def", "x", "y", "yy", "z", "b", "genomic", "genomics", "data", "health",
         "european", "space", "ethics", "ai", "artificial", "intelligence", "covid", "19", "rare", "disease"]


def _reference(topics: dict[str, Topic], text: str, sentence: bool) -> list[float]:
    counted = Words(text)
    return [score(topic, counted, sentence) for topic in topics.values()]


def test_the_shipped_taxonomy_scores_every_sentence_and_record_of_the_corpus_as_score_does():
    corpus = load_corpus(CORPUS)
    scorer = RuleScorer(corpus.topics)
    texts = [t.text for t in corpus.talks.values()] + [s.bio for s in corpus.speakers.values() if s.bio]
    texts += [sentence for text in texts for sentence in text.split(". ")]
    assert len(texts) > 200
    for text in texts:
        for sentence in (False, True):
            assert scorer.scores(Words(text), sentence) == _reference(corpus.topics, text, sentence), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=14), st.booleans())
def test_edge_rules_score_as_score_does(chosen, sentence):
    text = " ".join(chosen)
    assert RuleScorer(EDGE_TOPICS).scores(Words(text), sentence) == _reference(EDGE_TOPICS, text, sentence)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=15, max_size=400), st.booleans())
def test_edge_rules_score_long_texts_as_score_does(chosen, sentence):
    text = " ".join(chosen)
    assert RuleScorer(EDGE_TOPICS).scores(Words(text), sentence) == _reference(EDGE_TOPICS, text, sentence)


def test_rules_add_up_in_the_taxonomy_s_order_whatever_the_order_of_the_words():
    assert RuleScorer(EDGE_TOPICS).scores(Words("r q p"))[2] == 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1


def test_a_text_with_no_words_still_counts_a_phrase_that_has_none():
    text = "— …"
    assert words(text) == []
    assert RuleScorer(EDGE_TOPICS).scores(Words(text)) == _reference(EDGE_TOPICS, text, False)
    assert _reference(EDGE_TOPICS, text, False)[3] == 2.0  # score() counts it: the scorer must too


def test_rule_topics_applies_each_threshold_to_the_scorer_s_scores():
    assert rule_topics(EDGE_TOPICS, "x", sentence=False) == ["implicit"]  # 0.3 for stems; threshold 0 lets any in
    assert rule_topics(EDGE_TOPICS, "abc", sentence=False) == ["stems", "implicit"]  # 5 words of weight 1, and 0.3
    assert rule_topics(EDGE_TOPICS, "x", sentence=True) == []  # implicit rules never tag one sentence
    assert rule_topics(EDGE_TOPICS, "z z", sentence=True) == ["implicit"]  # 0.9 against a threshold of 0.5
