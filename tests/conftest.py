"""Shared fixtures: the shipped corpus, a copy to break, a built index, the app, its client and the CLI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import load_corpus
from indexer import build_index
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus():
    """The shipped corpus, loaded once; tests must not change it."""
    return load_corpus(SHIPPED_CORPUS)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of the shipped corpus that a test may edit or break."""
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target)
    return target


SMALL_TALKS = ("dngc-2025-s2-james-buchanan", "dngc-2025-s2-bodil-orkild", "dngc-2025-s2-tine-jess")
SMALL_SPEAKERS = ("james-buchanan", "bodil-orkild", "tine-jess")


def copy_small_corpus(target: Path) -> Path:
    """Copy the shipped corpus to target, keeping only three Session 2 talks and their speakers.

    The files kept are unchanged, so line numbers in messages are those of the shipped files.
    """
    def skip(folder: str, names: list[str]) -> list[str]:
        if Path(folder).name not in ("talks", "speakers"):
            return []
        return [n for n in names if n.endswith(".md") and Path(n).stem not in (*SMALL_TALKS, *SMALL_SPEAKERS)]

    shutil.copytree(SHIPPED_CORPUS, target, ignore=skip)
    return target


@pytest.fixture(scope="session")
def copy_small(tmp_path_factory):
    """copy_small() -> a fresh small corpus copy (see copy_small_corpus), for module-scoped fixtures."""
    return lambda: copy_small_corpus(tmp_path_factory.mktemp("small") / "corpus")


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A private copy of the corpus cut down to three talks (see copy_small_corpus): quick to load and build."""
    return copy_small_corpus(tmp_path / "corpus")


# --- index, app, client, CLI runner and a live server -------------------------------------------

@pytest.fixture(scope="session")
def index_dir(corpus, tmp_path_factory) -> Path:
    """The shipped corpus built once into a private index folder; tests must not rebuild it."""
    root = tmp_path_factory.mktemp("index")
    build_index(corpus, root)
    return root


def make_app(index: Path, corpus_dir: Path = SHIPPED_CORPUS):
    """An app in testing mode over the given index and corpus folders."""
    return create_app({"TESTING": True, "INDEX_DIR": str(index), "CORPUS_DIR": str(corpus_dir)})


@pytest.fixture(scope="session")
def app_for():
    """app_for(index_dir, corpus_dir=shipped) -> a testing app over another index (missing, hostile, ...)."""
    return make_app


@pytest.fixture(scope="session")
def app(index_dir):
    """One app over the shipped index for the whole run: it only reads, and its templates compile once."""
    return make_app(index_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    """A click runner for the `confarchive` group: runner.invoke(confarchive.cli.main, [...])."""
    return CliRunner()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def confarchive_cmd() -> list[str]:
    """The command line that starts the installed `confarchive` script."""
    return confarchive_command()


def confarchive_command() -> list[str]:
    """The installed `confarchive` script of this environment (or `python -m confarchive`)."""
    script = Path(sys.executable).parent / "confarchive"
    return [str(script)] if script.exists() else [sys.executable, "-m", "confarchive"]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"confarchive serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except urllib.error.HTTPError as exc:
            exc.close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"confarchive serve did not answer within {timeout}s:\n{log.read_text()}")


@dataclass
class LiveServer:
    url: str  # base URL, no trailing slash
    index: Path  # the index folder it built on first run
    log_path: Path  # its stderr

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real `confarchive serve` (waitress) in a subprocess, on a free port, over an empty index folder.

    Yields a LiveServer; the process is terminated at the end of the run.
    """
    index = tmp_path_factory.mktemp("live-index") / "index"
    log = tmp_path_factory.mktemp("live-log") / "serve.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFARCHIVE_")}
    command = [*confarchive_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--index", str(index), "--corpus", str(SHIPPED_CORPUS)]
    with open(log, "wb") as err:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
    server = LiveServer(f"http://127.0.0.1:{port}", index, log)
    try:
        _wait_until_up(server.url + "/", process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
