"""Edit-to-searchable through the web editor of a running `confarchive serve`, as a librarian does it.

On copies of a corpus and its built index (the originals are never touched): create a librarian
account with `confarchive users add`, start `confarchive serve` (waitress) on a free loopback port,
sign in over HTTP, then N times in a row: open a talk's edit page, add a new unique word to its
summary, submit the form with its CSRF token, and poll `/api/search?q=<word>&exact=1` every 20 ms
until the talk is among the results. The time is from the start of the POST to the first search that
finds the talk. Two scenarios: N saves of the same talk, and N saves of N different talks, each on a
fresh server over a fresh copy of the index. The server's RSS (VmRSS, and the sum over its process
tree) is read before the first save and after the last.

    python -m benchmarks.edits --corpus DIR --index DIR --saves 20 --out edits.json

Only public behaviour is used: the CLI, the HTML forms and the JSON API.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from random import Random
from typing import Iterator
from urllib.parse import urlencode

from . import measure

ROOT = Path(__file__).resolve().parent.parent
POLL_S = 0.02
PASSWORD = "bench-password-not-secret-16"  # a throwaway account in a throwaway users file
ACCOUNT = "bench"


class FormParser(HTMLParser):
    """The fields of the first <form> whose action ends with `action_suffix`, as a browser would submit them."""

    def __init__(self, action_suffix: str):
        super().__init__(convert_charrefs=True)
        self.suffix, self.fields, self.inside, self.done = action_suffix, [], False, False
        self._textarea: list | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("action") or "").endswith(self.suffix):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file"):
                self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.fields.append([name, value[1:] if value.startswith("\n") else value])  # as browsers drop it
            self._textarea = None
        elif tag == "select" and self._select is not None:
            s = self._select
            self.fields.append([s["name"], s["chosen"] if s["chosen"] is not None else (s["first"] or "")])
            self._select = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(html: str, action_suffix: str) -> list[list[str]]:
    parser = FormParser(action_suffix)
    parser.feed(html)
    return parser.fields


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client; redirects are not followed, so a POST's own time is measured."""

    def __init__(self, port: int, timeout: float = 1200.0):
        self.base, self.timeout = f"http://127.0.0.1:{port}", timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def request(self, path: str, data: list | None = None) -> tuple[int, str, dict]:
        body = urlencode([tuple(pair) for pair in data]).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)

    def sign_in(self, name: str, password: str) -> None:
        status, html, _ = self.request("/curate/login")
        fields = dict(form_fields(html, "/login"))
        if status != 200 or "csrf_token" not in fields:
            raise RuntimeError(f"the sign-in page answered {status} without a form")
        status, html, headers = self.request("/curate/login", [("csrf_token", fields["csrf_token"]),
                                                               ("next", ""), ("name", name),
                                                               ("password", password)])
        if status != 303 or "/login" in headers.get("Location", ""):
            raise RuntimeError(f"sign-in failed: HTTP {status} {html[:300]!r}")


def talk_ids(corpus_dir: Path) -> list[str]:
    return sorted(p.stem for p in Path(corpus_dir).glob("conferences/*/talks/*.md"))


def found_in(body: str, talk: str) -> bool:
    data = json.loads(body)
    return any(r.get("id") == talk for r in data.get("results", [])) and not data.get("corrected_from")


def one_save(browser: Browser, talk: str, word: str, timeout: float) -> dict:
    """Open the edit page, append the word to the summary, save, and poll the API until the talk is found."""
    path = f"/curate/talks/{talk}/edit"
    status, html, _ = browser.request(path)
    if status != 200:
        return {"talk": talk, "error": f"edit page answered {status}"}
    fields = form_fields(html, path)
    names = [name for name, _ in fields]
    if "body" not in names or "csrf_token" not in names:
        return {"talk": talk, "error": "no edit form with body and csrf_token on the page"}
    data = [[n, v.rstrip("\n") + f"\n\nEdited for the benchmark: {word}.\n" if n == "body" else v] for n, v in fields]
    data.append(["action", "save"])
    started = time.perf_counter()
    status, html, headers = browser.request(path, data)
    posted = time.perf_counter()
    if status != 303:
        return {"talk": talk, "error": f"save answered {status}: {html[:300]!r}", "post_s": posted - started}
    query = "/api/search?" + urlencode({"q": word, "exact": "1"})
    deadline, polls = started + timeout, 0
    while time.perf_counter() < deadline:
        polls += 1
        status, body, _ = browser.request(query)
        if status == 400 and "exact=" in query:  # a server without the exact parameter: plain search
            query = "/api/search?" + urlencode({"q": word})
            continue
        if status == 200 and found_in(body, talk):
            found = time.perf_counter()
            return {"talk": talk, "word": word, "post_s": posted - started, "searchable_s": found - started,
                    "polls": polls}
        time.sleep(POLL_S)
    return {"talk": talk, "word": word, "post_s": posted - started, "error": f"not searchable within {timeout:.0f}s",
            "polls": polls}


def tree_rss_mb(pid: int, measure_one=None) -> float:
    """VmRSS summed over the process and its descendants (a server may start helpers); with measure_one
    another figure per process (pss_mb: shared pages split between the processes sharing them)."""
    measure_one = measure_one or measure.rss_mb
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += measure_one(current)
        except OSError:
            continue
        todo += children.get(current, [])
    return total


def pss_mb(pid: int) -> float:
    """A process's proportional set size: its private pages, plus its share of pages shared with others
    (a forked child shares the corpus its parent loaded; summing RSS counts those pages twice)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise OSError(f"no Pss for {pid}")


def add_account(users_file: Path) -> None:
    subprocess.run([sys.executable, "-m", "confarchive", "users", "add", ACCOUNT, "--users-file", str(users_file),
                    "--password-stdin"], input=PASSWORD + "\n", text=True, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)


@contextmanager
def server(corpus_dir: Path, index_dir: Path, users_file: Path, threads: int = 4,
           start_timeout: float = 900.0) -> Iterator[subprocess.Popen]:
    """`confarchive serve` on a free port with the given account file; stopped on exit."""
    port = measure.free_port()
    env = dict(os.environ, CONFARCHIVE_USERS=str(users_file))
    command = [sys.executable, "-m", "confarchive", "serve", "--corpus", str(corpus_dir), "--index", str(index_dir),
               "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
    log_file = open(index_dir.parent / "server.log", "ab")  # the scenario's own folder
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    proc.port = port  # type: ignore[attr-defined]
    try:
        measure._wait_ready(port, proc, start_timeout)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log_file.close()


def warm_up(browser: Browser, talk: str, cpu, limit_s: float = 600.0) -> float:
    """Open an edit page and search, then wait until the server is idle (its background loading done).

    Idle: under 0.1 s of server CPU in 2 s. Returns the seconds this took (capped at limit_s).
    """
    started = time.perf_counter()
    browser.request(f"/curate/talks/{talk}/edit")
    browser.request("/api/search?q=data")
    while time.perf_counter() - started < limit_s:
        before = cpu()
        time.sleep(2.0)
        if cpu() - before < 0.1:
            break
    return time.perf_counter() - started


def scenario(name: str, talks: list[str], corpus_dir: Path, index_dir: Path, work: Path, seed: int,
             timeout: float, log=print) -> dict:
    """Copies of corpus and index in work/name, a fresh server, the saves in order; figures as plain data."""
    folder = work / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(corpus_dir, corpus, symlinks=True)
    shutil.copytree(index_dir, index, symlinks=True)
    users_file = folder / "users.json"
    add_account(users_file)
    rng = Random(seed)
    saves: list[dict] = []
    started_server = time.perf_counter()
    with server(corpus, index, users_file) as proc:
        ready_s = time.perf_counter() - started_server
        browser = Browser(proc.port)  # type: ignore[attr-defined]
        browser.sign_in(ACCOUNT, PASSWORD)
        cpu = measure.process_cpu(proc.pid)
        settle_s = warm_up(browser, talks[0], cpu)
        before = {"rss_mb": measure.rss_mb(proc.pid), "tree_rss_mb": tree_rss_mb(proc.pid), "cpu_s": cpu(),
                  "load_average": os.getloadavg()[0]}
        for i, talk in enumerate(talks):
            word = "zqx" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9))
            result = one_save(browser, talk, word, timeout)
            result["n"] = i + 1
            saves.append(result)
            log(f"  {name} save {i + 1}/{len(talks)}: " + (f"{result['searchable_s']:.2f}s" if "searchable_s" in result
                                                          else result["error"]))
            if "error" in result:
                break
        after = {"rss_mb": measure.rss_mb(proc.pid), "tree_rss_mb": tree_rss_mb(proc.pid), "cpu_s": cpu(),
                 "load_average": os.getloadavg()[0]}
    tail = ""
    if any("error" in s for s in saves):
        tail = (folder / "server.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    shutil.rmtree(folder, ignore_errors=True)
    return {"scenario": name, "server_ready_s": ready_s, "settle_s": settle_s, "saves": saves, "before": before,
            "after": after, "server_log_tail": tail,
            **summary(saves)}


def summary(saves: list[dict]) -> dict:
    times = [s["searchable_s"] for s in saves if "searchable_s" in s]
    return {"ok": len(times), "failed": len(saves) - len(times),
            "p50_s": measure.percentile(times, 50), "p95_s": measure.percentile(times, 95),
            "max_s": max(times) if times else float("nan")}


def run_edits(corpus_dir: Path, index_dir: Path, saves: int = 20, timeout: float = 900.0, seed: int = 16,
              work: Path | None = None, log=print) -> dict:
    """Both scenarios: `saves` saves of one talk, then `saves` saves of different talks."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    ids = talk_ids(corpus_dir)
    rng = Random(seed)
    stride = max(1, len(ids) // max(saves, 1))  # ids sort by conference: spread over the archive
    offset = rng.randrange(stride)
    different = [ids[(offset + i * stride) % len(ids)] for i in range(min(saves, len(ids)))]
    same = [ids[len(ids) // 2]] * saves
    temp = Path(tempfile.mkdtemp(prefix="confarchive-edits-", dir=work))
    try:
        return {"saves_per_scenario": saves, "timeout_s": timeout, "poll_s": POLL_S,
                "reindex_delay_env": os.environ.get("CONFARCHIVE_REINDEX_DELAY", "(default)"),
                "same_talk": scenario("same talk", same, corpus_dir, index_dir, temp, seed, timeout, log),
                "different_talks": scenario("different talks", different, corpus_dir, index_dir, temp, seed + 1,
                                            timeout, log)}
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="corpus folder (copied; never modified)")
    parser.add_argument("--index", required=True, help="its built index folder (copied; never modified)")
    parser.add_argument("--saves", type=int, default=20, help="saves per scenario")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds one save may take to be searchable")
    parser.add_argument("--work", help="where the copies go (default: the system's temp folder)")
    parser.add_argument("--out", help="write the figures here as JSON")
    args = parser.parse_args(argv)
    result = run_edits(Path(args.corpus), Path(args.index), args.saves, args.timeout,
                       work=Path(args.work) if args.work else None)
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
