"""Importing a conference into a built archive: `confarchive import` of a generated schedule (benchmarks/
schedules.py) into copies of a corpus and its index, timed from outside; then whether the index was updated or
rebuilt, and whether a search finds the imported records.

Issue 16 asks that importing a 200-talk conference into a 10,000-talk archive need no full build. The command
runs as a user runs it (a fresh process: parse, plan, write the files, load the corpus, update the index), so
its wall time includes loading the whole corpus; the index's own share is the figure it prints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .schedules import child_cpu, generated_schedule

INDEXED = re.compile(r"Search index (updated|rebuilt in full): ([\d,]+) documents? indexed in ([\d.]+)s")  # common.py


def run_import(corpus_dir: Path, index_dir: Path, events: int, organiser: str = "Benchmark organiser") -> dict:
    """Import a generated `events`-talk schedule into copies of corpus_dir and index_dir; plain data."""
    from indexer import IndexStore, SearchRequest, Searcher
    from indexer.layout import current_build
    from indexer.update import segment_count

    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        corpus, index = Path(folder) / "corpus", Path(folder) / "index"
        shutil.copytree(corpus_dir, corpus)
        shutil.copytree(index_dir, index, copy_function=os.link)  # builds are never written into: links suffice
        export = Path(folder) / "schedule.json"
        export.write_text(json.dumps(generated_schedule(events, seed="import")), encoding="utf-8")
        conferences_before = _conferences(corpus)
        segments_before = segment_count(current_build(index))
        began, cpu = time.perf_counter(), child_cpu()
        done = subprocess.run([sys.executable, "-c", "from confarchive.cli import main; main()", "import", str(export),
                               "--organiser", organiser, "--corpus", str(corpus), "--index", str(index)],
                              capture_output=True, text=True)
        wall, cpu = time.perf_counter() - began, child_cpu() - cpu
        if done.returncode:
            raise RuntimeError(f"confarchive import failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        added = sorted(_conferences(corpus) - conferences_before)
        talks = sum(len(list((corpus / "conferences" / c / "talks").glob("*.md"))) for c in added)
        handle = IndexStore(index).handle()
        found = Searcher(handle).search(SearchRequest(q="", filters={"conference": added})).total if added else 0
        indexed = INDEXED.search(done.stdout + done.stderr)
        return {"events": events, "talks_imported": talks, "conferences": added, "wall_s": wall, "cpu_s": cpu,
                "full_build": bool(indexed) and indexed.group(1) != "updated",
                "index_documents": int(indexed.group(2).replace(",", "")) if indexed else None,
                "index_s": float(indexed.group(3)) if indexed else None,
                "segments_before": segments_before, "segments_after": segment_count(handle.path),
                "records_found": found}


def _conferences(corpus: Path) -> set[str]:
    return {p.name for p in (corpus / "conferences").iterdir() if p.is_dir()}


def without_full_build(data: dict) -> bool:
    """The import updated the index (the command says so, and the build has one segment more: a full build leaves
    one) and a search finds its records."""
    return (data["index_s"] is not None and not data.get("full_build") and data["records_found"] > 0
            and data["segments_after"] == data["segments_before"] + 1)
