"""Measured relevance: confarchive's search against a plain BM25 baseline on the same documents.

Builds the shipped corpus into a temporary index, runs every judged query in
tests/fixtures/judged_queries.yaml through confarchive's search (the results list it returns for the
query as typed, 10 per page, default sort) and through SQLite FTS5 (porter unicode61
remove_diacritics 2, bm25() ranking, the query's words OR-ed) over the same IndexDoc texts, and
reports success@3 and MRR@10 overall and per query class.

    python -m benchmarks.relevance                       # print the summary
    python -m benchmarks.relevance --out docs/relevance.md   # and write the Markdown report
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import yaml

from benchmarks import topic_relevance

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
JUDGED_QUERIES = ROOT / "tests" / "fixtures" / "judged_queries.yaml"
DEFAULT_REPORT = ROOT / "docs" / "relevance.md"
TOP_K = 10      # results asked of each engine; MRR is computed at this depth
SUCCESS_AT = 3  # success@3: any relevant document among the first three

Engine = Callable[[str], list[str]]  # query text -> ranked document ids (at most TOP_K)


# --------------------------------------------------------------------------- judged queries

@dataclass(frozen=True)
class JudgedQuery:
    q: str
    cls: str
    relevant: tuple[str, ...]
    why: str = ""


def load_judged(path: Path | str = JUDGED_QUERIES) -> list[JudgedQuery]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    queries = []
    for number, entry in enumerate(data["queries"], 1):
        missing = [k for k in ("q", "class", "relevant") if not entry.get(k)]
        if missing:
            raise ValueError(f"judged query #{number} ({entry.get('q')!r}) lacks {', '.join(missing)}")
        queries.append(JudgedQuery(str(entry["q"]), str(entry["class"]), tuple(entry["relevant"]),
                                   str(entry.get("why") or "")))
    return queries


# --------------------------------------------------------------------------- metrics

@dataclass
class QueryOutcome:
    query: JudgedQuery
    returned: list[str]
    rank: int | None  # 1-based rank of the first relevant result within TOP_K, None when absent

    @property
    def success(self) -> bool:
        return self.rank is not None and self.rank <= SUCCESS_AT

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


@dataclass
class Scores:
    count: int
    success_at_3: float
    mrr_at_10: float


@dataclass
class Metrics:
    outcomes: list[QueryOutcome]
    overall: Scores = field(init=False)
    by_class: dict[str, Scores] = field(init=False)

    def __post_init__(self):
        self.overall = _scores(self.outcomes)
        classes = list(dict.fromkeys(o.query.cls for o in self.outcomes))
        self.by_class = {c: _scores([o for o in self.outcomes if o.query.cls == c]) for c in classes}

    @property
    def failures(self) -> list[QueryOutcome]:
        return [o for o in self.outcomes if not o.success]


def _scores(outcomes: list[QueryOutcome]) -> Scores:
    n = len(outcomes)
    if not n:
        return Scores(0, 0.0, 0.0)
    return Scores(n, sum(o.success for o in outcomes) / n, sum(o.reciprocal_rank for o in outcomes) / n)


def first_relevant_rank(returned: list[str], relevant: Iterable[str]) -> int | None:
    wanted = set(relevant)
    for rank, doc_id in enumerate(returned[:TOP_K], 1):
        if doc_id in wanted:
            return rank
    return None


def evaluate(engine: Engine, queries: list[JudgedQuery]) -> Metrics:
    """Run every query through engine and score it."""
    outcomes = []
    for judged in queries:
        returned = list(engine(judged.q))[:TOP_K]
        outcomes.append(QueryOutcome(judged, returned, first_relevant_rank(returned, judged.relevant)))
    return Metrics(outcomes)


# --------------------------------------------------------------------------- engines

def build_shipped_index(root: Path | str, corpus_dir: Path | str = SHIPPED_CORPUS):
    """Load the corpus and build its index under root; return the loaded corpus."""
    from archive import load_corpus
    from indexer import build_index

    corpus = load_corpus(Path(corpus_dir))
    build_index(corpus, Path(root))
    return corpus


def confarchive_engine(index_root: Path | str) -> Engine:
    """confarchive's own search: the results list for the query as typed, per_page=10, default sort."""
    from indexer import IndexStore, SearchRequest, Searcher

    handle = IndexStore(Path(index_root)).handle()

    def search(q: str) -> list[str]:
        response = Searcher(handle).search(SearchRequest(q=q, per_page=TOP_K))
        return [r["id"] for r in response.results]

    return search


class FTS5Baseline:
    """Plain BM25: SQLite FTS5 over the same IndexDoc texts, query words OR-ed, ranked by bm25()."""

    name = "SQLite FTS5 (BM25)"
    TOKENIZER = "porter unicode61 remove_diacritics 2"

    def __init__(self, corpus):
        from indexer.documents import corpus_documents

        self.db = sqlite3.connect(":memory:")
        self.db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, names, affiliation, "
                        f"tokenize = '{self.TOKENIZER}')")
        self.db.executemany("INSERT INTO docs (id, title, body, names, affiliation) VALUES (?, ?, ?, ?, ?)",
                            [(d.id, d.title, d.body, d.names, d.affiliation) for d in corpus_documents(corpus)])
        self.db.commit()

    @staticmethod
    def match_expression(q: str) -> str:
        """The user's words, each quoted (so FTS5 syntax cannot break), joined by OR."""
        words = re.findall(r"\w+", q)
        return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)

    def __call__(self, q: str) -> list[str]:
        expression = self.match_expression(q)
        if not expression:
            return []
        rows = self.db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                               (expression, TOP_K)).fetchall()
        return [row[0] for row in rows]


# --------------------------------------------------------------------------- running and reporting

@dataclass
class Run:
    queries: list[JudgedQuery]
    results: dict[str, Metrics]  # engine name -> metrics, confarchive first
    topics: list = field(default_factory=list)  # benchmarks.topic_relevance.Agreement per level and core topic


CONFARCHIVE = "confarchive"
BASELINE = FTS5Baseline.name


def run(corpus_dir: Path | str = SHIPPED_CORPUS, judged: Path | str = JUDGED_QUERIES) -> Run:
    queries = load_judged(judged)
    with tempfile.TemporaryDirectory(prefix="confarchive-relevance-") as tmp:
        corpus = build_shipped_index(tmp, corpus_dir)
        ours = evaluate(confarchive_engine(tmp), queries)
    baseline = evaluate(FTS5Baseline(corpus), queries)
    return Run(queries, {CONFARCHIVE: ours, BASELINE: baseline}, topic_relevance.measure(corpus))


def _pct(x: float) -> str:
    return f"{x:.3f}"


def summary(result: Run) -> str:
    lines = [f"{len(result.queries)} judged queries; success@3 / MRR@10"]
    names = list(result.results)
    width = max(len(n) for n in names)
    for name in names:
        s = result.results[name].overall
        lines.append(f"  {name:<{width}}  {_pct(s.success_at_3)} / {_pct(s.mrr_at_10)}"
                     f"  ({len(result.results[name].failures)} failing at 3)")
    classes = list(result.results[names[0]].by_class)
    lines.append("  per class (" + " | ".join(names) + "):")
    for c in classes:
        cells = " | ".join(f"{_pct(result.results[n].by_class[c].success_at_3)}/"
                           f"{_pct(result.results[n].by_class[c].mrr_at_10)}" for n in names)
        lines.append(f"    {c:<12} n={result.results[names[0]].by_class[c].count:<3} {cells}")
    return "\n".join(lines)


def failure_lines(metrics: Metrics, shown: int = SUCCESS_AT) -> list[str]:
    """One line per query failing success@3: the query, what it wanted, what came back instead."""
    lines = []
    for o in metrics.failures:
        got = ", ".join(o.returned[:shown]) or "(nothing)"
        rank = f"first relevant at {o.rank}" if o.rank else "no relevant result in the top 10"
        lines.append(f"[{o.query.cls}] {o.query.q!r}: wanted {', '.join(o.query.relevant)}; "
                     f"got {got} ({rank})")
    return lines


def markdown(result: Run) -> str:
    names = list(result.results)
    ours, base = result.results[CONFARCHIVE], result.results[BASELINE]
    out = [
        "# Measured relevance",
        "",
        "How well search finds what people mean, measured on a judged query set and compared, in the same run,",
        "with a plain BM25 engine over the same documents.",
        "",
        "Reproduce with one command (builds the shipped corpus into a temporary index):",
        "",
        "```",
        "python -m benchmarks.relevance --out docs/relevance.md",
        "```",
        "",
        "- **Queries**: `tests/fixtures/judged_queries.yaml`, "
        f"{len(result.queries)} queries judged by reading the corpus (not from any engine's results), each",
        "  with the talks, speakers or sessions that answer it and a class: acronyms, expansions, spelling",
        "  variants, unaccented names, misspellings, countries and demonyms, paraphrased questions, plain lookups.",
        "- **confarchive**: `indexer.Searcher` with `SearchRequest(q=..., per_page=10)`, default sort; the",
        "  results list it returns for the query exactly as typed (including any did-you-mean fallback).",
        "- **Baseline**: SQLite FTS5, tokenizer `porter unicode61 remove_diacritics 2`, ranked by `bm25()`, over",
        "  the same `IndexDoc` texts (title, body, names, affiliation) from `indexer.documents.corpus_documents`;",
        "  the query's words are each quoted and OR-ed.",
        "- **success@3**: share of queries with a relevant document in the top 3. **MRR@10**: mean of 1/rank of",
        "  the first relevant document in the top 10 (0 when none).",
        "- `tests/test_relevance.py` asserts success@3 >= 0.95 and MRR@10 >= 0.90 for confarchive.",
        "",
        "## Overall",
        "",
        "| Engine | Queries | success@3 | MRR@10 | Failing at 3 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in names:
        m = result.results[name]
        out.append(f"| {name} | {m.overall.count} | {_pct(m.overall.success_at_3)} | {_pct(m.overall.mrr_at_10)} "
                   f"| {len(m.failures)} |")
    out += ["", "## Per class", "",
            f"| Class | Queries | {CONFARCHIVE} success@3 | {CONFARCHIVE} MRR@10 | baseline success@3 | baseline MRR@10 |",
            "|---|---:|---:|---:|---:|---:|"]
    for c, s in ours.by_class.items():
        b = base.by_class[c]
        out.append(f"| {c} | {s.count} | {_pct(s.success_at_3)} | {_pct(s.mrr_at_10)} "
                   f"| {_pct(b.success_at_3)} | {_pct(b.mrr_at_10)} |")
    for name in names:
        m = result.results[name]
        out += ["", f"## Queries {name} fails at success@3", ""]
        if not m.failures:
            out.append("None.")
            continue
        out += ["| Class | Query | Relevant | Returned instead (top 3) | First relevant rank |",
                "|---|---|---|---|---:|"]
        for o in m.failures:
            got = "<br>".join(f"`{d}`" for d in o.returned[:SUCCESS_AT]) or "(nothing)"
            out.append(f"| {o.query.cls} | {_cell(o.query.q)} | {'<br>'.join(f'`{d}`' for d in o.query.relevant)} "
                       f"| {got} | {o.rank or '-'} |")
    out += topic_relevance.markdown(result.topics)
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.relevance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the Markdown report here (e.g. docs/relevance.md)")
    parser.add_argument("--corpus", type=Path, default=SHIPPED_CORPUS, help="corpus folder (default: the shipped one)")
    parser.add_argument("--queries", type=Path, default=JUDGED_QUERIES, help="judged query set (YAML)")
    parser.add_argument("--failures", action="store_true", help="also print each engine's failing queries")
    args = parser.parse_args(argv)
    result = run(args.corpus, args.queries)
    print(summary(result))
    if args.failures:
        for name, metrics in result.results.items():
            print(f"\n{name} fails at success@3:")
            print("\n".join("  " + line for line in failure_lines(metrics)) or "  none")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(markdown(result), encoding="utf-8")
        print(f"report written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
