"""Issue 16's targets, met or not: per run of benchmarks/index_speed.py, and for docs/benchmarks.md both generators
at 10,000 talks side by side, gathered from the latest raw results in the cache."""

from __future__ import annotations

import json
from pathlib import Path

from . import imports

SIZE = 10_000  # the size issue 16's "done when" names
GENERATORS = ("default", "alt")
Row = tuple[str, str, bool]  # what, the figure as shown, whether it meets the target


def memory(build: dict) -> str:
    pss = build.get("tree_peak_pss_mb")
    rss = f"RSS summed {build['tree_peak_rss_mb']:.0f} MB"
    return f"{pss:.0f} MB ({rss})" if pss else rss


def memory_met(build: dict) -> bool:
    return (build.get("tree_peak_pss_mb") or build["tree_peak_rss_mb"]) < 600


def figure(value, digits: int = 1, unit: str = "") -> str:
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{value:,.{digits}f}{unit}"


def target_rows(result: dict) -> list[Row]:
    """The targets one index-speed run (a generator at a size) measures."""
    rows: list[Row] = []
    build = result.get("build")
    if build:
        wall = build["load_s"] + build["build_s"]
        if result["size"] <= SIZE:  # the build targets are for 10,000 talks, and 20 minutes at 100,000
            rows += [("full build < 120 s wall (load + build)", f"{wall:.0f} s", wall < 120),
                     ("peak memory < 600 MB (PSS of the build's processes)", memory(build), memory_met(build))]
        elif result["size"] >= 100_000:
            rows.append(("full build < 20 min wall (load + build)", f"{wall:.0f} s", wall < 1200))
        rows.append(("index < 5× FTS5", f"{build['size_ratio']:.1f}×", build["size_ratio"] < 5))
    for key in ("same_talk", "different_talks"):
        s = (result.get("edits") or {}).get(key)
        if s:
            before, after = s["before"]["tree_rss_mb"], s["after"]["tree_rss_mb"]
            rows += [(f"edit searchable p95 < 1 s ({s['scenario']}, {len(s['saves'])} saves)",
                      f"{s['p95_s']:.2f} s" + (f", {s['failed']} failed" if s["failed"] else ""),
                      s["p95_s"] < 1 and not s["failed"]),
                     (f"server memory after / before ≤ 1.2 ({s['scenario']})",
                      f"{after / before:.2f}× ({before:.0f} → {after:.0f} MB)", after / before <= 1.2)]
    if result.get("import"):
        data = result["import"]
        rows.append((f"a {data['talks_imported']}-talk conference imported without a full build",
                     f"segments {data['segments_before']} → {data['segments_after']}, index {figure(data['index_s'])} s",
                     imports.without_full_build(data)))
    p = result.get("phrases")
    if p:
        for cls, w in p["whoosh"].items():
            f = p["fts5"].get(cls)
            if f:
                rows.append((f"{cls}: Whoosh p95 ≤ FTS5 p95", f"{w['p95_ms']:.1f} vs {f['p95_ms']:.1f} ms",
                             w["p95_ms"] <= f["p95_ms"]))
    return rows


def search_rows(result: dict) -> list[Row]:
    """Each query class of a benchmarks/run.py size: in-process p95 against FTS5's in the same run."""
    latency = result.get("latency", {})
    rows: list[Row] = []
    for cls, ours in latency.get("whoosh", {}).items():
        theirs = latency.get("fts5", {}).get(cls)
        if theirs:
            rows.append((f"{cls}: Whoosh p95 ≤ FTS5 p95", f"{ours['p95_ms']:.2f} vs {theirs['p95_ms']:.2f} ms",
                         ours["p95_ms"] <= theirs["p95_ms"]))
    return rows


def table(rows: list[Row]) -> list[str]:
    return ["| target (issue 16) | measured | met |", "| --- | --- | --- |"] + [
        f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in rows] + [""]


def gather(cache: Path, default_search: dict | None, size: int = SIZE) -> dict:
    """What the two-generator summary reads: per generator, the latest index-speed run at `size` and the search run
    at `size` (the default's from the run being reported, the alt's from its own report's raw results)."""
    found: dict = {"size": size}
    for generator in GENERATORS:
        speed = cache / f"index-speed-{generator}-{size}.json"
        search = cache / f"results-{size}{'' if generator == 'default' else '-' + generator}.json"
        found[generator] = {
            "speed": json.loads(speed.read_text(encoding="utf-8")) if speed.is_file() else None,
            "search": default_search if generator == "default" and default_search is not None else
            (json.loads(search.read_text(encoding="utf-8")) if search.is_file() else None)}
    return found


def summary(gathered: dict) -> str:
    """docs/benchmarks.md's section: every target of issue 16 at 10,000 talks, a column per generator."""
    size = gathered["size"]
    columns: dict[str, dict[str, Row]] = {}
    order: list[str] = []
    provenance = []
    for generator in GENERATORS:
        runs = gathered.get(generator) or {}
        rows = []
        if runs.get("speed"):
            rows += target_rows(runs["speed"])
            provenance.append(f"{generator} index-speed run {runs['speed']['measured_at']} at code {runs['speed']['code']}")
        if runs.get("search"):
            rows += search_rows(runs["search"])
            provenance.append(f"{generator} search run {runs['search'].get('measured_at', '?')}"
                              + (f" at code {runs['search']['code']}" if runs["search"].get("code") else ""))
        columns[generator] = {name: (name, value, ok) for name, value, ok in rows}
        order += [name for name, _, _ in rows if name not in order]
    if not order:
        return ""
    lines = [f"## Issue 16 at {size:,} talks, both generators", "",
             "Gathered from the latest raw results of both benchmarks: the index-speed runs "
             "([index-speed-results.md](index-speed-results.md): build, memory, size, phrases of common words, saves "
             "through the web editor of a running server, an import) and the search runs (this report's "
             f"{size:,}-talk tables for the default generator, [benchmarks-alt.md](benchmarks-alt.md) for the alt one). "
             "Measured: " + "; ".join(provenance) + ".", "",
             "| target | " + " | ".join(GENERATORS) + " |", "| --- |" + " --- |" * len(GENERATORS)]
    for name in order:
        cells = []
        for generator in GENERATORS:
            row = columns[generator].get(name)
            cells.append("not measured" if row is None else f"{row[1]}{'' if row[2] else ' **(not met)**'}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    met = all(row[2] for rows in columns.values() for row in rows.values())
    missing = [g for g in GENERATORS if any(name not in columns[g] for name in order)]
    lines += ["", ("Every target is met on both generators." if met and not missing else
                   "Not every target is met: see the rows marked." if not met else
                   "Every target measured is met, but some were not measured on: " + ", ".join(missing) + "."), ""]
    return "\n".join(lines)
