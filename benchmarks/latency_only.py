"""Measure search latency on an index that is already built, for sizes whose build is too slow to repeat.

    python -m benchmarks.latency_only --size 100000 --build-from docs/benchmarks/data/results-100000.json

The queries come from the index's own stored documents (the same generator as benchmarks.run, so
no corpus has to be loaded); timing is in-process and over HTTP on a real `confarchive serve`, and
on the FTS5 baseline database the building run left in the cache, when it is there. The build
figures are copied from the JSON file given (the raw results of the run that built the index), and
the output is the raw results file that `benchmarks.run --reuse` renders into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from . import fts5_baseline, measure
from .queries import make_queries
from .run import DEFAULT_CACHE, _git_state, cache_suffix, log


def stored_documents(index_dir: Path) -> list:
    """IndexDoc-like records (kind, title, body, facets) read back from the published build."""
    from indexer import IndexStore
    from indexer.documents import IndexDoc
    from indexer.result_column import result_fields

    handle = IndexStore(index_dir).handle()
    searcher, table = handle.searcher(), handle.facets
    docs = []
    for docnum in range(searcher.doc_count_all()):
        if not table.live[docnum]:
            continue
        shown = result_fields(searcher.reader(), docnum)
        docs.append(IndexDoc(id=shown["payload"]["id"], kind=shown["payload"]["kind"], title=shown["payload"]["title"],
                             body=shown["body"], facets=table.values_of(docnum)))
    return docs


def measure_latency(size: int, cache: Path, build: dict, per_class: int, repeat: int, threads: int,
                    quotes: bool = True, generator: str = "default") -> dict:
    suffix = cache_suffix(generator)
    index_dir = cache / f"index-{size}{suffix}"
    pattern = f"corpus-{size}-seed*" if generator == "default" else f"corpus-{generator}-{size}-seed*"
    corpus_dir = next(cache.glob(pattern))
    docs = stored_documents(index_dir)
    queries = make_queries(docs, per_class, with_quotes=quotes)
    result = {"size": size, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "build": build,
              "load_average": {"before": os.getloadavg()[0]},
              "examples": {q.cls: (q.q + (" " + json.dumps(q.filters) if q.filters else "")) for q in queries},
              "latency": {}}
    whoosh = measure.whoosh_runner(index_dir)
    fts_path = cache / f"fts5-{size}{suffix}.sqlite"
    if fts_path.is_file():  # the baseline built by the run that built the index, over the same documents
        log(f"{size}: in-process Whoosh and FTS5, passes in turn")
        baseline = fts5_baseline.Baseline(fts_path)  # quotes too when their baseline was built (run.build_phase)
        try:
            timed = measure.time_side_by_side(queries, {"whoosh": (whoosh, lambda q: True),
                                                        "fts5": (baseline.run, baseline.answers)}, repeat)
        finally:
            baseline.close()
        result["latency"]["whoosh"], result["latency"]["fts5"] = timed["whoosh"], timed["fts5"]
    else:
        log(f"{size}: in-process Whoosh")
        result["latency"]["whoosh"] = measure.time_classes(queries, whoosh, repeat)
    log(f"{size}: HTTP")
    with measure.servers(corpus_dir, index_dir, threads=threads) as procs:
        run, conn = measure.http_runner(procs[0][0])
        try:
            served = [q for q in queries if q.cls != "quotes" or measure.quotes_endpoint(conn)]
            result["latency"]["http"] = measure.time_classes(served, run, repeat,
                                                             cpu=measure.process_cpu(procs[0][1].pid))
        finally:
            conn.close()
        result["server_rss_mb"] = measure.rss_mb(procs[0][1].pid)
    result["load_average"]["after"] = os.getloadavg()[0]
    result["code"] = _git_state()
    return result


def run_figures(build: dict, generate_s: float) -> dict:
    """Build figures under the names benchmarks.run's report reads; benchmarks.index_speed names them its own way."""
    if "whoosh_s" in build:
        return build
    return {**build, "generate_s": generate_s, "whoosh_s": build["build_s"], "whoosh_cpu_s": build.get("build_cpu_s"),
            "whoosh_mb": build["index_mb"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--build-from", required=True,
                        help="the raw results (or just the build figures) of the run that built the index")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE))
    parser.add_argument("--per-class", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads of the measured server")
    parser.add_argument("--without-quotes", action="store_true", help="for an index built without its quote index")
    parser.add_argument("--generator", choices=("default", "alt"), default="default",
                        help="which synthetic corpus the index was built from (the cache's file names)")
    args = parser.parse_args(argv)
    cache = Path(args.cache).resolve()
    raw = json.loads(Path(args.build_from).read_text(encoding="utf-8"))
    build = run_figures(raw.get("build", raw), raw.get("generate_s", 0.0))  # a run's raw results, or its build figures
    result = measure_latency(args.size, cache, build, args.per_class, args.repeat, args.threads,
                             quotes=not args.without_quotes, generator=args.generator)
    result["server_threads"] = args.threads
    raw = cache / f"results-{args.size}{cache_suffix(args.generator)}.json"
    raw.write_text(json.dumps(result, indent=1), encoding="utf-8")
    log(f"wrote {raw}")


if __name__ == "__main__":
    main()
