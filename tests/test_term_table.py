"""TermTable.row: a term's row by binary search, the same when answered from its recent lookups."""

import numpy as np
import pytest

from indexer.impacts import TermTable
from indexer.part_files import PartFiles


def _table(folder, terms):
    encoded = sorted(t.encode("utf-8") for t in terms)
    np.save(folder / "terms-body.npy", np.array(encoded, dtype=f"S{max(len(t) for t in encoded)}"))
    np.save(folder / "spans-body.npy", np.array([[i, i + 1] for i in range(len(encoded))], dtype=np.int64))
    return TermTable(PartFiles(folder), "body"), [t.decode("utf-8") for t in encoded]



@pytest.mark.parametrize("recent", [3, 100])  # forgotten several times over, or never
def test_rows_are_the_same_from_recent_lookups_and_after_they_are_forgotten(tmp_path, monkeypatch, recent):
    table, terms = _table(tmp_path, ["genom", "data", "ehds", "løhde", "a", "zz", "health"])
    monkeypatch.setattr(TermTable, "RECENT", recent)
    asked = terms + ["absent", "", "x" * 40, "dat", "datas", "løh"]
    expected = {t: terms.index(t) if t in terms else None for t in asked}
    for _ in range(3):
        for text in asked:
            assert table.row(text) == expected[text], text
            assert table.row(text) == expected[text], f"{text}, asked again"
    assert table.span("health") == (terms.index("health"), terms.index("health") + 1)
    assert table.span("absent") is None
    assert len(table._recent) <= recent
