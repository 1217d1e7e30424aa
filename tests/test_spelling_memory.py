"""Did-you-mean remembers the words that need no correction; a remembered answer is the one worked out afresh."""

from __future__ import annotations

from indexer import IndexStore, Searcher
from indexer.didyoumean import MAX_REMEMBERED, Speller, SpellingMemory

WORDS = ["genome", "genomics", "genomcis", "Lohde", "Løhde", "tumor", "predicting", "consnet", "the", "AI", "EHDS",
         "helth", "data", "zzzzqqq", "Crohn's", "cross-border", "sequenicng"]


def test_remembered_words_get_the_answers_worked_out_afresh(index_dir):
    handle = IndexStore(index_dir).handle()
    searcher = Searcher(handle)
    warm = SpellingMemory()
    first = [Speller(searcher.searcher, searcher.tools.vocabulary, warm).correct_word(w) for w in WORDS]
    assert warm.known and any(first)  # some words known, some corrected
    again = [Speller(searcher.searcher, searcher.tools.vocabulary, warm).correct_word(w) for w in WORDS]
    fresh = [Speller(searcher.searcher, searcher.tools.vocabulary, SpellingMemory()).correct_word(w) for w in WORDS]
    assert again == first == fresh
    assert not warm.known & {w for w, c in zip(WORDS, first) if c}  # a corrected word is never "known"


def test_the_known_words_stay_within_their_bound():
    memory = SpellingMemory()
    for number in range(MAX_REMEMBERED + 5):
        memory.remember_known(f"w{number}")
    assert 0 < len(memory.known) <= MAX_REMEMBERED
