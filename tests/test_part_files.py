"""An update's parts packed in one file each (indexer/part_files.py): the same arrays as the folder they came from,
no folder per update in a build, and a damaged packed part reported as a damaged index."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from archive import load_corpus
from indexer import IndexStore, build_index
from indexer.impacts import IMPACTS, ImpactIndex
from indexer.layout import IndexUnavailable
from indexer.part_files import PACKED, PartFiles, pack
from indexer.quotes_index import QUOTES
from indexer.sentence_postings import SENTENCES
from indexer.update import update_index
from indexer.vocabulary import VOCABULARY, Vocabulary

TINE = "dngc-2025-s2-tine-jess"
TINE_FILE = f"conferences/dngc-2025/talks/{TINE}.md"


def test_a_packed_part_gives_the_arrays_and_json_of_its_folder(tmp_path):
    folder = tmp_path / "impacts-update-0007"
    folder.mkdir()
    arrays = {"docs.npy": np.arange(5, dtype=np.int32), "terms-body.npy": np.array([b"a", b"bc"], dtype="S2"),
              "spans.npy": np.arange(6, dtype=np.int64).reshape(3, 2)}
    for name, values in arrays.items():
        np.save(folder / name, values)
    (folder / "terms.json").write_text('{"documents": 5, "fields": ["body"]}', encoding="utf-8")
    unpacked = PartFiles(folder)
    expected = {name: np.array(unpacked.array(name)) for name in arrays}
    packed = pack(folder)
    assert packed.name == "impacts-update-0007" + PACKED and not folder.exists()
    files = PartFiles(packed)
    assert files.name == "impacts-update-0007"
    for name, values in expected.items():
        got = files.array(name)
        assert got.dtype == values.dtype and got.shape == values.shape and np.array_equal(got, values)
    assert files.json("terms.json") == {"documents": 5, "fields": ["body"]}
    with pytest.raises(FileNotFoundError, match="holds no scores.npy"):
        files.array("scores.npy")


@pytest.fixture()
def updated(corpus_copy, tmp_path):
    root = tmp_path / "index"
    build_index(load_corpus(corpus_copy), root)
    for word in ("Zanzibarium", "Quixotrix"):
        with open(corpus_copy / TINE_FILE, "a", encoding="utf-8") as out:
            out.write(f"\n\n{word}\n")
        update_index(load_corpus(corpus_copy), root, [TINE])
    return root, IndexStore(root).handle().path


def test_an_update_adds_one_file_per_part_and_no_folder(updated):
    _, build = updated
    for base, suffix in ((build / IMPACTS, PACKED), (build / VOCABULARY, PACKED), (build / QUOTES / SENTENCES, ".npy")):
        added = sorted(p.name for p in base.parent.iterdir() if p.name.startswith(base.name + "-update-"))
        assert added == [f"{base.name}-update-000{n}{suffix}" for n in (1, 2)], added
        assert all((base.parent / name).is_file() for name in added)
    assert not list((build / QUOTES).glob(IMPACTS + "*"))  # a quote's words are its talk's: no postings of its own
    impacts = ImpactIndex(build / IMPACTS)
    assert len(impacts.parts) == 3
    docs, _ = impacts.postings("body", "quixotrix")
    assert len(docs) == 1  # the newest packed part's postings are read
    vocabulary = Vocabulary(build)  # both words are in the talk now; the second update took the first one's copy away
    assert vocabulary.frequency("zanzibarium") == 1 and vocabulary.frequency("quixotrix") == 1


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # Whoosh leaves files open when a build fails to open
def test_a_damaged_packed_part_is_a_damaged_index(updated):
    root, build = updated
    packed = build / f"{IMPACTS}-update-0002{PACKED}"
    os.truncate(packed, packed.stat().st_size // 2)
    with pytest.raises(IndexUnavailable, match="is damaged"):
        IndexStore(root).handle()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("part", [f"{VOCABULARY}-update-0002{PACKED}", f"{QUOTES}/{SENTENCES}-update-0002.npy"])
def test_a_damaged_vocabulary_or_quote_part_says_the_index_is_damaged(updated, part):
    """Not a traceback: the page says which build is damaged and which command rebuilds it."""
    from indexer import SearchRequest, Searcher
    from indexer.quote_search import open_quotes

    root, build = updated
    os.truncate(build / part, (build / part).stat().st_size // 2)
    with pytest.raises(IndexUnavailable, match="damaged.*confarchive build"):
        if part.startswith(QUOTES):
            open_quotes(IndexStore(root).handle())
        else:
            Searcher(IndexStore(root).handle()).search(SearchRequest(q="genomics"))


def test_a_packed_part_rewritten_with_the_same_size_and_time_is_not_taken_for_the_old_one(tmp_path):
    """A packed part is read whole and closed, so a deleted one's inode may come back with another part of the same
    size and time; the shared parts cache must not hand out the old part's arrays for it."""
    from indexer.shared_parts import SharedParts

    def packed(values) -> Path:
        folder = tmp_path / "impacts-update-0001"
        folder.mkdir()
        np.save(folder / "docs.npy", np.asarray(values, dtype=np.int32))
        return pack(folder)

    parts = SharedParts(lambda path: PartFiles(path).array("docs.npy"), "docs.npy")
    first = packed([1, 2, 3])
    held = parts.open(first)
    stat = first.stat()
    content = first.read_bytes()
    first.unlink()
    again = packed([7, 8, 9])
    assert len(again.read_bytes()) == len(content) and again.read_bytes() != content
    os.utime(again, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert list(parts.open(again)) == [7, 8, 9] and list(held) == [1, 2, 3]
