"""The web editor against a real `confarchive serve` (waitress): edits while searches run, and concurrent edits."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from curation_support import PASSWORD, SHIPPED_CORPUS, csrf_of, form_fields, make_env

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
SEARCHERS = 4
MAX_SEARCHES = 400  # per thread: the loop is bounded even if the edit hangs


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that reports redirects instead of following them."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, dict(exc.headers), exc.read().decode("utf-8")

    def login(self, name: str) -> None:
        _, _, page = self.request("/curate/login")
        status, headers, _ = self.request("/curate/login", {"csrf_token": csrf_of(page), "name": name,
                                                            "password": PASSWORD})
        assert status == 303, f"sign-in as {name} failed"
        assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Lax" in headers["Set-Cookie"]

    def wait_indexed(self, ident: str, timeout: float = 60.0) -> dict:
        """Poll the editor's status until the record's save is indexed (saves return before that)."""
        import json

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = json.loads(self.request(f"/curate/indexing/status?id={ident}")[2])
            if status and status["state"] == "done":
                return status
            time.sleep(0.1)
        raise AssertionError(f"{ident} was not indexed within {timeout}s")

    def form(self, path: str) -> dict:
        status, _, page = self.request(path)
        assert status == 200
        return form_fields(page, path)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command() -> list[str]:
    script = Path(sys.executable).parent / "confarchive"
    return [str(script)] if script.exists() else [sys.executable, "-m", "confarchive"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("editor-server")
    corpus = tmp / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus, ignore=shutil.ignore_patterns(".*"))
    env = make_env(tmp, corpus)
    port = _free_port()
    variables = {k: v for k, v in os.environ.items() if not k.startswith("CONFARCHIVE_")}
    variables.update(CONFARCHIVE_USERS=str(env.users), CONFARCHIVE_SECRET_KEY="server-test-secret")
    log = tmp / "serve.log"
    with open(log, "wb") as err:
        process = subprocess.Popen([*_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--corpus",
                                    str(corpus), "--index", str(env.index)], stdout=subprocess.DEVNULL,
                                   stderr=err, env=variables, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield base, env, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(base: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"confarchive serve exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/api/search?q=data", timeout=2) as response:
                response.read()
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"confarchive serve did not answer:\n{log.read_text()}")


class SearchLoad:
    """Threads that search and fetch records until stopped, recording every failure and every request's time."""

    PATHS = ("/api/search?q=genomic+data", "/search?q=consent", "/api/talks/dngc-2025-s1-qa",
             "/api/search?q=&topic=ethics", "/talks/dngc-2025-s1-qa")

    def __init__(self, base: str):
        self.base, self.stop = base, threading.Event()
        self.failures: list[str] = []
        self.times: list[tuple[float, float]] = []
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(SEARCHERS)]

    def _run(self, number: int) -> None:
        for i in range(MAX_SEARCHES):
            if self.stop.is_set():
                return
            path = self.PATHS[(number + i) % len(self.PATHS)]
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:
                    response.read()
                    if response.status != 200:
                        self.failures.append(f"{path}: {response.status}")
            except Exception as exc:  # noqa: BLE001 - every kind of failure counts
                self.failures.append(f"{path}: {exc!r}")
            self.times.append((started, time.monotonic()))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def _hits(base: str, word: str) -> list[str]:
    import json

    with urllib.request.urlopen(f"{base}/api/search?q={word}", timeout=30) as response:
        return [r["id"] for r in json.loads(response.read())["results"]]


def test_an_edit_under_search_load_fails_no_request_and_is_searchable_soon(server):
    base, env, log = server
    ident, path = "dngc-2025-s1-qa", "/curate/talks/dngc-2025-s1-qa/edit"
    browser = Browser(base)
    browser.login("alice")
    data = browser.form(path)
    data.update(body=data["body"] + "\n\nThe capybara registry was mentioned last.", action="save")
    assert _hits(base, "capybara") == []
    with SearchLoad(base) as load:
        time.sleep(0.5)
        save_started = time.monotonic()
        status, headers, _ = browser.request(path, data)
        save_ended = time.monotonic()
        time.sleep(0.5)
    assert status == 303 and headers["Location"] == path
    assert load.failures == [], f"{len(load.failures)} failed requests: {load.failures[:5]}\n{log.read_text()}"
    during = [t for t in load.times if t[0] < save_ended and t[1] > save_started]
    assert len(during) >= SEARCHERS, "the searches did not overlap the save"
    done = browser.wait_indexed(ident)
    assert done["ok"] and done["message"].startswith("The search index was updated")
    assert _hits(base, "capybara") == [ident]
    _, _, page = browser.request(path)
    assert "Searchable since" in html.unescape(page)
    saved = (env.corpus / "conferences/dngc-2025/talks" / f"{ident}.md").read_text(encoding="utf-8")
    assert saved.endswith("The capybara registry was mentioned last.\n")


def test_two_librarians_on_a_real_server_lose_nothing(server):
    base, env, _ = server
    ident, path = "dngc-2025-s2-tine-jess", "/curate/talks/dngc-2025-s2-tine-jess/edit"
    file = env.corpus / "conferences/dngc-2025/talks" / f"{ident}.md"
    alice, bob = Browser(base), Browser(base)
    alice.login("alice")
    bob.login("bob")
    alices, bobs = alice.form(path), bob.form(path)
    assert alices["base_hash"] == bobs["base_hash"]
    alices.update(body="Alice's summary of the talk.", action="save")
    bobs.update(body="Bob's summary of the talk.", action="save")
    assert alice.request(path, alices)[0] == 303
    status, _, raw = bob.request(path, bobs)
    page = html.unescape(raw)
    assert status == 409
    assert "Alice's summary of the talk." in page and "Bob's summary of the talk." in page
    assert "-<del>Alice's</del> summary of the talk." in page and "+<ins>Bob's</ins> summary of the talk." in page
    assert file.read_text(encoding="utf-8").endswith("---\nAlice's summary of the talk.\n")
    alice.wait_indexed(ident)
    assert _hits(base, "alice's") == [ident]
    retry = form_fields(raw, path)  # the conflict page's form: Bob's text, based on Alice's version
    assert retry["body"] == "Bob's summary of the talk."
    retry.update(body="Alice's summary of the talk. Bob's addition.", action="save")
    assert bob.request(path, retry)[0] == 303
    assert file.read_text(encoding="utf-8").endswith("---\nAlice's summary of the talk. Bob's addition.\n")


def test_writes_on_the_real_server_need_sign_in_and_token(server):
    base, env, _ = server
    path = "/curate/talks/dngc-2025-s4-kym-boycott/edit"
    file = env.corpus / "conferences/dngc-2025/talks/dngc-2025-s4-kym-boycott.md"
    before = file.read_text(encoding="utf-8")
    anonymous = Browser(base)
    status, headers, _ = anonymous.request(path, {"body": "vandalised", "action": "save"})
    assert (status, headers["Location"]) == (303, "/curate/login")
    signed_in = Browser(base)
    signed_in.login("alice")
    data = signed_in.form(path)
    data.update(body="forged", action="save", csrf_token="forged")
    assert signed_in.request(path, data)[0] == 400
    assert file.read_text(encoding="utf-8") == before
