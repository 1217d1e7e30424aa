"""Issue 16's measurements in one run: full build (time, CPU, peak memory, size against FTS5), phrases of
2-5 common words (Whoosh in-process against FTS5), edit-to-searchable through a running server, and importing
a conference into the built archive.

    python -m benchmarks.index_speed --sizes 10000 --generators default,alt --out docs/index-speed-results.md

Per generator and size: generate the corpus (cached), build a fresh index in a child process
(benchmarks/build_probe.py), write the FTS5 baseline of the same documents, time the phrase classes
(benchmarks/phrases.py) on both engines, then run the edit scenarios (benchmarks/edits.py) and an import
(benchmarks/imports.py) on copies.
Raw figures go to the cache as JSON; `--reuse` renders the report from them without measuring again.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import build_probe, edits, fts5_baseline, imports, issue16, measure, phrases, synthetic, synthetic_alt
from .run import DEFAULT_CACHE, _git_state, log, machine_info

GENERATORS = {"default": synthetic, "alt": synthetic_alt}
_f = issue16.figure


def corpus_for(generator: str, size: int, cache: Path, seed: int) -> Path:
    return GENERATORS[generator].cached_corpus(size, cache, seed)


def measure_one(generator: str, size: int, cache: Path, args: argparse.Namespace) -> dict:
    """Build, phrases and edits for one generator at one size, as plain data."""
    result = {"generator": generator, "size": size, "seed": args.seed, "code": _git_state(),
              "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    started = time.perf_counter()
    corpus_dir = corpus_for(generator, size, cache, args.seed)
    result["generate_s"] = time.perf_counter() - started
    result["corpus"] = corpus_counts(corpus_dir)
    index_dir, fts5 = cache / f"speed-index-{generator}-{size}", cache / f"speed-fts5-{generator}-{size}.sqlite"
    if args.reuse_build and (index_dir / "current").is_file() and fts5.is_file():
        log(f"{generator} {size}: reusing the index in {index_dir} (no build figures)")
        result["build"] = None
    else:
        shutil.rmtree(index_dir, ignore_errors=True)
        log(f"{generator} {size}: building (child process)")
        result["build"] = build_probe.measure_build(corpus_dir, index_dir, fts5)
        log(f"{generator} {size}: built in {result['build']['wall_s']:.1f}s")
    if not args.skip_phrases:
        log(f"{generator} {size}: phrases")
        result["phrases"] = measure_phrases(corpus_dir, index_dir, fts5, args.per_length, args.repeat)
    if args.saves > 0:
        log(f"{generator} {size}: {args.saves} saves per scenario through the web editor")
        try:
            result["edits"] = edits.run_edits(corpus_dir, index_dir, args.saves, args.save_timeout,
                                              log=lambda message: log(f"{generator} {size}:{message}"))
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:  # keep the build and phrase figures
            log(f"{generator} {size}: the edit benchmark failed: {exc}")
            result["edits_error"] = str(exc)
    if args.import_events > 0:
        log(f"{generator} {size}: importing a {args.import_events}-talk conference")
        try:
            result["import"] = imports.run_import(corpus_dir, index_dir, args.import_events)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            log(f"{generator} {size}: the import benchmark failed: {exc}")
            result["import_error"] = str(exc)
    return result


def corpus_counts(corpus_dir: Path) -> dict:
    conferences = list(corpus_dir.glob("conferences/*/conference.md"))
    return {"talks": len(list(corpus_dir.glob("conferences/*/talks/*.md"))), "conferences": len(conferences),
            "sessions": len(list(corpus_dir.glob("conferences/*/sessions/*.md"))),
            "speakers": len(list(corpus_dir.glob("speakers/*.md")))}


def measure_phrases(corpus_dir: Path, index_dir: Path, fts5: Path, per_length: int, repeat: int) -> dict:
    queries = phrases.sample_phrases(phrases.talk_texts(corpus_dir), per_length)
    out = {"load_average_before": os.getloadavg()[0],
           "examples": {q.cls: q.q for q in reversed(queries)}}
    whoosh = measure.whoosh_runner(index_dir)
    out["whoosh_hits"] = phrases.hits(queries, whoosh)
    baseline = fts5_baseline.Baseline(fts5)
    try:
        out["fts5_hits"] = phrases.hits(queries, baseline.run)
        timed = measure.time_side_by_side(queries, {"whoosh": (whoosh, lambda q: True),
                                                    "fts5": (baseline.run, baseline.answers)}, repeat)
    finally:
        baseline.close()
    out["whoosh"], out["fts5"] = timed["whoosh"], timed["fts5"]
    out["load_average_after"] = os.getloadavg()[0]
    out["queries"] = [q.q for q in queries]
    return out


# ---------------------------------------------------------------- report


def build_section(build: dict | None) -> list[str]:
    if not build:
        return ["Build: not measured in this run (`--reuse-build`).", ""]
    return [
        "| phase | wall (s) | CPU (s) |", "| --- | ---: | ---: |",
        f"| load + validate corpus | {_f(build['load_s'])} | {_f(build['load_cpu_s'])} |",
        f"| `indexer.build_index` | {_f(build['build_s'])} | {_f(build['build_cpu_s'])} |",
        f"| whole child process (incl. FTS5 afterwards) | – | {_f(build['child_cpu_s'])} |", "",
        "| documents | peak RSS, largest process (MB) | peak RSS summed over the process tree (MB) "
        "| peak PSS of the process tree (MB) | Whoosh build size (MB) "
        "| FTS5 size (MB) | size ratio Whoosh / FTS5 | FTS5 build (s) | load average before / after |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {build['documents']:,} | {_f(build['process_peak_rss_mb'], 0)} | {_f(build['tree_peak_rss_mb'], 0)} "
        f"| {_f(build.get('tree_peak_pss_mb'), 0)} "
        f"| {_f(build['index_mb'])} | {_f(build.get('fts5_mb'))} | {_f(build.get('size_ratio'))}× "
        f"| {_f(build.get('fts5_s'))} | {_f(build['load_average_before'])} / "
        f"{_f(build['load_average_after_build'])} |", ""]


def phrase_section(data: dict | None) -> list[str]:
    if not data:
        return ["Phrases: not measured in this run.", ""]
    lines = [f"Load average (1 min): {_f(data['load_average_before'])} before, {_f(data['load_average_after'])} "
             "after.", "",
             "| class | n | matched (Whoosh / FTS5) | mean hits (Whoosh / FTS5) | Whoosh p50 | Whoosh p95 | Whoosh CPU "
             "| FTS5 p50 | FTS5 p95 | FTS5 CPU | p95 ratio Whoosh / FTS5 |",
             "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for cls, w in data["whoosh"].items():
        f, wh, fh = data["fts5"].get(cls, {}), data["whoosh_hits"][cls], data["fts5_hits"].get(cls, {})
        ratio = w["p95_ms"] / f["p95_ms"] if f.get("p95_ms") else None
        lines.append(f"| {cls} | {wh['queries']} | {wh['matched']} / {fh.get('matched', '–')} "
                     f"| {_f(wh['mean_total'], 0)} / {_f(fh.get('mean_total'), 0)} | {_f(w['p50_ms'])} "
                     f"| {_f(w['p95_ms'])} | {_f(w['cpu_ms'])} | {_f(f.get('p50_ms'))} | {_f(f.get('p95_ms'))} "
                     f"| {_f(f.get('cpu_ms'))} | {_f(ratio)}× |")
    lines += ["", "Times in ms; n is distinct phrases, each timed `--repeat` times after one warm-up pass (and, from "
              "the eleventh run on, a wait until this process is idle; from the fifteenth, until the machine is, "
              "with Whoosh's and FTS5's passes taken in turn); CPU is "
              "mean CPU ms per search of this process. Examples: "
              + "; ".join(f"{cls}: `{q}`" for cls, q in sorted(data["examples"].items())), ""]
    return lines


def edit_section(data: dict | None, error: str | None = None) -> list[str]:
    if error:
        return [f"Edits: the benchmark failed: {error}", ""]
    if not data:
        return ["Edits: not measured in this run (`--saves 0`).", ""]
    lines = [f"{data['saves_per_scenario']} saves per scenario, each on a fresh server over a fresh copy of the "
             f"index; poll every {int(data['poll_s'] * 1000)} ms; a save may take {data['timeout_s']:.0f} s; "
             f"CONFARCHIVE_REINDEX_DELAY {data['reindex_delay_env']}.", "",
             "| scenario | saves found | p50 (s) | p95 (s) | max (s) | POST p50 (s) | server RSS before → after (MB) "
             "| ratio | server CPU during saves (s) | load average before / after |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |"]
    for key in ("same_talk", "different_talks"):
        s = data[key]
        posts = [x["post_s"] for x in s["saves"] if "post_s" in x]
        b, a = s["before"], s["after"]
        lines.append(f"| {s['scenario']} | {s['ok']} / {len(s['saves'])} | {_f(s['p50_s'], 2)} | {_f(s['p95_s'], 2)} "
                     f"| {_f(s['max_s'], 2)} | {_f(measure.percentile(posts, 50), 2)} "
                     f"| {_f(b['tree_rss_mb'], 0)} → {_f(a['tree_rss_mb'], 0)} "
                     f"| {_f(a['tree_rss_mb'] / b['tree_rss_mb'], 2)}× | {_f(a['cpu_s'] - b['cpu_s'])} "
                     f"| {_f(b['load_average'])} / {_f(a['load_average'])} |")
    lines.append("")
    for key in ("same_talk", "different_talks"):
        s = data[key]
        seq = ", ".join(_f(x["searchable_s"], 2) if "searchable_s" in x else f"**{x['error']}**" for x in s["saves"])
        lines.append(f"- {s['scenario']}, each save's seconds in order: {seq}")
    lines.append("")
    return lines


def import_section(data: dict | None, error: str | None = None) -> list[str]:
    if error:
        return [f"Import: the benchmark failed: {error}", ""]
    if not data:
        return ["Import: not measured in this run (`--import-events 0`).", ""]
    index = f"{data['index_documents']:,} documents in {data['index_s']:.1f} s" if data["index_s"] is not None else "–"
    return [f"`confarchive import` of a generated {data['events']}-event schedule (benchmarks/schedules.py) into "
            "copies of this corpus and its index, in a fresh process as a user runs it.", "",
            "| talks imported | command wall (s) | command CPU (s) | index update (as printed) | segments before → after "
            "| records of the new conference found |",
            "| ---: | ---: | ---: | --- | --- | ---: |",
            f"| {data['talks_imported']} | {_f(data['wall_s'])} | {_f(data['cpu_s'])} | {index} "
            f"| {data['segments_before']} → {data['segments_after']} | {data['records_found']:,} |", ""]


def render(results: dict) -> str:
    m = results["machine"]
    lines = ["# Index speed: full build, phrases of common words, edit-to-searchable", "",
             "Generated by `benchmarks/index_speed.py` (issue 16). Reproduce with:", "", "```",
             results["command"], "```", "",
             f"Machine: {m['cpu']}, {m['cores']} cores (shared with other work), {m['memory']}, Python {m['python']}, "
             f"Whoosh {m['whoosh']}, SQLite {m['sqlite']}. Rendered {m['rendered']} at code {m['code when rendered']}.",
             ""]
    if results.get("conditions"):
        lines += [f"**Conditions:** {results['conditions']}", ""]
    lines += ["Generators: `default` is benchmarks/synthetic.py (the corpus the earlier benchmarks used); `alt` is "
              "benchmarks/synthetic_alt.py (its own vocabulary and Zipf exponent, multi-word entities, 1-8 speakers "
              "per talk, texts of 20 to 2,000+ words, many small conferences and a few big ones, de/da talks).", ""]
    for result in results["runs"].values():
        c = result["corpus"]
        lines += [f"## {result['generator']} generator, {result['size']:,} talks", "",
                  f"Measured {result['measured_at']} at code {result['code']}; seed {result['seed']}; "
                  f"{c['talks']:,} talks, {c['sessions']:,} sessions, {c['conferences']:,} conferences, "
                  f"{c['speakers']:,} speakers.", "", "### Full build", ""]
        lines += build_section(result.get("build"))
        lines += ["### Phrases of 2-5 common words (in-process)", ""] + phrase_section(result.get("phrases"))
        lines += ["### Edit → searchable through the web editor", ""] + edit_section(result.get("edits"), result.get("edits_error"))
        lines += ["### Importing a conference", ""] + import_section(result.get("import"), result.get("import_error"))
        lines += ["### Targets", ""] + issue16.table(issue16.target_rows(result))
    lines += ["## How it is measured", "",
              "- **Build**: a child process runs `archive.load_corpus` and `indexer.build_index` on a fresh index "
              "folder. Wall and CPU seconds per phase come from the child (CPU includes any worker processes it "
              "waited for). Peak memory: the kernel's ru_maxrss of the child (largest single process) and the sum "
              "of VmRSS over the child's process tree sampled every 0.1 s, and the tree's PSS (proportional set "
              "size: a page shared by the build and the process it forks to write the quote index is counted once, "
              "where summed RSS counts it twice); the target uses the PSS. Size is "
              "the published build folder (hard links counted once). The FTS5 baseline "
              "(benchmarks/fts5_baseline.py) is written afterwards from `indexer.documents.corpus_documents`.",
              "- **Phrases**: runs of 2, 3, 4 and 5 consecutive words inside one sentence of a generated talk, "
              f"every word in at least {phrases.COMMON_SHARE:.0%} of the talks and not a stop word "
              "(benchmarks/phrases.py). Both engines answer the full search (top 20, total, facet counts) "
              "in this process, one after the other.",
              "- **Edits**: benchmarks/edits.py: `confarchive users add` in a throwaway account file, "
              "`confarchive serve` (waitress, 4 threads) on copies of the corpus and index, sign-in and the edit "
              "form over HTTP with the CSRF token; the clock runs from the start of the POST until "
              "`/api/search?q=<new word>&exact=1` lists the talk. Before the first save the server has served an "
              "edit page and a search and is idle (under 0.1 s CPU in 2 s); RSS is VmRSS summed over its process "
              "tree.",
              "- **Import**: benchmarks/imports.py: `confarchive import` of a generated pretalx-shaped schedule into "
              "copies of the corpus and the index (hard links), timed from outside; its wall time includes loading "
              "the whole corpus. An update adds one segment to the build, a full build leaves one, so the segments "
              "tell which happened; a browse filtered to the new conference counts its records.", ""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated talk counts")
    parser.add_argument("--generators", default="default,alt", help="comma-separated: " + ", ".join(GENERATORS))
    parser.add_argument("--out", default="docs/index-speed-results.md")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="corpora, indexes and raw results (git-ignored)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-length", type=int, default=15, help="distinct phrases per length (2, 3, 4, 5 words)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over each phrase class")
    parser.add_argument("--saves", type=int, default=20, help="saves per edit scenario (0: no edit benchmark)")
    parser.add_argument("--save-timeout", type=float, default=900.0, help="seconds one save may take to be found")
    parser.add_argument("--import-events", type=int, default=200,
                        help="talks of the conference imported into the built archive (0: no import benchmark)")
    parser.add_argument("--skip-phrases", action="store_true")
    parser.add_argument("--reuse-build", action="store_true",
                        help="use the index a previous run built (no build figures)")
    parser.add_argument("--reuse", action="store_true", help="render from raw results already in the cache")
    parser.add_argument("--conditions", default="", help="a note on the conditions of the run, for the report")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    cache = Path(args.cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    given = argv if argv is not None else sys.argv[1:]
    skip = {"--reuse", "--reuse-build"}
    kept = [a for i, a in enumerate(given) if a not in skip and a != "--conditions"
            and (i == 0 or given[i - 1] != "--conditions")]
    results = {"command": "python -m benchmarks.index_speed " + shlex.join(kept), "machine": machine_info(),
               "conditions": args.conditions, "runs": {}}
    for generator in [g.strip() for g in args.generators.split(",") if g.strip()]:
        if generator not in GENERATORS:
            raise SystemExit(f"unknown generator {generator!r}; choose from {', '.join(GENERATORS)}")
        for size in sorted({int(s) for s in args.sizes.split(",") if s.strip()}):
            raw = cache / f"index-speed-{generator}-{size}.json"
            if args.reuse and raw.is_file():
                log(f"{generator} {size}: reusing {raw}")
                result = json.loads(raw.read_text(encoding="utf-8"))
            else:
                result = measure_one(generator, size, cache, args)
                raw.write_text(json.dumps(result, indent=1), encoding="utf-8")
            results["runs"][f"{generator}-{size}"] = result
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(results), encoding="utf-8")
    log(f"wrote {out}")
    return results


if __name__ == "__main__":
    main()
