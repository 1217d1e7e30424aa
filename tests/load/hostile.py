"""The hostile mix: 8 clients send the most expensive requests while 300 sockets sit idle or trickle,
and a normal client checks that ordinary requests are still answered within a second.

    python -m tests.load.hostile --corpus /tmp/corpus-10k --index /tmp/index-10k --seconds 30

Loopback only, bounded in time. Every request must get an answer (200, 400, 404, or 503 with
Retry-After for a costly request that found no free slot), never a 500 or a dropped connection,
and no answer may exceed 2 MB.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .harness import HOST, Server, get_json, percentile

MAX_BYTES = 2_000_000
ATTACKERS = 8
IDLE_SOCKETS = 300
NORMAL = ["/search?q=genomics", "/api/search?q=data", "/api/search?q=health&topic={topic}", "/talks/{talk}",
          "/speakers/{speaker}", "/api/suggest?q=gen", "/", "/api/talks/{talk}", "/quotes?q=consent"]
COMMON = ("data health patients genomic research care clinical sharing public european national model privacy risk "
          "trust system evidence policy study access information digital population treatment cancer").split()


@dataclass
class Tally:
    normal: list[float] = field(default_factory=list)  # latencies of the normal client's requests
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    expensive: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


def expensive_paths(topics: list[str], speakers: list[str]) -> list[str]:
    """The costliest requests we could construct against the budget, plus some it refuses."""
    words = " ".join((COMMON * 2)[:40])
    fuzzy = "helth~2 pateint~2 da* he* pa* " + words
    phrases = " ".join(f'"{a} {b} {c}"' for a, b, c in zip(COMMON[0::3], COMMON[1::3], COMMON[2::3]))
    filters = [("topic", t) for t in topics[:10]] + [("speaker", s) for s in speakers[:10]]
    enc = urllib.parse.urlencode
    return [
        "/search?" + enc({"q": fuzzy}), "/api/search?" + enc({"q": fuzzy, "per_page": 100}),
        "/quotes?" + enc({"q": fuzzy}), "/search?" + enc({"q": phrases}),
        "/search?" + enc([("q", words)] + filters), "/quotes?" + enc([("q", words)] + filters[:8]),
        "/api/search?" + enc({"q": words, "page": 10, "per_page": 100}),
        "/api/search.csv?" + enc({"q": words}), "/api/search.json", "/api/quotes.json", "/api/quotes.csv?" + enc({"q": words}),
        "/search?" + enc({"q": "speaker:a speaker:e topic:a organisation:u " + words}), "/topics", "/about",
        "/search?" + "&".join(f"topic=t{i}" for i in range(600)), "/search?q=" + "xy~9%20" * 100,
        "/api/search?q=" + "a~99%20" * 10, "/search?page=100000",
    ]


def attacker(port: int, paths: list[str], stop: threading.Event, tally: Tally, offset: int) -> None:
    """Send the expensive requests in turn, each on a fresh connection, as fast as answers come."""
    n = offset
    while not stop.is_set():
        path = paths[n % len(paths)]
        n += 1
        status, size, error = fetch(port, path)
        tally.count(status)
        with tally.lock:
            tally.expensive += 1
        if error or status not in (200, 400, 503) or size > MAX_BYTES:
            with tally.lock:
                tally.failures.append(f"expensive {path[:80]}: status {status}, {size} bytes {error}")


def fetch(port: int, path: str, timeout: float = 30.0) -> tuple[int, int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status == 503 and not response.getheader("Retry-After"):
            return response.status, len(body), "503 without Retry-After"
        return response.status, len(body), ""
    except (OSError, http.client.HTTPException) as exc:
        return 0, 0, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def alone(port: int, paths: list[str]) -> list[tuple[float, int, int, str]]:
    """Each path on its own, after one warm-up request: (seconds, status, bytes, path), slowest first."""
    timed = []
    for path in paths:
        fetch(port, path)
        started = time.perf_counter()
        status, size, _ = fetch(port, path)
        timed.append((round(time.perf_counter() - started, 3), status, size, path[:70]))
    return sorted(timed, reverse=True)


def normal_client(port: int, paths: list[str], stop: threading.Event, tally: Tally) -> None:
    """Ordinary requests one after another, as a reader would make them; each must be a 200."""
    n = 0
    while not stop.is_set():
        path = paths[n % len(paths)]
        n += 1
        started = time.perf_counter()
        status, size, error = fetch(port, path)
        latency = time.perf_counter() - started
        tally.count(status)
        with tally.lock:
            tally.normal.append(latency)
            if status != 200 or error:
                tally.failures.append(f"normal {path}: status {status} {error}")
        time.sleep(0.05)


def open_idle_sockets(port: int, count: int) -> list[socket.socket]:
    """Half connect and say nothing; half start a request they will finish one byte at a time."""
    sockets = []
    for n in range(count):
        sock = socket.create_connection((HOST, port), timeout=5)
        if n % 2:
            sock.sendall(b"GET /search?q=")
        sockets.append(sock)
    return sockets


def trickle(sockets: list[socket.socket], stop: threading.Event) -> None:
    """Every second, one more byte of each unfinished request (a slowloris)."""
    while not stop.wait(1.0):
        for sock in sockets[1::2]:
            try:
                sock.sendall(b"a")
            except OSError:
                pass


def run(corpus: Path, index: Path, log: Path, seconds: float) -> dict:
    """Start the server, load it for `seconds`, stop everything; the figures as a dict."""
    tally, stop = Tally(), threading.Event()
    with Server(corpus, index, log) as server:
        port = server.port
        facets = get_json(port, "/api/search?per_page=1")[1]["facets"]
        talk = get_json(port, "/api/talks?per_page=1")[1]["results"][0]["id"]
        speakers = [b["value"] for b in facets["speaker"]]
        topics = [b["value"] for b in facets["topic"]]
        normal = [p.format(talk=talk, speaker=speakers[0], topic=topics[0]) for p in NORMAL]
        paths = expensive_paths(topics, speakers)
        solo = alone(port, paths + normal)
        sockets = open_idle_sockets(port, IDLE_SOCKETS)
        threads = [threading.Thread(target=trickle, args=(sockets, stop), daemon=True)]
        threads += [threading.Thread(target=attacker, args=(port, paths, stop, tally, i * 3), daemon=True)
                    for i in range(ATTACKERS)]
        threads.append(threading.Thread(target=normal_client, args=(port, normal, stop, tally), daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        still_open = sum(1 for s in sockets if _open(s))  # before waiting for the clients: idle ones time out at 30 s
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
        for sock in sockets:
            sock.close()
        errors = server.errors()
    return {"seconds": seconds, "normal requests": len(tally.normal), "expensive requests": tally.expensive,
            "statuses": dict(sorted(tally.statuses.items())), "idle sockets": IDLE_SOCKETS,
            "idle sockets still open at the end": still_open,
            "normal p50 s": round(percentile(tally.normal, 50), 3), "normal p95 s": round(percentile(tally.normal, 95), 3),
            "normal max s": round(max(tally.normal, default=0.0), 3), "failures": tally.failures, "server errors": errors,
            "alone: slowest (s, status, bytes, path)": solo[:5], "alone: largest bytes": max(t[2] for t in solo)}


def _open(sock: socket.socket) -> bool:
    try:
        sock.setblocking(False)
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.hostile", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True, help="a built index of that corpus")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--log", type=Path, default=Path("/tmp/confarchive-hostile.log"))
    args = parser.parse_args(argv)
    figures = run(args.corpus, args.index, args.log, args.seconds)
    for name, value in figures.items():
        print(f"{name}: {value}")
    return 1 if figures["failures"] or figures["server errors"] or figures["normal max s"] > 1.0 else 0


if __name__ == "__main__":
    sys.exit(main())
