"""Browser fixtures: the real `confarchive serve` and Debian's Chromium driven by Playwright.

Every test in this folder is skipped, with the reason, when /usr/bin/chromium or the playwright
package is missing; a curation server that cannot be set up fails its tests. Playwright never downloads a browser here: it drives the system Chromium.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # a phone in portrait (issue 15's measurements)
TIMEOUT_MS = 10_000

# Collects Content-Security-Policy violations in the page (an init script is not subject to the CSP).
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                              " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip this folder's tests, saying why, when the browser or its driver is missing."""
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=f"browser tests need Chromium and Playwright: {reason}"))


# --- the servers ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _program() -> list[str]:
    script = Path(sys.executable).parent / "confarchive"
    return [str(script)] if script.exists() else [sys.executable, "-m", "confarchive"]


def _serve_command(port: int, index: Path, corpus: Path) -> list[str]:
    return [*_program(), "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index),
            "--corpus", str(corpus)]


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    """Poll the server until it answers; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"confarchive serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"confarchive serve did not answer within {timeout:.0f}s:\n{log.read_text()}")


@dataclass
class Server:
    url: str
    workdir: Path


def _start(workdir: Path, corpus: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    log = workdir / "serve.log"
    port = _free_port()
    with open(log, "wb") as err:
        process = subprocess.Popen(_serve_command(port, workdir / "index", corpus), stdout=subprocess.DEVNULL,
                                   stderr=err, env=env, cwd=workdir)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/about", process, log)
    except BaseException:
        _stop(process)
        raise
    return process, url


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CONFARCHIVE_")}


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> str:
    """Base URL (no trailing slash) of `confarchive serve` over the shipped corpus and a fresh index it
    builds on first run. Read-only: tests that edit records use `curate_server`."""
    if _missing():
        pytest.skip(_missing())
    process, url = _start(tmp_path_factory.mktemp("browser-server"), CORPUS, _clean_env())
    yield url
    _stop(process)


LIBRARIAN = ("librarian", "correct horse battery staple")


@pytest.fixture(scope="session")
def curate_server(tmp_path_factory) -> Server:
    """A second server over a private copy of the corpus, with one librarian account (LIBRARIAN)."""
    if _missing():
        pytest.skip(_missing())
    workdir = tmp_path_factory.mktemp("browser-curate")
    corpus = workdir / "corpus"
    shutil.copytree(CORPUS, corpus)
    env = {**_clean_env(), "CONFARCHIVE_USERS": str(workdir / "users.json"),
           "CONFARCHIVE_HISTORY": str(workdir / "history"),
           "CONFARCHIVE_REINDEX_DELAY": "3"}  # saves a few seconds apart are indexed together
    name, password = LIBRARIAN
    added = subprocess.run([*_program(), "users", "add", name, "--password-stdin"], input=password + "\n",
                           capture_output=True, text=True, env=env, cwd=workdir, timeout=60)
    if added.returncode != 0:  # a failure, not a skip: the editor exists, so its tests must run
        pytest.fail(f"cannot create a librarian account: {added.stderr.strip()[-300:]}")
    process, url = _start(workdir, corpus, env)
    yield Server(url, workdir)
    _stop(process)


# --- the browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, with no background networking.

    `launch()` gives Chromium a fresh temporary profile folder of its own and removes it on close.
    """
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class PageLog:
    """What a page reported: console errors (failed loads among them) and uncaught exceptions."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(
            f"{m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))


def _new_page(browser, base_url: str, log: PageLog, viewport: dict = VIEWPORT, **options):
    context = browser.new_context(base_url=base_url, viewport=viewport, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    log.attach(page)
    return context, page


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, server_url, page_log):
    """A page in a fresh browser context (1280x900) whose relative URLs go to the server."""
    context, new_page = _new_page(browser, server_url, page_log)
    yield new_page
    context.close()


@pytest.fixture
def phone_page(browser, server_url, page_log):
    """A page on a 390x844 touch screen (a phone in portrait)."""
    context, new_page = _new_page(browser, server_url, page_log, viewport=PHONE, has_touch=True, is_mobile=True)
    yield new_page
    context.close()


@pytest.fixture
def nojs_phone_page(browser, server_url, page_log):
    """A phone-sized page with JavaScript turned off."""
    context, new_page = _new_page(browser, server_url, page_log, viewport=PHONE, has_touch=True, is_mobile=True,
                                  java_script_enabled=False)
    yield new_page
    context.close()


@pytest.fixture
def librarian() -> tuple[str, str]:
    """Name and password of the curation server's account."""
    return LIBRARIAN


@pytest.fixture
def curate_page(browser, curate_server, page_log):
    """A page whose relative URLs go to the curation server (which must answer /curate/login)."""
    urllib.request.urlopen(curate_server.url + "/curate/login", timeout=10).close()  # raises on 404: a failure
    context, new_page = _new_page(browser, curate_server.url, page_log)
    yield new_page
    context.close()


def sign_in(page, librarian) -> None:
    """Sign in through the login form and land on the records list."""
    page.goto("/curate/login")
    page.get_by_label("Account name").fill(librarian[0])
    page.get_by_label("Password").fill(librarian[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/curate/?$"))


@pytest.fixture
def signed_in_page(curate_page, librarian):
    """The curation page after signing in as the librarian (on the records list)."""
    sign_in(curate_page, librarian)
    return curate_page


PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=["desktop", "phone"])
def sized_signed_in_page(request, browser, curate_server, page_log, librarian):
    """A signed-in curation page at desktop size (1280x900) and at phone size (390x844, touch)."""
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if request.param == "phone" else {}
    context, new_page = _new_page(browser, curate_server.url, page_log, **options)
    sign_in(new_page, librarian)
    yield new_page
    context.close()


@pytest.fixture
def nojs_signed_in_page(browser, curate_server, page_log, librarian):
    """A signed-in curation page with JavaScript turned off."""
    context, new_page = _new_page(browser, curate_server.url, page_log, java_script_enabled=False)
    sign_in(new_page, librarian)
    yield new_page
    context.close()


@pytest.fixture
def anonymous_curate_page(browser, curate_server, page_log):
    """A page on the curation server with nobody signed in (for the public pages there)."""
    context, new_page = _new_page(browser, curate_server.url, page_log)
    yield new_page
    context.close()


@pytest.fixture
def nojs_page(browser, server_url, page_log):
    """A page in a fresh context with JavaScript turned off: the site must work without enhance.js."""
    context, new_page = _new_page(browser, server_url, page_log, java_script_enabled=False)
    yield new_page
    context.close()


# --- reading the pages ----------------------------------------------------------------------------

HEADING_COUNT = re.compile(r"^\s*(\d+) (?:results?|records?|quotes?)\b")


@pytest.fixture
def ui():
    """Small readers of the search page shared by the tests."""
    return SearchPage


class SearchPage:
    @staticmethod
    def total(page) -> int:
        """The count in the results heading ("12 results for …", "68 records in the archive")."""
        text = page.locator("#results-heading").inner_text()
        match = HEADING_COUNT.match(text)
        assert match, f"no count in the results heading: {text!r}"
        return int(match.group(1))

    @staticmethod
    def facet_link(page, facet: str, label: str):
        """The sidebar link of one facet value, found by its visible label."""
        exact = re.compile(rf"^{re.escape(label)}$")
        return page.locator(f'section.facet[aria-labelledby="facet-{facet}"] li a').filter(
            has=page.locator(".label", has_text=exact))

    @staticmethod
    def facet_count(page, facet: str, label: str) -> int:
        return int(SearchPage.facet_link(page, facet, label).locator(".count").inner_text())

    @staticmethod
    def chips(page) -> list[str]:
        """The visible text of each active filter chip (without "Clear all filters")."""
        return [c.strip().rstrip("×").strip()
                for c in page.locator("ul.chips a.chip:not(.clear)").all_inner_texts()]

    @staticmethod
    def titles(page) -> list[str]:
        return [t.strip() for t in page.locator("ol.result-list li.result h2").all_inner_texts()]

    @staticmethod
    def query_pairs(page) -> list[tuple[str, str]]:
        """The current URL's query string as (name, value) pairs, in order."""
        return parse_qsl(urlsplit(page.url).query)
