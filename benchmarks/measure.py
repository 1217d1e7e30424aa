"""Timing loops, each bounded in count and time: in-process, FTS5, HTTP, throughput, edit-to-searchable."""

from __future__ import annotations

import cProfile
import http.client
import io
import json
import os
import pstats
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode

from .queries import Query
from indexer.quote_search import open_quotes

ROOT = Path(__file__).resolve().parent.parent
CLASS_BUDGET_S = 90.0  # no class may take longer than this per mode; fewer samples are reported instead


def percentile(samples: list[float], pct: float) -> float:
    """Linear-interpolated percentile of the samples (0 <= pct <= 100)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(samples: list[float]) -> dict:
    return {"n": len(samples), "p50_ms": percentile(samples, 50) * 1000, "p95_ms": percentile(samples, 95) * 1000}


def process_cpu(pid: int) -> Callable[[], float]:
    """Cumulative CPU seconds (user + system) of another process, for servers measured from outside."""
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick
    return read


def time_classes(queries: list[Query], run: Callable[[Query], object], repeat: int,
                 budget_s: float = CLASS_BUDGET_S, cpu: Callable[[], float] = time.process_time) -> dict[str, dict]:
    """Per class: one warm-up pass, a wait until the searching process and the machine are idle, then `repeat`
    timed passes, stopping early past the time budget.

    The wait lets background work a first search starts finish before the clock runs: the written forms
    snippets look for are learned in a thread per analyzer, about a second each at 10,000 talks, and a
    class whose words first need the German or Danish analyzer started it in its own warm-up pass. Waiting
    for the machine too keeps the kernel's writing back of a just-built index out of the first class's time.
    Wall time is what a user waits; CPU time (of this process, or of the server through `cpu`) is what
    the search costs, and stays meaningful when other work shares the machine.
    """
    return time_side_by_side(queries, {"": (run, lambda query: True)}, repeat, budget_s, cpu, wake=False)[""]


def time_side_by_side(queries: list[Query], engines: dict[str, tuple[Callable[[Query], object], Callable[[Query], bool]]],
                      repeat: int, budget_s: float = CLASS_BUDGET_S, cpu: Callable[[], float] = time.process_time,
                      wake: bool = True) -> dict[str, dict[str, dict]]:
    """time_classes for several in-process engines (name -> (run, which queries it answers)), their passes taken
    in turn: per class, each engine's warm-up pass, one wait until all is idle, one untimed search of each
    engine (the first search after the wait ran up to twice as slow, and it fell on the first engine only),
    then for each repeat one timed pass of each engine. This machine's speed drifts by a third from minute to
    minute; timing one engine's classes after the other's put a slow spell on whichever ran in it, timed in
    turn both share it. `cpu` and the wait read the searching process's CPU seconds (a server's, for HTTP);
    without `wake` no untimed search follows the wait."""
    by_class: dict[str, list[Query]] = {}
    for query in queries:
        by_class.setdefault(query.cls, []).append(query)
    out: dict[str, dict[str, dict]] = {name: {} for name in engines}
    for cls, items in by_class.items():
        answered = {name: [q for q in items if wanted(q)] for name, (_, wanted) in engines.items()}
        for name, (run, _) in engines.items():
            for query in answered[name]:
                run(query)
        until_idle(cpu)
        for name, (run, _) in engines.items():  # a search the idle wait left cold (caches, CPU) is not timed
            for query in answered[name][:1 if wake else 0]:
                run(query)
        samples: dict[str, list[float]] = {name: [] for name in engines}
        cpu_used = dict.fromkeys(engines, 0.0)
        deadline = time.monotonic() + budget_s * len(engines)
        for _ in range(repeat):
            for name, (run, _) in engines.items():
                cpu_started = cpu()
                for query in answered[name]:
                    if time.monotonic() > deadline:
                        break
                    started = time.perf_counter()
                    run(query)
                    samples[name].append(time.perf_counter() - started)
                cpu_used[name] += cpu() - cpu_started
        for name in engines:
            if answered[name]:
                out[name][cls] = {**summarise(samples[name]),
                                  "cpu_ms": cpu_used[name] * 1000 / max(len(samples[name]), 1)}
    return out


def until_idle(cpu: Callable[[], float], quiet_s: float = 0.5, limit_s: float = 60.0) -> float:
    """Wait until `cpu` (CPU seconds of the searching process) grows by under a tenth of `quiet_s` in
    `quiet_s`, and the machine as a whole is as quiet (the kernel writing a build's files back counts);
    return the seconds waited (at most about limit_s)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        before, machine_before = cpu(), machine_busy()
        time.sleep(quiet_s)
        if cpu() - before < quiet_s / 10 and machine_busy() - machine_before < quiet_s / 10:
            break
    return time.monotonic() - started


def machine_busy() -> float:
    """Seconds every CPU of the machine has spent busy or waiting for the disk since boot (/proc/stat: user,
    nice, system, iowait, irq, softirq; not steal, which is the host's); 0 where there is no /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, iowait, irq, softirq = (int(v) for v in fields[1:8])
    return (user + nice + system + iowait + irq + softirq) / os.sysconf("SC_CLK_TCK")


def whoosh_runner(index_dir: Path) -> Callable[[Query], object]:
    """Search as the app does: one store per process, a Searcher per request."""
    from indexer import IndexStore, SearchRequest, Searcher

    store = IndexStore(index_dir)

    def run(query: Query):
        if query.cls == "quotes":
            return quotes_search(store, query.q)
        return Searcher(store.handle()).search(SearchRequest(q=query.q, filters=query.filters))
    return run


def quotes_search(store, text: str):
    """Quote search as the app runs it: the build's quote index, opened once per process."""
    from indexer.quote_search import QuoteRequest

    return open_quotes(store.handle()).search(QuoteRequest(q=text))


def profile(run: Callable[[Query], object], queries: list[Query], top: int = 22) -> str:
    """cProfile of the queries (after a warm-up), as text sorted by cumulative time."""
    for query in queries:
        run(query)
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        run(query)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(top)
    text = buffer.getvalue()
    for prefix in (str(Path(sys.prefix) / "lib"), str(ROOT) + "/"):
        text = text.replace(prefix, "")
    return text[text.find("ncalls") - 3:] if "ncalls" in text else text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api_path(query: Query) -> str:
    params = [("q", query.q)] + [(name, v) for name, values in query.filters.items() for v in values]
    return ("/api/quotes?" if query.cls == "quotes" else "/api/search?") + urlencode(params)


def quotes_endpoint(conn: http.client.HTTPConnection) -> bool:
    """Whether the server has the quote API yet (another part of the project is adding it)."""
    status, _ = http_get(conn, "/api/quotes?q=data")
    return status == 200


@contextmanager
def servers(corpus_dir: Path, index_dir: Path, count: int = 1, threads: int = 4,
            start_timeout: float = 120.0) -> Iterator[list[tuple[int, subprocess.Popen]]]:
    """`confarchive serve` processes on free loopback ports, all reading the same index; stopped on exit."""
    procs = []
    try:
        for _ in range(count):
            port = free_port()
            command = [sys.executable, "-m", "confarchive", "serve", "--corpus", str(corpus_dir),
                       "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port),
                       "--threads", str(threads)]
            procs.append((port, subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL)))
        for port, proc in procs:
            _wait_ready(port, proc, start_timeout)
        yield procs
    finally:
        for _, proc in procs:
            proc.terminate()
        for _, proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            status, _ = http_get(conn, "/api/search?q=")
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError(f"server on port {port} did not answer within {timeout:.0f}s")


def http_get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def http_runner(port: int) -> tuple[Callable[[Query], object], http.client.HTTPConnection]:
    """A keep-alive client for the JSON API; a non-200 answer is an error, not a sample."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def run(query: Query):
        status, body = http_get(conn, api_path(query))
        if status != 200:
            raise RuntimeError(f"HTTP {status} for {api_path(query)}: {body[:200]!r}")
        return body
    return run, conn


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def throughput(ports: list[int], queries: list[Query], clients: int, seconds: float,
               max_requests: int = 200_000) -> dict:
    """Closed-loop clients sending the query mix round-robin over the ports for a bounded time."""
    paths = [api_path(q) for q in queries if q.cls != "quotes"]
    lock, state = threading.Lock(), {"next": 0, "done": 0, "errors": 0}
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def client() -> None:
        conns = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports}
        try:
            while time.monotonic() < deadline:
                with lock:
                    if state["next"] >= max_requests:
                        return
                    i = state["next"]
                    state["next"] += 1
                started = time.perf_counter()
                try:
                    status, _ = http_get(conns[ports[i % len(ports)]], paths[i % len(paths)])
                    ok = status == 200
                except OSError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - started)
                    state["done" if ok else "errors"] += 1
        finally:
            for conn in conns.values():
                conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - started
    return {"requests": state["done"], "errors": state["errors"], "seconds": elapsed,
            "rps": state["done"] / elapsed, **summarise(latencies)}


def edit_to_searchable(corpus_dir: Path, index_dir: Path, port: int, timeout: float = 900.0) -> dict:
    """Edit one talk, update the index as the web editor does, and time until the running server finds the edit.

    The corpus was loaded once before in this process (build_phase), as `confarchive serve` loads it in
    the background at start: the reload re-parses only the edited file.
    """
    from archive import load_corpus
    from indexer.update import update_index

    talk = sorted((corpus_dir / "conferences").glob("*/talks/*.md"))[0]
    original = talk.read_text(encoding="utf-8")
    token = f"zqxedit{int(time.time())}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        talk.write_text(original.rstrip("\n") + f" {token}\n", encoding="utf-8")
        started = time.perf_counter()
        corpus = load_corpus(corpus_dir)
        loaded = time.perf_counter()
        update_index(corpus, index_dir, [talk.stem])
        published = time.perf_counter()
        deadline, seen = time.monotonic() + timeout, False
        while not seen and time.monotonic() < deadline:
            _, body = http_get(conn, "/api/search?" + urlencode({"q": token}))
            seen = json.loads(body).get("total", 0) > 0
            if not seen:
                time.sleep(0.02)
        found = time.perf_counter()
    finally:
        talk.write_text(original, encoding="utf-8")
        conn.close()
    return {"load_s": loaded - started, "build_s": published - loaded, "reopen_s": found - published,
            "total_s": found - started, "found": seen}
