"""Hostile text in corpus files and queries is never executed; security headers; no path leaves the app.

A copy of the corpus gets script tags, event attributes and javascript: links in every field a page
shows; each page is parsed and must contain no script but the app's own files, no event attribute and
no javascript: URL, while the hostile text still shows, escaped, as text.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from werkzeug.datastructures import Headers

from archive import load_corpus
from confarchive.cli import main as cli_main
from indexer import build_index
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
TALK, SPEAKER, SESSION, TOPIC = "dngc-2025-s2-james-buchanan", "james-buchanan", "dngc-2025-s2", "genomics"
TALK_FILE = f"conferences/dngc-2025/talks/{TALK}.md"

TITLE = 'Data <script>alert("title")</script> & <img src=x onerror=alert(2)> sharing'
NAME = "James <script>alert(14)</script> Buchanan"
BYLINE = ['James "Jim" O\'Buchanan <b onmouseover=alert(3)>', '"><script>alert(31)</script>']
ORGANISATION = '"><script>alert(16)</script>'
SESSION_TITLE = "Infrastructure <script>alert(19)</script>"
TOPIC_LABEL = "Genomics <script>alert(20)</script>"
BODY = """Genomics data sharing <script>alert(7)</script> in clinics.

<img src=x onerror=alert(8)>

[click me](javascript:alert(9)) and [fine](https://example.org) and <a href="JaVaScRiPt:alert(10)">raw</a>.

<div onclick="alert(11)">div</div> <style>body {}</style> <iframe src="https://example.org"></iframe>

Hostile code: `<script>alert(12)</script>` stays text.

![picture](javascript:alert(13)) <svg onload=alert(21)></svg> <object data="x.swf"></object>
"""
BIO = "A bio <script>alert(17)</script> with [a link](javascript:alert(18)) and <b onclick=alert(22)>bold</b>."
PURPOSE = "The purpose <img src=x onerror=alert(23)> of [the session](javascript:alert(24))."
INTRODUCTION = "Welcome <script>alert(25)</script> to <a href='javascript:alert(26)'>the conference</a>."
HOSTILE_TEXTS = [TITLE, NAME, ORGANISATION, SESSION_TITLE, TOPIC_LABEL, *BYLINE]

HOSTILE_QUERIES = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)",
                   'javascript:alert(1)', 'speaker:"<script>alert(1)</script>"', 'topic:"<b onclick=alert(1)>"',
                   'genomcs <script>alert(1)</script>', '</title><script>alert(1)</script>', '"data <script>"']


# --- a corpus copy full of hostile text, its index, the app and a real server --------------------

def _edit(path: Path, body: str | None = None, **fields) -> None:
    """Set front-matter fields (and optionally the body) of a corpus file."""
    _, front, rest = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front)
    meta.update(fields)
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    text = f"---\n{dumped}---\n" + (body if body is not None else rest)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("hostile") / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    _edit(corpus / TALK_FILE, body=BODY, title=TITLE, byline=BYLINE, question="<iframe src=javascript:alert(4)>",
          abstract='<a href="javascript:alert(5)">abstract</a>', notes="<svg onload=alert(6)>",
          topics={"add": [TOPIC], "remove": []})
    speaker = corpus / "speakers" / f"{SPEAKER}.md"
    appearance = yaml.safe_load(speaker.read_text(encoding="utf-8").split("---\n")[1])["appearances"][0]
    appearance.update(role="Lecturer <img src=x onerror=alert(15)>", organisation=ORGANISATION,
                      organisations=[ORGANISATION])
    _edit(speaker, body=BIO + "\n", name=NAME, appearances=[appearance])
    _edit(corpus / "conferences" / "dngc-2025" / "sessions" / f"{SESSION}.md", body=PURPOSE + "\n", title=SESSION_TITLE)
    _edit(corpus / "conferences" / "dngc-2025" / "conference.md", body=INTRODUCTION + "\n")
    taxonomy = corpus / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace("label: Genomics", f"label: '{TOPIC_LABEL}'", 1),
                        encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def hostile_index(hostile_corpus, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile-index") / "index"
    build_index(load_corpus(hostile_corpus), root)
    return root


@pytest.fixture(scope="module")
def client(hostile_index, hostile_corpus):
    app = create_app({"TESTING": True, "INDEX_DIR": str(hostile_index), "CORPUS_DIR": str(hostile_corpus)})
    return app.test_client()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(hostile_index, hostile_corpus, tmp_path_factory):
    """`confarchive serve` (waitress) on a free loopback port over the hostile index; yields (host, port)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    script = Path(sys.executable).parent / "confarchive"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "confarchive"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFARCHIVE_", "FLASK_"))}
    with open(log, "wb") as err:
        process = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--index",
                                    str(hostile_index), "--corpus", str(hostile_corpus)], stdout=subprocess.DEVNULL,
                                   stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/about", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("confarchive serve did not start:\n" + log.read_text())
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def raw_get(server, path: str) -> tuple[int, Headers, bytes]:
    """GET exactly this path (no normalising client in between)."""
    connection = http.client.HTTPConnection(*server, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, Headers(response.getheaders()), response.read()
    finally:
        connection.close()


# --- what "safe HTML" means here -----------------------------------------------------------------

DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}  # the app draws its own <svg>
DATA_SCRIPTS = {"application/ld+json", "application/json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background"}


class SafetyCheck(HTMLParser):
    """Collect everything in a page that could run script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.values: dict[str, list[str]] = {}
        self._in_script = self._in_data = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self._in_script = attributes.get("type") not in DATA_SCRIPTS
            if self._in_script and not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"script that is not one of the app's files: {attrs}")
            self._in_data = not self._in_script
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("meta refresh")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event attribute {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                scheme = "".join(c for c in value if c.isprintable() and not c.isspace()).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "value":
                self.values.setdefault(attributes.get("name") or attributes.get("id") or tag, []).append(value or "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = self._in_data = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")
        elif self._in_data:
            json.loads(data)  # structured data such as JSON-LD: must stay one JSON value, with < escaped
            if "<" in data:
                self.problems.append(f"unescaped < in a data script: {data[:80]!r}")
        else:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def check_page(response) -> SafetyCheck:
    assert response.status_code in (200, 400, 404), response.status_code
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    check = SafetyCheck()
    check.feed(page)
    check.close()
    assert check.problems == []
    assert "<script>alert" not in page and "<img src=x" not in page
    return check


# --- hostile corpus text -------------------------------------------------------------------------

PAGES = {
    "talk": (f"/talks/{TALK}", [TITLE, *BYLINE, "<iframe src=javascript:alert(4)>", "<svg onload=alert(6)>",
                                "<script>alert(12)</script>", NAME, SESSION_TITLE, TOPIC_LABEL]),
    "speaker": (f"/speakers/{SPEAKER}", [NAME, ORGANISATION, "Lecturer <img src=x onerror=alert(15)>", TITLE]),
    "session": (f"/sessions/{SESSION}", [SESSION_TITLE, TITLE, NAME]),
    "search results": ("/search?q=genomics+sharing+alert", [TITLE, NAME]),
    "search snippet": ("/search?q=hostile+code", ["<script>alert(12)</script>"]),
    "organisation chip": ("/search?" + urllib.parse.urlencode({"organisation": ORGANISATION}), [ORGANISATION]),
    "topic page": (f"/topics/{TOPIC}", [TOPIC_LABEL, TITLE]),
    "topics overview": ("/topics", [TOPIC_LABEL]),
    "about": ("/about", []),
    "quotes": ("/quotes?q=hostile+code", ["<script>alert(12)</script>"]),
}


@pytest.mark.parametrize("url, shown", PAGES.values(), ids=PAGES.keys())
def test_hostile_corpus_text_is_escaped_or_sanitised(client, url, shown):
    check = check_page(client.get(url))
    for text in shown:
        assert " ".join(text.split()) in check.text, text  # still there, as text


def test_markdown_links_with_unsafe_schemes_are_dropped(client):
    check = check_page(client.get(f"/talks/{TALK}"))
    assert "click me" in check.text and "raw" in check.text
    assert "JaVaScRiPt" not in client.get(f"/talks/{TALK}").get_data(as_text=True)


@pytest.mark.parametrize("url", [f"/api/talks/{TALK}", f"/api/speakers/{SPEAKER}", f"/api/sessions/{SESSION}",
                                 "/api/search?q=genomics+sharing"])
def test_json_carries_hostile_text_as_data(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    if "results" in data:
        data = next(r for r in data["results"] if r["id"] == TALK)
        assert "<script>" not in data["snippet"]  # snippets are HTML and escaped like the page's
    found = repr(data)
    assert any(text in found or repr(text)[1:-1] in found for text in HOSTILE_TEXTS)


def test_talk_json_has_the_title_exactly_as_written(client):
    data = client.get(f"/api/talks/{TALK}").get_json()
    assert data["title"] == TITLE and data["byline"] == BYLINE
    assert data["speakers"] == [{"id": SPEAKER, "name": NAME}]


@pytest.mark.parametrize("fmt", ["ris", "bib", "txt", "md", "json"])
def test_citation_downloads_are_not_html(client, fmt):
    response = client.get(f"/talks/{TALK}/cite.{fmt}")
    assert response.status_code == 200
    assert response.mimetype != "text/html" and response.headers["X-Content-Type-Options"] == "nosniff"


# --- hostile queries -----------------------------------------------------------------------------

@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_query_is_escaped_on_the_search_page(client, q):
    check = check_page(client.get("/search", query_string={"q": q}))
    assert check.values["q"] == [q]  # the search box holds exactly what was typed
    assert f"for “{q}”" in check.text


@pytest.mark.parametrize("facet", ["topic", "speaker", "session", "organisation", "kind"])
def test_hostile_filter_value_is_escaped_in_chips(client, facet):
    value = '"><script>alert(1)</script><b onclick=alert(2)>'
    check = check_page(client.get("/search", query_string={"q": "data", facet: value}))
    assert value in check.text


@pytest.mark.parametrize("url", ["/talks/<script>alert(1)</script>",
                                 "/speakers/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E",
                                 "/topics/<b onclick=alert(1)>", "/quotes?q=<script>alert(1)</script>"])
def test_hostile_ids_in_error_and_quote_pages_are_escaped(client, url):
    check_page(client.get(url))


def test_hostile_did_you_mean_is_escaped(client):
    check = check_page(client.get("/search", query_string={"q": "genomcs <script>alert(1)</script>", "exact": "1"}))
    assert "Did you mean" in check.text or "Search instead for" in check.text


# --- security headers ----------------------------------------------------------------------------

def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}


def assert_security_headers(headers) -> None:
    csp = _directives(headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    assert csp.get("object-src") == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("no-referrer", "same-origin", "strict-origin",
                                          "strict-origin-when-cross-origin")
    framed = csp.get("frame-ancestors") in (["'none'"], ["'self'"])
    assert framed or headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN")


HEADER_URLS = {"/": 200, "/search?q=data": 200, f"/talks/{TALK}": 200, "/api/search?q=data": 200,
               "/api/talks": 200, "/static/style.css": 200, "/static/enhance.js": 200, "/talks/nope": 404,
               "/api/talks/nope": 404, "/api/nope": 404, "/nope": 404, "/static/nope.js": 404,
               "/api/search?page=0": 400, "/search?per_page=0": 400}


@pytest.mark.parametrize("url, status", HEADER_URLS.items())
def test_security_headers_on_pages_api_errors_and_static_files(client, url, status):
    with client.get(url) as response:  # static files are streamed: close them
        assert response.status_code == status
        assert_security_headers(response.headers)


def test_security_headers_on_405_and_503(client, tmp_path):
    response = client.post("/search")
    assert response.status_code == 405
    assert_security_headers(response.headers)
    empty = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    for url in ("/search?q=data", "/api/search?q=data"):
        response = empty.get(url)
        assert response.status_code == 503
        assert_security_headers(response.headers)


@pytest.mark.parametrize("path", ["/search?q=data", "/static/style.css", "/api/search?q=data", "/nope"])
def test_security_headers_from_the_real_server(server, path):
    status, headers, _ = raw_get(server, path)
    assert status in (200, 404)
    assert_security_headers(headers)


# --- unknown and traversal paths -----------------------------------------------------------------

TRAVERSALS = ["/talks/../../etc/passwd", "/static/../pyproject.toml", "/static/../../../../etc/passwd",
              "/static/%2e%2e/pyproject.toml", "/static/.%2e/.%2e/pyproject.toml", "/static/..%2fpyproject.toml",
              "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/..%5cpyproject.toml", "/static/%252e%252e/pyproject.toml",
              "/api/talks/..%2f..", "/api/talks/..%2f..%2fpyproject.toml", "/api/..%2f..%2fpyproject.toml",
              "/%2e%2e/pyproject.toml", "/talks/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/talks/..", "/api/talks/..",
              "/static/%00", "/static/style.css%00.html", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
              "//etc/passwd", "/pyproject.toml", "/corpus/taxonomy.yaml", "/webapp/__init__.py",
              "/static/../webapp/__init__.py", "/talks/dngc-2025-s2-james-buchanan/../../../etc/passwd"]
SECRETS = (b"root:", b"[build-system]", b"create_app", b"topics:")


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_paths_are_404_never_files(server, path):
    status, headers, body = raw_get(server, path)
    if status in (301, 302, 307, 308):  # werkzeug merges doubled slashes; follow it on this server only
        target = urllib.parse.urlsplit(headers["Location"])
        assert target.netloc in ("", f"{server[0]}:{server[1]}")
        status, headers, body = raw_get(server, target.path + (f"?{target.query}" if target.query else ""))
    assert status == 404, (path, status)
    assert not any(secret in body for secret in SECRETS)


@pytest.mark.parametrize("path", ["/talks/../../etc/passwd", "/static/../pyproject.toml",
                                  "/static/%2e%2e/pyproject.toml",
                                  "/api/talks/..%2f..", "/api/talks/..%2f..%2fpyproject.toml"])
def test_traversal_paths_through_the_test_client(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert not any(secret in response.data for secret in SECRETS)


# --- the production server never runs in debug mode ----------------------------------------------

def _served_app(monkeypatch, index: Path, corpus: Path, env: dict):
    """The app `confarchive serve` would hand to waitress, with waitress replaced by a recorder."""
    import waitress

    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: served.update(app=app, options=options))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli_main, ["serve", "--index", str(index), "--corpus", str(corpus), "--port", "1"])
    assert result.exit_code == 0, result.output
    return served["app"]


def _boom():
    raise ZeroDivisionError("secret detail /etc/shadow")




@pytest.mark.parametrize("env", [{}, {"FLASK_DEBUG": "1"}],
                         ids=["plain environment", "FLASK_DEBUG=1"])
def test_serve_never_runs_in_debug_mode(monkeypatch, hostile_index, hostile_corpus, env):
    app = _served_app(monkeypatch, hostile_index, hostile_corpus, env)
    assert app.debug is False and app.testing is False


@pytest.mark.parametrize("env", [{}, {"FLASK_DEBUG": "1"}], ids=["plain environment", "FLASK_DEBUG=1"])
def test_exception_page_of_the_served_app_shows_no_traceback(monkeypatch, hostile_index, hostile_corpus, env, caplog):
    app = _served_app(monkeypatch, hostile_index, hostile_corpus, env)
    app.add_url_rule("/boom", view_func=_boom)
    app.add_url_rule("/api/boom", view_func=_boom, endpoint="api_boom")
    for url in ("/boom", "/api/boom"):
        response = app.test_client().get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "An unexpected error occurred; it has been logged." in body
        assert "Traceback" not in body and "ZeroDivisionError" not in body and "/etc/shadow" not in body
        assert_security_headers(response.headers)
    assert "ZeroDivisionError" in caplog.text  # logged for the operator instead
