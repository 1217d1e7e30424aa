"""Helpers for the web editor's tests: a corpus copy with an index and accounts, signing in, reading forms."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from archive import load_corpus
from archive.users import UserStore
from indexer import build_index
from webapp import create_app

SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PASSWORD = "correct horse battery"
TALK = "dngc-2025-s2-james-buchanan"
TALK_FILE = f"conferences/dngc-2025/talks/{TALK}.md"
SPEAKER = "james-buchanan"
SESSION = "dngc-2025-s2"
# A few Session 2 talks and their speakers: loads and indexes in well under a second.
SMALL_TALKS = (TALK, "dngc-2025-s2-bodil-orkild", "dngc-2025-s2-tine-jess")
SMALL_SPEAKERS = (SPEAKER, "bodil-orkild", "tine-jess")


@dataclass
class Env:
    corpus: Path
    index: Path
    users: Path

    def read(self, rel: str = TALK_FILE) -> str:
        return (self.corpus / rel).read_text(encoding="utf-8")

    def history_files(self, rel: str = TALK_FILE) -> list[Path]:
        return sorted((self.corpus / ".history" / rel).with_suffix("").glob("*.prev"))


def copy_small_corpus(target: Path) -> Path:
    """The shipped corpus with three talks and their speakers (every session and the conference kept)."""
    talks = Path("conferences") / "dngc-2025" / "talks"
    shutil.copytree(SHIPPED_CORPUS, target, ignore=shutil.ignore_patterns("*.md", ".*"))
    for source in (SHIPPED_CORPUS / "conferences" / "dngc-2025").glob("**/*.md"):
        rel = source.relative_to(SHIPPED_CORPUS)
        if rel.parent != talks or source.stem in SMALL_TALKS:
            shutil.copy(source, target / rel)
    for name in SMALL_SPEAKERS:
        shutil.copy(SHIPPED_CORPUS / "speakers" / f"{name}.md", target / "speakers" / f"{name}.md")
    return target


def make_env(tmp_path: Path, corpus: Path | None = None) -> Env:
    """A corpus (the given copy, else a small one) with a built index and the accounts alice and bob."""
    corpus = corpus or copy_small_corpus(tmp_path / "corpus")
    env = Env(corpus, tmp_path / "index", tmp_path / "instance" / "users.json")
    build_index(load_corpus(corpus), env.index)
    store = UserStore(env.users)
    store.add("alice", PASSWORD)
    store.add("bob", PASSWORD)
    return env


def clone_env(template: Env, tmp_path: Path) -> Env:
    """A private copy of a prepared environment (corpus, built index, accounts): cheaper than building again."""
    env = Env(tmp_path / "corpus", tmp_path / "index", tmp_path / "instance" / "users.json")
    shutil.copytree(template.corpus, env.corpus)
    shutil.copytree(template.index, env.index, ignore=shutil.ignore_patterns("build.lock"))
    env.users.parent.mkdir(parents=True)
    shutil.copy2(template.users, env.users)
    return env


def make_app(env: Env, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "INDEX_DIR": str(env.index),
                       "CORPUS_DIR": str(env.corpus), "USERS_FILE": str(env.users),
                       "REINDEX_DELAY_SECONDS": 0.05, **config})


def settle(client_or_app, timeout: float = 60.0) -> None:
    """Wait until the app's reindexing queue has indexed every save (saves return before that)."""
    app = getattr(client_or_app, "application", client_or_app)
    queue = app.extensions.get("confarchive.index_queue")
    assert queue is None or queue.wait_idle(timeout), "the reindexing did not finish in time"


def index_status(page: str) -> str:
    """The "Search index: ..." line of an editor page, entities decoded ("" when there is none)."""
    found = re.search(r'<span class="index-text">(.*?)</span>', page, re.S)
    return html.unescape(found[1]).strip() if found else ""


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client, name: str = "alice", password: str = PASSWORD, **extra):
    """Sign in through the login form; return the response to the POST."""
    token = csrf_of(client.get("/curate/login").get_data(as_text=True))
    return client.post("/curate/login", data={"csrf_token": token, "name": name, "password": password},
                       **extra)


def edit_url(kind: str = "talks", ident: str = TALK) -> str:
    return f"/curate/{kind}/{ident}/edit"


def form_fields(page: str, action: str) -> dict:
    """The values a browser would submit from the form posting to `action` (checked boxes as lists)."""
    start = page.index(f'action="{action}"')
    form = page[start: page.index("</form>", start)]
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                data.setdefault(name[1], []).append(html.unescape(value[1]))
            continue
        data[name[1]] = html.unescape(value[1]) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(text)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        data[name] = html.unescape(re.search(r'<option value="([^"]*)" selected', options)[1])
    return data


def field_errors(page: str, name: str) -> list[str]:
    """The messages shown next to a form field."""
    block = re.search(rf'<ul class="field-errors" id="f-{name}-errors">(.*?)</ul>', page, re.S)
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", block[1], re.S)] if block else []


def text(response) -> str:
    """A response's page with HTML entities decoded, for matching messages."""
    return html.unescape(response.get_data(as_text=True))


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<li class="flash[^"]*">(.*?)</li>', page, re.S)]
