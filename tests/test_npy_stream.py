"""NpyWriter: a .npy file appended piece by piece reads back, with np.load, as the pieces' concatenation."""

import numpy as np
import pytest

from indexer import npy_stream
from indexer.npy_stream import NpyWriter


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32])
def test_pieces_read_back_as_their_concatenation(tmp_path, monkeypatch, dtype):
    monkeypatch.setattr(npy_stream, "FLUSH_ITEMS", 7)  # several flushes, and pieces that straddle them
    rng = np.random.default_rng(3)
    pieces = [rng.integers(-1000, 1000, size=n).astype(np.int64) for n in (0, 1, 5, 12, 0, 3, 40, 2)]
    with NpyWriter(tmp_path / "a.npy", dtype) as out:
        lengths = []
        for piece in pieces:
            out.append(piece)
            lengths.append(out.length)
    expected = np.concatenate(pieces).astype(dtype)
    loaded = np.load(tmp_path / "a.npy")
    assert loaded.dtype == np.dtype(dtype)
    assert np.array_equal(loaded, expected)
    assert lengths == list(np.cumsum([len(p) for p in pieces]))
    assert np.array_equal(np.load(tmp_path / "a.npy", mmap_mode="r"), expected)


def test_an_empty_file_is_an_empty_array(tmp_path):
    with NpyWriter(tmp_path / "e.npy", np.int64):
        pass
    loaded = np.load(tmp_path / "e.npy")
    assert loaded.shape == (0,) and loaded.dtype == np.int64


def test_a_count_past_any_header_padding_still_reads_back(tmp_path):
    values = np.arange(3_000_001, dtype=np.int32)
    with NpyWriter(tmp_path / "big.npy", np.int32) as out:
        for chunk in np.array_split(values, 5):
            out.append(chunk)
    assert np.array_equal(np.load(tmp_path / "big.npy"), values)


def test_a_failed_write_leaves_no_file(tmp_path):
    with pytest.raises(ValueError):
        with NpyWriter(tmp_path / "f.npy", np.int64) as out:
            out.append(np.arange(4))
            raise ValueError("the build failed")
    assert not (tmp_path / "f.npy").exists()
