"""The baseline: the same documents and the same searches on SQLite FTS5 (bm25, GROUP BY facet counts).

It answers what indexer.Searcher answers: the top page by relevance (or programme order when
browsing) with a snippet, the total, and every facet's counts, where a facet's own filter does not
narrow its own counts (multi-select), exactly as indexer/search.py does. The quote search has a
database of its own beside it (`quotes_path`): one row per sentence, with the quote facets, answering
what the quote index answers.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from whoosh.analysis import STOP_WORDS

from indexer.documents import IndexDoc
from indexer.quotes_index import QUOTE_FACETS
from indexer.schema import FACET_FIELDS

COLUMNS = ("title", "body", "names", "affiliation", "topics_text")
WEIGHTS = (3.0, 1.0, 2.5, 1.2, 1.5)  # the Whoosh field boosts of indexer/schema.py


@dataclass(frozen=True)
class Kind:
    """What one baseline database holds: its FTS5 columns and their bm25 weights, the column snippets come from,
    and the facets it counts."""

    columns: tuple[str, ...]
    weights: tuple[float, ...]
    snippet_column: int
    facets: tuple[str, ...]


RECORDS = Kind(COLUMNS, WEIGHTS, 1, FACET_FIELDS)
QUOTES = Kind(("text",), (1.0,), 0, tuple(QUOTE_FACETS))


def quotes_path(path: Path | str) -> Path:
    """The quote baseline beside a record baseline (fts5-10000.sqlite: fts5-10000-quotes.sqlite)."""
    path = Path(path)
    return path.with_name(path.stem + "-quotes" + path.suffix)
PHRASE = re.compile(r'"([^"]*)"')
WORD = re.compile(r"\w+")


@dataclass
class FtsResult:
    total: int
    results: list[dict]
    facets: dict[str, list[tuple[str, int]]]


def build(docs: list[IndexDoc], path: Path | str, labels: dict | None = None) -> float:
    """Write the baseline database from the documents; return the seconds it took."""
    return _write(path, RECORDS, ((doc.id, doc.payload, doc.body, (doc.title, doc.body, doc.names, doc.affiliation,
                                   " ".join(doc.facets.get("topic", []))), doc.facets) for doc in docs))


def build_quotes(quotes: Iterable[tuple[dict, dict]], path: Path | str) -> float:
    """Write the quote baseline from (sentence record, facet values) per sentence, as the quote index is built
    from them; return the seconds it took (making the sentences included, when `quotes` makes them as it goes).
    A row answers with the sentence's record alone: unlike the quote index, it reads nothing of the talk."""
    return _write(path, QUOTES, ((record["id"], record, record["text"], (record["text"],), facets)
                                 for record, facets in quotes))


def _write(path: Path | str, kind: Kind, rows: Iterable[tuple]) -> float:
    """A fresh database of `kind` from (id, payload, body, the FTS columns' texts, facet values) per row."""
    path = Path(path)
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlite3.connect(path)
    insert_text = (f"INSERT INTO fts(rowid, {', '.join(kind.columns)}) "
                   f"VALUES (?{', ?' * len(kind.columns)})")
    try:
        _create(db, kind.columns)
        with db:
            for number, (ident, payload, body, texts, facets) in enumerate(rows):
                db.execute("INSERT INTO docs VALUES (?, ?, ?, ?)", (number, ident, json.dumps(payload), body))
                db.execute(insert_text, (number, *texts))
                values = {(number, name, value) for name in kind.facets for value in facets.get(name, [])}
                db.executemany("INSERT INTO facet VALUES (?, ?, ?)", sorted(values))
            db.execute("CREATE INDEX facet_value ON facet(name, value, doc)")
            db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        db.execute("ANALYZE")
    finally:
        db.close()
    return time.perf_counter() - started


def _create(db: sqlite3.Connection, columns: tuple[str, ...] = COLUMNS) -> None:
    db.execute("CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, payload TEXT, body TEXT)")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(" + ", ".join(columns)
               + ", tokenize = 'porter unicode61 remove_diacritics 2')")
    db.execute("CREATE TABLE facet (doc INTEGER, name TEXT, value TEXT, PRIMARY KEY (doc, name, value))"
               " WITHOUT ROWID")


def match_expression(text: str) -> str:
    """User text as an FTS5 expression: phrases kept, words OR-ed, stop words dropped (as in Whoosh)."""
    phrases = [" ".join(WORD.findall(p.lower())) for p in PHRASE.findall(text)]
    rest = PHRASE.sub(" ", text)
    words = [w for w in WORD.findall(rest.lower()) if w not in STOP_WORDS]
    terms = [f'"{p}"' for p in phrases if p] + [f'"{w}"' for w in dict.fromkeys(words)]
    return " OR ".join(terms)


class FtsSearcher:
    """One open baseline database, reused across searches like the app reuses its Whoosh searcher."""

    def __init__(self, path: Path | str, kind: Kind = RECORDS):
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.kind = kind

    def close(self) -> None:
        self.db.close()

    def search(self, q: str, filters: dict[str, list[str]], per_page: int = 20) -> FtsResult:
        expression = match_expression(q)
        sql, params = self._hits(expression, filters)
        total = self.db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
        results = self._page(expression, filters, per_page)
        return FtsResult(total, results, self._facets(expression, filters))

    def _hits(self, expression: str, filters: dict[str, list[str]]) -> tuple[str, list]:
        conditions, params = _filter_sql("rowid", filters)
        if expression:
            return "SELECT rowid AS d FROM fts WHERE fts MATCH ?" + conditions, [expression, *params]
        return "SELECT rowid AS d FROM docs WHERE 1" + conditions, params

    def _page(self, expression: str, filters: dict[str, list[str]], per_page: int) -> list[dict]:
        if expression:
            conditions, params = _filter_sql("fts.rowid", filters)
            weights = ", ".join(str(w) for w in self.kind.weights)
            query = (f"SELECT d.payload, snippet(fts, {self.kind.snippet_column}, '<mark>', '</mark>', ' … ', 24) FROM fts "
                     f"JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?{conditions} "
                     f"ORDER BY bm25(fts, {weights}) LIMIT ?")
            rows = self.db.execute(query, [expression, *params, per_page]).fetchall()
        else:
            conditions, params = _filter_sql("rowid", filters)
            query = f"SELECT payload, substr(body, 1, 240) FROM docs WHERE 1{conditions} ORDER BY rowid LIMIT ?"
            rows = self.db.execute(query, [*params, per_page]).fetchall()
        return [dict(json.loads(payload), snippet=snippet) for payload, snippet in rows]

    def _facets(self, expression: str, filters: dict[str, list[str]]) -> dict[str, list[tuple[str, int]]]:
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in self.kind.facets}
        sql, params = self._hits(expression, filters)
        others = [n for n in self.kind.facets if n not in filters]
        query = (f"SELECT name, value, count(*) AS n FROM facet WHERE doc IN ({sql}) "
                 f"AND name IN ({', '.join('?' * len(others))}) GROUP BY name, value ORDER BY name, n DESC, value")
        for name, value, n in self.db.execute(query, [*params, *others]):
            counts[name].append((value, n))
        for own in filters:
            sql, params = self._hits(expression, {n: v for n, v in filters.items() if n != own})
            query = (f"SELECT value, count(*) AS n FROM facet WHERE doc IN ({sql}) AND name = ? "
                     f"GROUP BY value ORDER BY n DESC, value")
            counts[own] = self.db.execute(query, [*params, own]).fetchall()
        return counts


def _filter_sql(column: str, filters: dict[str, list[str]]) -> tuple[str, list]:
    """AND-ed conditions: the row carries one of the values of each filtered facet."""
    sql, params = "", []
    for name, values in filters.items():
        sql += (f" AND {column} IN (SELECT doc FROM facet WHERE name = ? AND value IN "
                f"({', '.join('?' * len(values))}))")
        params += [name, *values]
    return sql, params


class Baseline:
    """A size's baselines as the benchmark runs them: records, and quotes when their database was built."""

    def __init__(self, path: Path | str):
        self.records = FtsSearcher(path)
        found = quotes_path(path)
        self.quotes = FtsSearcher(found, QUOTES) if found.is_file() else None

    def answers(self, query) -> bool:
        return query.cls != "quotes" or self.quotes is not None

    def run(self, query) -> FtsResult:
        if query.cls == "quotes":
            return self.quotes.search(query.q, {})  # type: ignore[union-attr]
        return self.records.search(query.q, query.filters)

    def close(self) -> None:
        self.records.close()
        if self.quotes is not None:
            self.quotes.close()
