"""The build's vocabulary (indexer/vocabulary.py) holds exactly what Whoosh's old `spell` field held: the same
words with the same document counts, and the same fuzzy matches; after updates, what a full build holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from archive import load_corpus
from indexer import IndexStore, build_index
from indexer.analysis import name_analyzer
from indexer.build import spelled_text
from indexer.documents import iter_documents
from indexer.update import update_index
from indexer.vocabulary import Vocabulary

TINE = "dngc-2025-s2-tine-jess"
TINE_FILE = f"conferences/dngc-2025/talks/{TINE}.md"
REMOVED = "dngc-2025-s2-bodil-orkild"


def _spell_field(corpus):
    """What the spell field of a full build held: one Whoosh segment of every document's text."""
    ix = RamStorage().create_index(Schema(spell=TEXT(analyzer=name_analyzer(), phrase=False)))
    with ix.writer() as writer:
        for doc in iter_documents(corpus):
            writer.add_document(spell=spelled_text(doc))
    return ix


def _typos(words: list[str]) -> list[str]:
    """Words as a user might mistype them: letters dropped, doubled, swapped or replaced."""
    typos = []
    for n, word in enumerate(words):
        at = 1 + n % max(1, len(word) - 1)
        typos += [word[:at] + word[at + 1:], word[:at] + word[at - 1] + word[at:], word[:at] + "x" + word[at + 1:],
                  word[:at - 1] + word[at:at + 1] + word[at - 1:at] + word[at + 1:]]
    return typos


def assert_same_as_spell_field(vocabulary: Vocabulary, corpus) -> None:
    ix = _spell_field(corpus)
    with ix.reader() as reader:
        expected = {word: reader.doc_frequency("spell", word) for word in reader.field_terms("spell")}
        words, counts = vocabulary.counts()
        assert dict(zip(words, counts.tolist())) == expected
        assert all(vocabulary.frequency(word) == count for word, count in expected.items())
        assert vocabulary.frequency("qqqqzzzz") == 0
        sample = [w for w in sorted(expected) if len(w) >= 4][::5]
        checked = 0
        for word in sample + _typos(sample):
            for maxdist in (1, 2):
                found = vocabulary.within(word, maxdist, prefix=1)
                assert found == sorted(reader.terms_within("spell", word, maxdist, prefix=1)), (word, maxdist)
                checked += len(found)
        assert checked > 1000


def test_a_full_builds_vocabulary_is_the_spell_fields(corpus, index_dir):
    assert_same_as_spell_field(Vocabulary(IndexStore(index_dir).handle().path), corpus)


@pytest.fixture
def updated(corpus_copy, tmp_path) -> tuple[Path, object]:
    """Updates in a row: new words, a record edited twice, a renamed speaker, a removed talk."""
    root = tmp_path / "index"
    build_index(load_corpus(corpus_copy), root)
    talk = corpus_copy / TINE_FILE
    talk.write_text(talk.read_text(encoding="utf-8").rstrip("\n") + " Zanzibarium Quixotrix genomiks\n", encoding="utf-8")
    update_index(load_corpus(corpus_copy), root, [TINE])
    talk.write_text(talk.read_text(encoding="utf-8").replace("Zanzibarium", "Zanzibarix"), encoding="utf-8")
    update_index(load_corpus(corpus_copy), root, [TINE])
    speaker = corpus_copy / "speakers/james-buchanan.md"
    speaker.write_text(speaker.read_text(encoding="utf-8").replace("name: James Buchanan", "name: Jamesy Buchananova"),
                       encoding="utf-8")
    update_index(load_corpus(corpus_copy), root, ["james-buchanan"])
    (corpus_copy / f"conferences/dngc-2025/talks/{REMOVED}.md").unlink()
    corpus = load_corpus(corpus_copy)
    update_index(corpus, root, [REMOVED])
    return root, corpus


def test_after_updates_the_vocabulary_is_a_full_builds(updated, tmp_path):
    root, corpus = updated
    vocabulary = Vocabulary(IndexStore(root).handle().path)
    assert len(vocabulary.parts) == 5
    assert vocabulary.frequency("zanzibarix") == 1 and vocabulary.frequency("zanzibarium") == 0
    assert "zanzibarium" not in vocabulary.within("zanzibarius", 1, prefix=1)
    fresh = tmp_path / "fresh"
    build_index(corpus, fresh)
    words, counts = vocabulary.counts()
    fresh_words, fresh_counts = Vocabulary(IndexStore(fresh).handle().path).counts()
    assert words == fresh_words and counts.tolist() == fresh_counts.tolist()
    assert_same_as_spell_field(vocabulary, corpus)
    assert len(vocabulary._walked()) == 2  # the four updates' words are walked as one array
