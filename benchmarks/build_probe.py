"""A full build measured from outside: wall time, CPU time and peak memory of a child process, index size.

The child (`python -m benchmarks.build_probe --corpus DIR --index DIR [--fts5 FILE]`) loads the corpus
with `archive.load_corpus`, builds with `indexer.build_index` (what `confarchive build` runs), and
prints one JSON line with each phase's wall and CPU seconds (its own CPU plus that of any worker
processes the build waited for). Only then, when asked, it writes the FTS5 baseline of the same
documents and prints a second line. The parent (`measure_build`) samples the RSS of the child's
whole process tree every 0.1 s until the build line arrives, and reads the child's peak RSS from
the kernel (`os.wait4`, ru_maxrss: the largest single process, children included).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def folder_mb(path: Path) -> float:
    """Bytes of the files under path, counting a hard-linked file once."""
    seen, total = set(), 0
    for p in Path(path).rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total / 1e6


def child(corpus_dir: Path, index_dir: Path, fts5: Path | None) -> None:
    """Runs in the measured process."""
    from archive import load_corpus
    from indexer import build_index

    wall, cpu = time.perf_counter(), _cpu()
    corpus = load_corpus(corpus_dir)
    loaded, cpu_loaded = time.perf_counter(), _cpu()
    report = build_index(corpus, index_dir)
    built, cpu_built = time.perf_counter(), _cpu()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"phase": "build", "talks": len(corpus.talks), "documents": report.documents,
                      "load_s": loaded - wall, "load_cpu_s": cpu_loaded - cpu, "build_s": built - loaded,
                      "build_cpu_s": cpu_built - cpu_loaded, "reported_build_s": report.seconds,
                      "self_peak_rss_mb": peak, "children_peak_rss_mb": peak_kids, "build_path": str(report.path),
                      "index_mb": folder_mb(report.path), "index_dir_mb": folder_mb(index_dir)}), flush=True)
    if fts5 is not None:
        from indexer.documents import corpus_documents

        from . import fts5_baseline

        started = time.perf_counter()
        docs = corpus_documents(corpus)
        seconds = fts5_baseline.build(docs, fts5)
        print(json.dumps({"phase": "fts5", "documents_s": time.perf_counter() - started - seconds,
                          "fts5_s": seconds, "fts5_mb": fts5.stat().st_size / 1e6}), flush=True)


def _tree_pss_mb(pid: int) -> float:
    from .edits import pss_mb, tree_rss_mb

    return tree_rss_mb(pid, pss_mb)


def _tree_rss_mb(pid: int) -> float:
    from .edits import tree_rss_mb

    return tree_rss_mb(pid)


def measure_build(corpus_dir: Path, index_dir: Path, fts5: Path | None = None, timeout: float = 4 * 3600) -> dict:
    """Run the child, sample its tree's RSS during the build, and return every figure as plain data."""
    command = [sys.executable, "-m", "benchmarks.build_probe", "--corpus", str(corpus_dir), "--index",
               str(index_dir)] + (["--fts5", str(fts5)] if fts5 else [])
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    state = {"peak": 0.0, "pss": 0.0, "building": True, "samples": 0}

    def sample() -> None:
        while state["building"] and proc.poll() is None:
            try:
                state["peak"] = max(state["peak"], _tree_rss_mb(proc.pid))
                state["pss"] = max(state["pss"], _tree_pss_mb(proc.pid))
                state["samples"] += 1
            except OSError:
                pass
            time.sleep(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out: dict = {"load_average_before": os.getloadavg()[0]}
    deadline = time.monotonic() + timeout
    for line in proc.stdout:  # type: ignore[union-attr]
        line = line.strip()
        if not line.startswith("{"):
            continue
        data = json.loads(line)
        if data.pop("phase") == "build":
            state["building"] = False
            out.update(data, wall_s=time.perf_counter() - started, load_average_after_build=os.getloadavg()[0])
        else:
            out.update(data)
        if time.monotonic() > deadline:
            proc.kill()
            break
    proc.stdout.close()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    state["building"] = False
    sampler.join(timeout=5)
    if proc.returncode != 0 or "build_s" not in out:
        raise RuntimeError(f"the build child exited with {proc.returncode}")
    out.update(process_peak_rss_mb=usage.ru_maxrss / 1024, tree_peak_rss_mb=state["peak"], tree_peak_pss_mb=state["pss"],
               rss_samples=state["samples"], child_cpu_s=usage.ru_utime + usage.ru_stime)
    if "fts5_mb" in out:
        out["size_ratio"] = out["index_mb"] / out["fts5_mb"]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--fts5", help="also write the FTS5 baseline here, after the build is measured")
    args = parser.parse_args(argv)
    child(Path(args.corpus), Path(args.index), Path(args.fts5) if args.fts5 else None)


if __name__ == "__main__":
    main()
