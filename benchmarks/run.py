"""Run the benchmark: generate corpora, build, time searches (Whoosh in-process, HTTP, FTS5), write the report.

    python -m benchmarks.run --sizes 1000,10000 --out docs/benchmarks.md
    python -m benchmarks.run --sizes 1000,10000 --with-100k --reuse --out docs/benchmarks.md

Every loop is bounded in count and time; every server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import fts5_baseline, issue16, measure, report
from .queries import FACETED, Query, make_queries
from . import synthetic, synthetic_alt

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / "docs" / "benchmarks" / "data"  # git-ignored
GENERATORS = {"default": synthetic, "alt": synthetic_alt}  # --generator: which synthetic corpus


def cache_suffix(generator: str) -> str:
    """'' for the default generator (the names earlier runs used), '-alt' for the other one."""
    return "" if generator == "default" else f"-{generator}"


@dataclass
class Options:
    per_class: int = 20
    repeat: int = 3
    seed: int = 1
    generator: str = "default"
    http: bool = True
    edit_size: int | None = 10000
    throughput_size: int | None = 10000
    throughput_seconds: float = 15.0
    throughput_clients: int = 8
    profile_size: int | None = 10000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def build_phase(size: int, cache: Path, seed: int, generator: str = "default") -> tuple[dict, Path, Path, list]:
    """Generate (cached), load, build Whoosh into a fresh folder and the FTS5 baseline; time each."""
    from archive import load_corpus
    from indexer import build_index
    from indexer.documents import corpus_documents
    from indexer.quotes_index import iter_quote_documents

    started = time.perf_counter()
    corpus_dir = GENERATORS[generator].cached_corpus(size, cache, seed)
    generated = time.perf_counter()
    log(f"{size}: corpus ready in {generated - started:.1f}s; loading")
    cpu_started = time.process_time()
    corpus = load_corpus(corpus_dir)
    loaded, cpu_loaded = time.perf_counter(), time.process_time()
    index_dir = cache / f"index-{size}{cache_suffix(generator)}"
    shutil.rmtree(index_dir, ignore_errors=True)
    log(f"{size}: loaded in {loaded - generated:.1f}s; building Whoosh")
    built = build_index(corpus, index_dir)
    cpu_built = time.process_time()
    log(f"{size}: Whoosh built {built.documents} documents in {built.seconds:.1f}s; building FTS5")
    docs = corpus_documents(corpus)
    fts_path = cache / f"fts5-{size}{cache_suffix(generator)}.sqlite"
    fts_seconds = fts5_baseline.build(docs, fts_path)
    log(f"{size}: FTS5 built in {fts_seconds:.1f}s; building its quote baseline")
    quotes_path = fts5_baseline.quotes_path(fts_path)
    quotes_s = fts5_baseline.build_quotes(iter_quote_documents(corpus), quotes_path)  # making the sentences too
    stats = {"documents": built.documents, "talks": len(corpus.talks), "speakers": len(corpus.speakers),
             "sessions": len(corpus.sessions), "conferences": len(corpus.conferences),
             "generate_s": generated - started, "load_s": loaded - generated, "whoosh_s": built.seconds,
             "load_cpu_s": cpu_loaded - cpu_started, "whoosh_cpu_s": cpu_built - cpu_loaded,
             "whoosh_mb": folder_mb(built.path), "fts5_s": fts_seconds, "fts5_mb": fts_path.stat().st_size / 1e6,
             "fts5_quotes_s": quotes_s, "fts5_quotes_mb": quotes_path.stat().st_size / 1e6}
    return stats, corpus_dir, index_dir, docs


def measure_size(size: int, cache: Path, options: Options) -> dict:
    """Everything measured at one corpus size, as plain data."""
    build, corpus_dir, index_dir, docs = build_phase(size, cache, options.seed, options.generator)
    os.sync()  # the builds' files written out now, not by the kernel while the first class is timed
    queries = make_queries(docs, options.per_class, with_quotes=True)
    result = {"size": size, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "build": build,
              "load_average": {"before": os.getloadavg()[0]},
              "examples": {q.cls: (q.q + (" " + json.dumps(q.filters) if q.filters else "")) for q in queries},
              "latency": {}}
    log(f"{size}: in-process Whoosh and FTS5, passes in turn")
    whoosh = measure.whoosh_runner(index_dir)
    baseline = fts5_baseline.Baseline(cache / f"fts5-{size}{cache_suffix(options.generator)}.sqlite")
    try:
        timed = measure.time_side_by_side(queries, {"whoosh": (whoosh, lambda q: True),
                                                    "fts5": (baseline.run, baseline.answers)}, options.repeat)
    finally:
        baseline.close()
    result["latency"]["whoosh"], result["latency"]["fts5"] = timed["whoosh"], timed["fts5"]
    if options.http:
        _http_phase(size, corpus_dir, index_dir, queries, options, result)
    if options.profile_size == size:
        result["profiles"] = _profiles(whoosh, queries, result["latency"]["whoosh"])
    result["load_average"]["after"] = os.getloadavg()[0]
    result["nice"] = os.nice(0)
    result["code"] = _git_state()
    return result


def _http_phase(size: int, corpus_dir: Path, index_dir: Path, queries: list[Query], options: Options,
                result: dict) -> None:
    log(f"{size}: HTTP")
    with measure.servers(corpus_dir, index_dir) as procs:
        run, conn = measure.http_runner(procs[0][0])
        try:
            served = [q for q in queries if q.cls != "quotes" or measure.quotes_endpoint(conn)]
            result["latency"]["http"] = measure.time_classes(served, run, options.repeat,
                                                             cpu=measure.process_cpu(procs[0][1].pid))
        finally:
            conn.close()
        if options.edit_size == size:
            log(f"{size}: edit -> searchable")
            result["edit"] = measure.edit_to_searchable(corpus_dir, index_dir, procs[0][0])
    if options.throughput_size == size:
        result["throughput"] = [_throughput(n, corpus_dir, index_dir, queries, options) for n in (1, 2, 4)]


def _throughput(workers: int, corpus_dir: Path, index_dir: Path, queries: list[Query], options: Options) -> dict:
    log(f"throughput with {workers} worker(s)")
    with measure.servers(corpus_dir, index_dir, count=workers) as procs:
        ports = [port for port, _ in procs]
        measure.throughput(ports, queries, clients=len(ports), seconds=3.0)  # warm every worker
        figures = measure.throughput(ports, queries, clients=options.throughput_clients,
                                     seconds=options.throughput_seconds)
        rss = sum(measure.rss_mb(proc.pid) for _, proc in procs) / len(procs)
    return {"workers": workers, "clients": options.throughput_clients, "rss_mb": rss,
            "load_average": os.getloadavg()[0], **figures}


def _profiles(run, queries: list[Query], latency: dict) -> dict:
    """cProfile of the slowest class (by p95) and of the faceted class."""
    slowest = max((c for c in latency if c != "quotes"), key=lambda c: latency[c]["p95_ms"])
    out = {}
    for cls in dict.fromkeys([slowest, FACETED]):
        log(f"profiling {cls}")
        label = f"{cls} (slowest class by p95)" if cls == slowest else cls
        out[label] = measure.profile(run, [q for q in queries if q.cls == cls])
    return out


def machine_info() -> dict:
    import whoosh

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": f"{int(mem) / 1024 / 1024:.0f} GiB",
            "os": platform.platform(), "python": platform.python_version(),
            "whoosh": whoosh.versionstring(), "sqlite": sqlite3.sqlite_version,
            "code when rendered": _git_state(), "rendered": time.strftime("%Y-%m-%d %H:%M %Z")}


RENDERED = ("docs/benchmarks", "docs/index-speed")  # the reports these runs write: not code that was measured


def _git_state() -> str:
    """The commit measured, and whether code differed from it (a report rendered by an earlier pass does not)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    changed = [line[3:] for line in dirty if not line[3:].startswith(RENDERED)]
    return f"{head}{' with uncommitted changes' if changed else ''}"


def not_run_notes(sizes: list[int], options: Options) -> list[str]:
    notes = []
    if 100000 not in sizes:
        notes.append("100,000 talks: not run (add `--with-100k`; its build takes most of an hour on this machine, "
                     "see *Where the time goes*).")
    if not options.http:
        notes.append("HTTP: skipped (`--no-http`).")
    if options.throughput_size not in sizes:
        notes.append("throughput: not run at any size in this report.")
    larger = [s for s in sizes if options.edit_size is not None and s > options.edit_size]
    if larger:
        notes.append(f"edited record searchable, in this report's own run: measured at {options.edit_size:,} talks "
                     "only, not at " + ", ".join(f"{s:,}" for s in larger) + " talks. Saves through the web editor "
                     "of a running server at 10,000 talks are measured by `benchmarks.index_speed` (docs/benchmarks.md's "
                     "issue 16 section and docs/index-speed-results.md).")
    return notes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated talk counts")
    parser.add_argument("--with-100k", action="store_true", help="also run 100,000 talks (slow)")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="generated corpora, indexes and raw results")
    parser.add_argument("--per-class", type=int, default=20, help="distinct queries per class")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over each class's queries")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generator", choices=sorted(GENERATORS), default="default",
                        help="synthetic corpus: default (benchmarks/synthetic.py) or alt (benchmarks/synthetic_alt.py)")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--throughput-seconds", type=float, default=15.0)
    parser.add_argument("--edit-size", type=int, default=10000, help="size for the edit-to-searchable run")
    parser.add_argument("--throughput-size", type=int, default=10000, help="size for the 1/2/4-worker runs")
    parser.add_argument("--profile-size", type=int, default=10000, help="size for the cProfile runs")
    parser.add_argument("--conditions", default="", help="a note on the conditions of the run, for the report")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse raw results already in the cache for sizes measured before")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()} | ({100000} if args.with_100k else set()))
    cache = Path(args.cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    options = Options(per_class=args.per_class, repeat=args.repeat, seed=args.seed, generator=args.generator,
                      http=not args.no_http,
                      throughput_seconds=args.throughput_seconds, edit_size=args.edit_size,
                      throughput_size=args.throughput_size, profile_size=args.profile_size)
    given = argv if argv is not None else sys.argv[1:]
    kept = [a for i, a in enumerate(given) if a != "--reuse" and a != "--conditions"
            and (i == 0 or given[i - 1] != "--conditions")]
    command = "python -m benchmarks.run " + shlex.join(kept)
    results = {"command": command, "machine": machine_info(), "sizes": {}, "conditions": args.conditions,
               "generator": args.generator}
    for size in sizes:
        raw = cache / f"results-{size}{cache_suffix(args.generator)}.json"
        if args.reuse and raw.is_file():
            log(f"{size}: reusing {raw}")
            results["sizes"][str(size)] = json.loads(raw.read_text())
            continue
        results["sizes"][str(size)] = measure_size(size, cache, options)
        raw.write_text(json.dumps(results["sizes"][str(size)], indent=1))
    results["not_run"] = not_run_notes(sizes, options) + [
        f"FTS5 at {int(s):,} talks: not measured (this size's latency comes from `benchmarks.latency_only`, "
        "which times an index built earlier)." for s, r in results["sizes"].items() if "fts5" not in r["latency"]] + [
        f"FTS5 quotes at {int(s):,} talks: not measured (the quote baseline is written when `benchmarks.run` builds "
        "a size; this size's index was built before it existed)." for s, r in results["sizes"].items()
        if "quotes" in r["latency"].get("whoosh", {}) and "quotes" not in r["latency"].get("fts5", {"quotes": 1})]
    if args.generator == "default":
        results["issue16"] = issue16.gather(cache, results["sizes"].get(str(issue16.SIZE)))
    write_report(results, Path(args.out))
    return results


def write_report(results: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    svg = out.with_suffix(".svg")
    svg.write_text(report.render_svg(results), encoding="utf-8")
    out.write_text(report.render_markdown(results, svg.name), encoding="utf-8")
    log(f"wrote {out} and {svg}")


if __name__ == "__main__":
    main()
