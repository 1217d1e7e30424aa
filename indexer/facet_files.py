"""A build's facet sidecar: the full build's facets.json, plus one small file per update.

An update never rewrites facets.json (at 10,000 talks the quote index's is 10 MB, and parsing and
writing it was most of a save's cost). It writes facets-update-NNNN.json instead: the facet values
of the documents it added, their programme ranks, the document numbers it deleted, and the labels
as they now are. Opening a build reads the base once per process and applies the updates on top;
builds that share a base (hard links, so the same file) share its parsed table.
"""

from __future__ import annotations

import json
import threading
import weakref
from pathlib import Path

from .facets import FacetTable
from .layout import FACETS

UPDATE_PATTERN = "facets-update-*.json"
_LATEST_KEPT = 2  # bases whose newest table is kept while no open build holds it: the main index's and the quotes'


class FacetRows:
    """Each document's id and facet values, as a build collects them for facets.json.

    A dict of fresh lists per document cost about 90 MB for the 157,000 quotes of the alt corpus, yet the
    values repeat (a talk's sentences share all but their topics): here each distinct key order and each
    distinct list of values is kept once, and a document is one tuple pointing at them.
    """

    def __init__(self):
        self.ids: list[str] = []
        self._rows: list[tuple] = []
        self._shared: dict[tuple, tuple] = {}

    def add(self, ident: str, facets: dict[str, list[str]]) -> None:
        keys = self._share(tuple(facets))
        self.ids.append(ident)
        self._rows.append((keys, *(self._share(tuple(facets[k])) for k in keys)))

    def _share(self, values: tuple) -> tuple:
        return self._shared.setdefault(values, values)

    def __len__(self) -> int:
        return len(self._rows)

    def docs(self):
        """Each document's facet values as the dict it was given (lists of values), in the order added."""
        return ({key: list(values) for key, values in zip(row[0], row[1:])} for row in self._rows)


def write_facets(path: Path, head: dict, rows: FacetRows, tail: dict | None = None) -> None:
    """Write json.dumps({**head, "docs": [...], "ids": [...], **tail}) piece by piece: the whole text at once, with
    the encoder's pieces, cost three times the file's size in memory."""
    def item(key: str, value) -> str:
        return f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
    with open(path, "w", encoding="utf-8") as out:
        out.write("{" + "".join(item(k, v) + ", " for k, v in head.items()) + '"docs": [')
        for number, doc in enumerate(rows.docs()):
            out.write((", " if number else "") + json.dumps(doc, ensure_ascii=False))
        out.write("], " + ", ".join(item(k, v) for k, v in {"ids": rows.ids, **(tail or {})}.items()) + "}")


def update_files(folder: Path) -> list[Path]:
    """The folder's facet updates, oldest first."""
    return sorted(folder.glob(UPDATE_PATTERN))


def write_update(folder: Path, delta: dict) -> Path:
    """Write the next facet update file of a folder (a new file: the previous build's files stay as they were)."""
    path = folder / f"facets-update-{len(update_files(folder)) + 1:04d}.json"
    path.write_text(json.dumps(delta, ensure_ascii=False), encoding="utf-8")
    return path


def added_orders(folder: Path) -> list[float]:
    """The programme ranks of every document the updates added, in document-number order."""
    return [rank for path in update_files(folder) for rank in _orders(path)]


def _orders(path: Path) -> list[float]:
    """One update file's ranks, parsed once per process: each update reads every earlier update's."""
    key = _signature(path)
    with _lock:
        found = _ORDERS.get(key)
    if found is None:
        found = _read(path)["order"]
        with _lock:
            _ORDERS[key] = found
            while len(_ORDERS) > 4 * 64:  # two folders' worth of updates, twice (indexer.update.MAX_SEGMENTS)
                _ORDERS.pop(next(iter(_ORDERS)))
    return found


_ORDERS: dict[tuple, list[float]] = {}


def load_table(folder: Path) -> FacetTable:
    """The folder's facet table: the base with every update applied, reusing what this process parsed before.

    Reused are the tables open builds hold, and the newest table of each base (kept, so that a build
    published after a save starts from its predecessor's table even when no search has opened that
    one's quote index). Tables of replaced builds are not kept: each is a copy of the arrays (6 MB for
    the main index and 12 MB for the quotes at 10,000 talks, 10 and 27 MB on the alt corpus), and a
    server kept three replaced ones after a few saves.
    """
    files = [folder / FACETS, *update_files(folder)]
    keys = [_signature(path) for path in files]
    start, table = 0, None
    with _lock:
        for n in range(len(keys), 0, -1):
            table = _tables.get(tuple(keys[:n]))
            if table is not None:
                start = n
                break
    if table is None:
        table, start = FacetTable(_read(files[0])), 1
    for path in files[start:]:
        table = table.updated(_read(path))
    with _lock:
        _tables[tuple(keys)] = table
        newest = _latest.pop(keys[0], None)
        if newest is None or newest[0] <= len(keys):
            newest = (len(keys), table)
        _latest[keys[0]] = newest  # the most recently used base last
        while len(_latest) > _LATEST_KEPT:
            _latest.pop(next(iter(_latest)))
    return table


def parsed_table(folder: Path) -> FacetTable | None:
    """The folder's facet table if this process has already parsed it (a server has its published build's),
    else None: for comparing against, where parsing the base would cost more than the comparison saves."""
    files = [folder / FACETS, *update_files(folder)]
    with _lock:
        return _tables.get(tuple(_signature(path) for path in files))


# every table an open build (or anything else) still holds, by the signatures of the files it was made from
_tables: "weakref.WeakValueDictionary[tuple, FacetTable]" = weakref.WeakValueDictionary()
# per base file (facets.json's signature): (the number of files, the newest table made from it), kept alive
_latest: dict[tuple, tuple[int, FacetTable]] = {}
_lock = threading.Lock()


def _signature(path: Path) -> tuple:
    """Identifies a file's content while it exists: hard links share it, a rewritten file gets a new one."""
    stat = path.stat()
    return (str(path.name), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
