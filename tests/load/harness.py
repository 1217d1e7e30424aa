"""Load the real server from concurrent keep-alive clients while full reindexes run; measure and report.

Loopback only, bounded in time: the clients stop at the deadline, or at the latest HARD_LIMIT seconds
after it when a reindex is still running.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .generate import CONFERENCE, SESSION, SPEAKER, add_talks

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CORPUS = ROOT / "corpus"
HOST = "127.0.0.1"
HARD_LIMIT = 300.0  # seconds past the planned end that a run may last while a reindex finishes
TIMEOUT = 30.0  # per request
MARKERS = ("aardvarkish", "bandicootish", "chinchillaish", "dugongish")  # one unique word per reindex


@dataclass
class Sample:
    at: float  # seconds since the start, when the request was sent
    kind: str
    status: int
    latency: float
    error: str = ""


@dataclass
class Reindex:
    number: int
    marker: str
    talk: str
    started: float = 0.0
    finished: float = 0.0
    returncode: int | None = None
    output: str = ""
    served_after: float | None = None  # seconds from the build's exit until the server answered with its talk


@dataclass
class LoadResult:
    seconds: float
    clients: int
    documents: int
    load_before: float = 0.0  # the machine's 1-minute load average when the run started
    samples: list[Sample] = field(default_factory=list)
    reindexes: list[Reindex] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Sample]:
        return [s for s in self.samples if s.error]

    def during_reindex(self, sample: Sample) -> bool:
        return any(r.started <= sample.at <= (r.finished or self.seconds) for r in self.reindexes)


# --- the server ----------------------------------------------------------------------------------

def confarchive_command(*args) -> list[str]:
    script = Path(sys.executable).parent / "confarchive"
    return [*([str(script)] if script.exists() else [sys.executable, "-m", "confarchive"]), *map(str, args)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """`confarchive serve` in a subprocess on a free loopback port; a context manager."""

    def __init__(self, corpus: Path, index: Path, log: Path, threads: int = 8):
        self.corpus, self.index, self.log, self.threads = corpus, index, log, threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFARCHIVE_", "FLASK_"))}
        command = confarchive_command("serve", "--host", HOST, "--port", self.port, "--threads", self.threads,
                                      "--index", self.index, "--corpus", self.corpus)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, cwd=ROOT)
        self._wait_until_up()
        return self

    def _wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"confarchive serve exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                get_json(self.port, "/api/talks?per_page=1")
                return
            except (OSError, http.client.HTTPException, ValueError):
                time.sleep(0.2)
        raise RuntimeError(f"confarchive serve did not answer within {timeout}s:\n{self.log.read_text()}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def errors(self) -> list[str]:
        """Lines where the app logged an unexpected error (a 500)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if "ERROR" in line or line.startswith("Traceback")]


def get_json(port: int, path: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


# --- the workload --------------------------------------------------------------------------------

TERMS = ["data", "genomics", "consent", "registry", "health data", "precision medicine", "cancer", "trust", "AI",
         "EHDS", "interoperability", "nordic", "rare disease", "citizens", "genomcs", "helth"]
PHRASES = ['"data sharing"', '"personalised medicine"', '"health data"', '"rare diseases"']


class Workload:
    """A weighted mix of searches, pages and API calls over ids read from the server; each with its expected status."""

    def __init__(self, port: int):
        talks = get_json(port, "/api/talks?per_page=100")[1]["results"]
        speakers = get_json(port, "/api/speakers?per_page=100")[1]["results"]
        sessions = get_json(port, "/api/sessions?per_page=100")[1]["results"]
        facets = get_json(port, "/api/search?per_page=1")[1]["facets"]
        self.talks = [t["id"] for t in talks]
        self.speakers = [s["id"] for s in speakers]
        self.sessions = [s["id"] for s in sessions]
        self.topics = [b["value"] for b in facets["topic"]]
        self.mix = [  # (kind, weight, make path, expected status)
            ("search: words", 18, lambda r: self._api({"q": r.choice(TERMS)}), 200),
            ("search: phrase", 8, lambda r: self._api({"q": r.choice(PHRASES)}), 200),
            ("search: two facets", 10, lambda r: self._api({"q": r.choice(TERMS), "topic": r.choice(self.topics),
                                                            "kind": r.choice(["talk", "panel"])}), 200),
            ("search: paging", 6, lambda r: self._api({"q": r.choice(["", "data", "health"]), "page": r.randint(1, 3),
                                                       "per_page": 10, "sort": "programme"}), 200),
            ("page: search", 12, lambda r: "/search?" + urllib.parse.urlencode(
                {"q": r.choice(TERMS), "topic": r.choice(self.topics)}), 200),
            ("page: talk", 10, lambda r: f"/talks/{r.choice(self.talks)}", 200),
            ("page: speaker", 6, lambda r: f"/speakers/{r.choice(self.speakers)}", 200),
            ("page: session", 3, lambda r: f"/sessions/{r.choice(self.sessions)}", 200),
            ("page: topic", 3, lambda r: f"/topics/{r.choice(self.topics)}", 200),
            ("api: record", 6, lambda r: f"/api/talks/{r.choice(self.talks)}", 200),
            ("api: listing", 4, lambda r: f"/api/speakers?page={r.randint(1, 3)}&per_page=10", 200),
            ("api: suggest", 6, lambda r: "/api/suggest?q=" + urllib.parse.quote(r.choice(TERMS)[:3]), 200),
            ("api: quotes", 3, lambda r: "/api/quotes?q=" + urllib.parse.quote(r.choice(TERMS)), 200),
            ("expected 404", 2, lambda r: "/talks/no-such-talk", 404),
            ("expected 400", 2, lambda r: "/api/search?q=data&per_page=1000", 400),
        ]
        self._weights = [weight for _, weight, _, _ in self.mix]

    @staticmethod
    def _api(params: dict) -> str:
        return "/api/search?" + urllib.parse.urlencode(params)

    def pick(self, rng: random.Random) -> tuple[str, str, int]:
        kind, _, make, expected = rng.choices(self.mix, weights=self._weights)[0]
        return kind, make(rng), expected


def run_client(port: int, workload: Workload, seed: int, start: float, stop: threading.Event,
               samples: list[Sample]) -> None:
    """One keep-alive client: request, check status (and JSON for the API), record; reconnect after an error."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    while not stop.is_set():
        kind, path, expected = workload.pick(rng)
        sent = time.perf_counter()
        status, error = 0, ""
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            status, body = response.status, response.read()
            if status != expected:
                error = f"status {status}, expected {expected}: {body[:200]!r}"
            elif path.startswith("/api/"):
                json.loads(body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        samples.append(Sample(sent - start, kind, status, time.perf_counter() - sent, error and f"{path}: {error}"))
    connection.close()


# --- reindexing ----------------------------------------------------------------------------------

MARKER_TALK = """---
id: {id}
conference: {conference}
session: {session}
kind: talk
order: {order}
title: Reindex marker {marker}
speakers:
- {speaker}
source:
  section: Added by the load test
  lines: "1-1"
---
This talk about {marker} exists only in build number {number} of the load test.
"""


def add_marker(corpus: Path, number: int) -> Reindex:
    """A talk with a unique word, so the test can tell that the server switched to the new build."""
    marker = MARKERS[number % len(MARKERS)]
    talk = f"{SESSION}-reindex-marker-{number}"
    text = MARKER_TALK.format(id=talk, conference=CONFERENCE, session=SESSION, order=900 + number, marker=marker,
                              speaker=SPEAKER, number=number)
    (corpus / "conferences" / CONFERENCE / "talks" / f"{talk}.md").write_text(text, encoding="utf-8")
    return Reindex(number, marker, talk)


def run_reindex(server: Server, reindex: Reindex, start: float) -> None:
    """`confarchive build` into the served index folder, then wait until the server serves the marker talk."""
    reindex.started = time.perf_counter() - start
    result = subprocess.run(confarchive_command("build", "--corpus", server.corpus, "--index", server.index),
                            capture_output=True, text=True, timeout=HARD_LIMIT, cwd=ROOT, stdin=subprocess.DEVNULL)
    built = time.perf_counter()
    reindex.finished, reindex.returncode = built - start, result.returncode
    reindex.output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        return
    deadline = built + 10
    while time.perf_counter() < deadline:
        status, body = get_json(server.port, f"/api/search?q={reindex.marker}")
        if status == 200 and [r["id"] for r in body["results"]] == [reindex.talk]:
            reindex.served_after = time.perf_counter() - built
            return
        time.sleep(0.05)


def reindex_schedule(seconds: float, reindexes: int) -> list[float]:
    """When each reindex starts: spread over the run, the first a third of the way in (or at 2 s in a short run)."""
    if reindexes <= 0:
        return []
    first = 2.0 if seconds < 20 else seconds / 3
    step = (seconds - first) / reindexes
    return [first + i * step for i in range(reindexes)]


# --- one run -------------------------------------------------------------------------------------

def prepare(workdir: Path, extra_talks: int = 0) -> tuple[Path, Path, int]:
    """A corpus copy, grown by `extra_talks` generated talks, and its published index: (corpus, index, documents)."""
    corpus, index = workdir / "corpus", workdir / "index"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    if extra_talks:
        add_talks(corpus, extra_talks)
    result = subprocess.run(confarchive_command("build", "--corpus", corpus, "--index", index), capture_output=True,
                            text=True, timeout=HARD_LIMIT, cwd=ROOT, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError("the first build failed:\n" + result.stderr)
    documents = json.loads((index / "builds" / (index / "current").read_text().strip() / "meta.json").read_text())
    return corpus, index, documents["documents"]


def run_load(workdir: Path, seconds: float, clients: int = 8, reindexes: int = 1, extra_talks: int = 0,
             seed: int = 1) -> LoadResult:
    """Serve a fresh index, load it for `seconds` from `clients` threads, reindexing `reindexes` times meanwhile."""
    corpus, index, documents = prepare(workdir, extra_talks)
    result = LoadResult(seconds, clients, documents, load_before=os.getloadavg()[0])
    with Server(corpus, index, workdir / "serve.log") as server:
        workload = Workload(server.port)
        stop, start = threading.Event(), time.perf_counter()
        threads = [threading.Thread(target=run_client, name=f"load-client-{n}", daemon=True,
                                    args=(server.port, workload, seed + n, start, stop, result.samples))
                   for n in range(clients)]
        for thread in threads:
            thread.start()
        try:
            for number, at in enumerate(reindex_schedule(seconds, reindexes), 1):
                _sleep_until(start + at)
                reindex = add_marker(corpus, number)
                result.reindexes.append(reindex)
                run_reindex(server, reindex, start)
            _sleep_until(start + seconds)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=TIMEOUT + 5)
        result.seconds = time.perf_counter() - start
        result.server_errors = server.errors()
    return result


def _sleep_until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


def problems(result: LoadResult) -> list[str]:
    """Everything that makes a run fail: failed requests, server errors, and reindexes not built or not served."""
    found = [f"{len(result.failures)} failed request(s), first: {result.failures[0].error}"] if result.failures else []
    found += [f"server log: {line}" for line in result.server_errors[:5]]
    for r in result.reindexes:
        if r.returncode != 0:
            found.append(f"reindex {r.number} exited with {r.returncode}: {r.output[-500:]}")
        elif r.served_after is None:
            found.append(f"reindex {r.number}: the server did not serve the new build within 10 s")
    if not result.samples:
        found.append("no requests were made")
    return found


# --- figures and the report ----------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]


def summary(samples: list[Sample]) -> dict:
    latencies = [s.latency * 1000 for s in samples]
    return {"requests": len(samples), "failed": sum(1 for s in samples if s.error),
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "max": max(latencies, default=0.0)}


def figures(result: LoadResult) -> dict:
    kinds = sorted({s.kind for s in result.samples})
    return {
        "overall": summary(result.samples),
        "throughput": len(result.samples) / result.seconds if result.seconds else 0.0,
        "during reindex": summary([s for s in result.samples if result.during_reindex(s)]),
        "outside reindex": summary([s for s in result.samples if not result.during_reindex(s)]),
        "by kind": {kind: summary([s for s in result.samples if s.kind == kind]) for kind in kinds},
    }


def _row(name: str, f: dict) -> str:
    return (f"| {name} | {f['requests']} | {f['failed']} | {f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} "
            f"| {f['max']:.0f} |")


def render_report(result: LoadResult, command: str) -> str:
    """docs/load.md: what ran, the latency percentiles and throughput, each reindex, and any failures."""
    f = figures(result)
    header = ("| requests | count | failed | p50 ms | p95 ms | p99 ms | max ms |\n"
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines = [
        "# Load test: the real server under concurrent clients while the index is rebuilt", "",
        f"Reproduce with `{command}` from the repository root (loopback only; it stops by itself).", "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"`confarchive serve` (waitress, 8 threads) over {result.documents} documents; {result.clients} client "
        f"threads with keep-alive connections in one process on the same machine, for {result.seconds:.0f} s; "
        f"{len(result.reindexes)} full reindex(es) (`confarchive build` into the served index folder) in the middle. "
        f"The machine's load average was {result.load_before:.1f} when the run started (other work on it slows "
        "every figure).",
        "", "## Result", "",
        f"**{f['overall']['failed']} failed requests** of {f['overall']['requests']} "
        f"({f['throughput']:.1f} requests/s); {len(result.server_errors)} errors in the server log.", "",
        header, _row("all", f["overall"]), _row("while a reindex ran", f["during reindex"]),
        _row("no reindex running", f["outside reindex"]), "", "## By kind of request", "", header,
        *(_row(kind, s) for kind, s in f["by kind"].items()), "", "## Reindexes", "",
        "| # | started at s | build took s | exit code | new build served after s |",
        "| ---: | ---: | ---: | ---: | ---: |",
        *(f"| {r.number} | {r.started:.1f} | {r.finished - r.started:.1f} | {r.returncode} | "
          f"{'never' if r.served_after is None else f'{r.served_after:.2f}'} |" for r in result.reindexes), "",
        "A request fails when it gets no response, a status other than the expected one (200, or 404 and 400 for "
        "the two deliberate bad requests), or an API body that is not JSON. Latency is measured in the client "
        "threads, which share the 2 cores with the server and the build, so it includes their waiting.", "",
        "The normal test suite runs an 8-second version with one reindex (`tests/load/test_load.py`), so CI proves "
        "zero failed requests during a reindex on every run; the full minute is opt-in: "
        "`CONFARCHIVE_LOAD_SECONDS=60 python -m pytest -m load tests/load`.",
    ]
    if result.failures:
        lines += ["", "## First failures", "", *(f"- {s.at:.1f} s {s.kind}: {s.error}" for s in result.failures[:10])]
    return "\n".join(lines) + "\n"
