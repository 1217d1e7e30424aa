"""A word searched for the first time: its query plan made afresh before each search, against the same search
with its plan remembered and against FTS5, timed in turn on a build the benchmark left in its cache.

    python -m benchmarks.first_search --size 10000 [--generator alt] [--passes 5]

`benchmarks.run` times every class after a warm-up pass, as a user's next page, refinement or API call
searches the same text again (indexer/query_plans.py); this measures the search before that, for the rare
words of its "rare term" class.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from . import fts5_baseline
from .latency_only import stored_documents
from .queries import make_queries
from .run import DEFAULT_CACHE, cache_suffix

WAYS = ("plan made afresh", "plan remembered", "FTS5")


def rare_words(index_dir: Path, count: int) -> list[str]:
    """The benchmark's rare-term queries for this build (the same seed as benchmarks.run)."""
    return [q.q for q in make_queries(stored_documents(index_dir), count) if q.cls == "rare term"]


def measure(index_dir: Path, fts_path: Path, words: list[str], passes: int) -> dict[str, list[float]]:
    """Seconds per search, each way, each word in turn: afresh, remembered, then FTS5."""
    from indexer import IndexStore, SearchRequest, Searcher

    handle = IndexStore(index_dir).handle()
    searcher = Searcher(handle)
    baseline = fts5_baseline.FtsSearcher(fts_path)
    try:
        for word in words:  # open every file and warm both engines once
            searcher.search(SearchRequest(q=word))
            baseline.search(word, {})
        times: dict[str, list[float]] = {way: [] for way in WAYS}
        for _ in range(passes):
            for word in words:
                searcher.tools.plans.forget()
                times[WAYS[0]].append(_timed(searcher.search, SearchRequest(q=word)))
                times[WAYS[1]].append(_timed(searcher.search, SearchRequest(q=word)))
                times[WAYS[2]].append(_timed(baseline.search, word, {}))
        return times
    finally:
        baseline.close()


def _timed(search, *args) -> float:
    started = time.perf_counter()
    search(*args)
    return time.perf_counter() - started


def report(times: dict[str, list[float]]) -> str:
    """A Markdown table of p50 and p95 in ms per way."""
    lines = ["| search | n | p50 ms | p95 ms |", "| --- | ---: | ---: | ---: |"]
    for way, found in times.items():
        ordered = sorted(found)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        lines.append(f"| {way} | {len(ordered)} | {statistics.median(ordered) * 1000:.2f} | {p95 * 1000:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--generator", choices=("default", "alt"), default="default")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="where benchmarks.run left its builds")
    parser.add_argument("--words", type=int, default=15)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args(argv)
    suffix = cache_suffix(args.generator)
    cache = Path(args.cache)
    index_dir, fts_path = cache / f"index-{args.size}{suffix}", cache / f"fts5-{args.size}{suffix}.sqlite"
    if not index_dir.is_dir() or not fts_path.is_file():
        raise SystemExit(f"no build or FTS5 baseline for {args.size} talks in {cache}: run benchmarks.run first")
    from indexer import IndexUnavailable

    try:
        print(report(measure(index_dir, fts_path, rare_words(index_dir, args.words), args.passes)))
    except IndexUnavailable as exc:  # a build of another schema: benchmarks.run rebuilds it
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    main()
