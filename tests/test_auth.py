"""Signing in to the web editor: accounts, CSRF, throttled failures, expiring sessions, and `confarchive users`."""

from __future__ import annotations

import json
import stat
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from archive.users import UserError, UserStore
from confarchive.cli import main as cli_main
from curation_support import (PASSWORD, TALK, TALK_FILE, clone_env, csrf_of, edit_url, flashes, form_fields,
                              login, make_app, make_env, text)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_env(tmp_path_factory.mktemp("auth"))


@pytest.fixture
def env(template, tmp_path):
    return clone_env(template, tmp_path)


@pytest.fixture
def app(env):
    return make_app(env, LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=60)


@pytest.fixture
def client(app):
    return app.test_client()


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    fake = FakeClock()
    app.extensions["confarchive.login_throttle"].clock = fake
    return fake


# --- sign-in required ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/curate/", "/curate/quality", edit_url(), edit_url("speakers", "james-buchanan"),
                                  f"/curate/talks/{TALK}/history"])
def test_curation_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/curate/login?next={path}"


@pytest.mark.parametrize("path", [edit_url(), f"/curate/talks/{TALK}/revert", "/curate/logout"])
def test_writes_without_sign_in_go_to_the_login_and_change_nothing(client, env, path):
    before = env.read()
    response = client.post(path, data={"body": "overwritten", "title": "x", "base_hash": "", "action": "save"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/curate/login"
    assert env.read() == before
    assert env.history_files() == []


@pytest.mark.parametrize("path", ["/", "/search?q=data", "/api/search?q=data", f"/talks/{TALK}", f"/api/talks/{TALK}"])
def test_public_pages_stay_open(client, path):
    assert client.get(path).status_code == 200


def test_nav_links_to_curation_only_when_signed_in(client):
    assert 'href="/curate/">Curate</a>' not in client.get("/").get_data(as_text=True)
    token = csrf_of(client.get("/curate/login").get_data(as_text=True))
    client.post("/curate/login", data={"csrf_token": token, "name": "alice", "password": PASSWORD})
    assert 'href="/curate/">Curate</a>' in client.get("/").get_data(as_text=True)


def test_sign_in_then_pages_open_and_redirect_to_next(client):
    token = csrf_of(client.get("/curate/login?next=/curate/quality").get_data(as_text=True))
    response = client.post("/curate/login", data={"csrf_token": token, "name": "alice", "password": PASSWORD,
                                                  "next": "/curate/quality"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/curate/quality"
    page = client.get("/curate/").get_data(as_text=True)
    assert "Signed in as <strong>alice</strong>" in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/curate", "/search", "/curate\\..\\x"])
def test_sign_in_never_redirects_off_the_editor(client, target):
    token = csrf_of(client.get("/curate/login").get_data(as_text=True))
    response = client.post("/curate/login", data={"csrf_token": token, "name": "alice", "password": PASSWORD,
                                                  "next": target})
    assert response.headers["Location"] == "/curate/"


def test_login_page_says_how_to_create_the_first_account(tmp_path, env):
    env.users.unlink()
    page = make_app(env).test_client().get("/curate/login").get_data(as_text=True)
    assert "No librarian accounts exist yet" in page
    assert "confarchive users add NAME" in page


# --- CSRF ----------------------------------------------------------------------------------------

def test_login_without_csrf_token_is_400(client):
    client.get("/curate/login")
    response = client.post("/curate/login", data={"name": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert "security token is missing or out of date" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_write_with_missing_or_wrong_csrf_token_is_400_and_changes_nothing(client, env, token):
    login(client)
    data = form_fields(client.get(edit_url()).get_data(as_text=True), edit_url())
    data.update(body="overwritten", action="save")
    del data["csrf_token"]
    if token is not None:
        data["csrf_token"] = token
    before = env.read()
    response = client.post(edit_url(), data=data)
    assert response.status_code == 400
    assert env.read() == before
    assert env.history_files() == []


def test_logout_needs_post_and_token(client):
    login(client)
    assert client.get("/curate/logout").status_code == 405
    assert client.post("/curate/logout").status_code == 400
    page = client.get("/curate/").get_data(as_text=True)
    response = client.post("/curate/logout", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303
    assert client.get("/curate/").status_code == 303


def test_token_changes_when_signing_in(client):
    before = csrf_of(client.get("/curate/login").get_data(as_text=True))
    login(client)
    assert csrf_of(client.get("/curate/").get_data(as_text=True)) != before


# --- wrong passwords and throttling --------------------------------------------------------------

def test_wrong_password_is_refused_with_a_message(client):
    response = login(client, password="not the password")
    assert response.status_code == 401
    assert "Wrong account name or password." in response.get_data(as_text=True)
    assert client.get("/curate/").status_code == 303


def test_unknown_account_gets_the_same_message(client):
    response = login(client, name="mallory")
    assert response.status_code == 401
    assert "Wrong account name or password." in response.get_data(as_text=True)


def test_failed_logins_lock_the_account_from_that_address_for_a_growing_delay(client, clock):
    assert [login(client, password="guess").status_code for _ in range(2)] == [401, 401]
    third = login(client, password="guess")
    assert third.status_code == 401
    assert "Too many failed sign-ins for 'alice' from your address: wait 60 seconds" in text(third)
    locked = login(client)  # even the right password waits
    assert locked.status_code == 429
    assert "wait 60 seconds" in text(locked)
    clock.now += 61
    fourth = login(client, password="guess")
    assert "wait 120 seconds" in text(fourth)
    clock.now += 30
    assert "wait 90 seconds" in text(login(client))
    clock.now += 91
    assert login(client).status_code == 303


def test_lockout_is_per_account_and_address(client, clock):
    for _ in range(3):
        login(client, password="guess")
    assert login(client).status_code == 429
    assert login(client, name="bob").status_code == 303
    other = client.application.test_client()
    assert login(other, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 303


def test_success_resets_the_failure_count(client, clock):
    for _ in range(2):
        login(client, password="guess")
    assert login(client).status_code == 303
    client.post("/curate/logout", data={"csrf_token": csrf_of(client.get("/curate/").get_data(as_text=True))})
    for _ in range(2):
        assert login(client, password="guess").status_code == 401


# --- sessions ------------------------------------------------------------------------------------

def test_session_cookie_is_httponly_lax_and_expires_in_eight_hours(client):
    response = login(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert abs(expires - (datetime.now(timezone.utc) + timedelta(hours=8))) < timedelta(minutes=1)


def test_a_request_that_changes_nothing_in_the_session_sends_no_cookie(client):
    """A status poll in flight during a save must not put back the session from before it: a browser takes the
    last cookie it receives, and the save's message ("Saved", "Restored ...") lives in the session."""
    login(client)
    client.get("/curate/")  # the page's form token is made and kept once
    for path in ("/curate/indexing/status?id=" + TALK, "/curate/", edit_url()):
        response = client.get(path)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers, path


def test_secure_cookie_can_be_switched_on(env, monkeypatch):
    monkeypatch.setenv("CONFARCHIVE_SECURE_COOKIES", "1")
    client = make_app(env).test_client()
    assert "Secure" in login(client).headers["Set-Cookie"]


def test_an_expired_session_is_signed_out(client):
    login(client)
    with client.session_transaction() as session:
        session["signed_in_at"] = time.time() - 8 * 3600 - 5
    response = client.get("/curate/")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session has expired; please sign in again." in flashes(page)
    assert client.get("/curate/").status_code == 303


def test_session_lifetime_is_configurable(env):
    client = make_app(env, PERMANENT_SESSION_LIFETIME=timedelta(seconds=1)).test_client()
    login(client)
    assert client.get("/curate/").status_code == 200
    time.sleep(1.2)
    assert client.get("/curate/").status_code == 303


def test_removing_an_account_ends_its_sessions(client, env):
    login(client)
    UserStore(env.users).remove("alice")
    assert client.get("/curate/").status_code == 303


def test_get_requests_never_write(client, env):
    login(client)
    before = env.read()
    for path in (edit_url(), f"/curate/talks/{TALK}/history", "/curate/quality", "/curate/"):
        assert client.get(path).status_code == 200
    assert env.read() == before
    assert not (env.corpus / ".history").exists()


# --- the account store ---------------------------------------------------------------------------

def test_store_keeps_hashes_only_in_a_private_file(tmp_path):
    store = UserStore(tmp_path / "users.json")
    store.add("carol", "a long enough secret")
    text = (tmp_path / "users.json").read_text()
    assert "a long enough secret" not in text
    assert json.loads(text)["users"]["carol"]["password"].startswith("scrypt:")
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600
    assert store.verify("carol", "a long enough secret")
    assert not store.verify("carol", "a long enough secreT")
    assert not store.verify("dave", "a long enough secret")


@pytest.mark.parametrize("name, password, message", [
    ("Carol", "a long enough secret", "'Carol' is not a valid account name"),
    ("../x", "a long enough secret", "'../x' is not a valid account name"),
    ("carol", "short", "the password must have at least 10 characters"),
])
def test_store_refuses_bad_names_and_short_passwords(tmp_path, name, password, message):
    with pytest.raises(UserError, match=message.replace(".", r"\.")):
        UserStore(tmp_path / "users.json").add(name, password)


def test_store_refuses_a_taken_name(tmp_path):
    store = UserStore(tmp_path / "users.json")
    store.add("carol", "a long enough secret")
    with pytest.raises(UserError, match="there is already an account called 'carol'"):
        store.add("carol", "another long secret")


def test_a_damaged_account_file_is_reported(tmp_path):
    (tmp_path / "users.json").write_text("{not json")
    with pytest.raises(UserError, match="is not a valid account file"):
        UserStore(tmp_path / "users.json").names()


# --- `confarchive users` -------------------------------------------------------------------------

def test_users_add_prompts_twice_then_list_and_remove(runner, tmp_path):
    path = str(tmp_path / "users.json")
    result = runner.invoke(cli_main, ["users", "add", "carol", "--users-file", path],
                           input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    assert "a long enough secret" not in result.output
    assert f"Added librarian account 'carol' to {path}" in result.output
    assert UserStore(path).verify("carol", "a long enough secret")
    assert runner.invoke(cli_main, ["users", "list", "--users-file", path]).output == "carol\n"
    removed = runner.invoke(cli_main, ["users", "remove", "carol", "--users-file", path])
    assert removed.exit_code == 0
    assert UserStore(path).names() == []


def test_users_add_asks_again_when_the_passwords_differ(runner, tmp_path):
    path = str(tmp_path / "users.json")
    result = runner.invoke(cli_main, ["users", "add", "carol", "--users-file", path],
                           input="a long enough secret\nsomething else!\na long enough secret\na long enough secret\n")
    assert result.exit_code == 0
    assert "Error: The two entered values do not match." in result.output


def test_users_add_reads_stdin(runner, tmp_path):
    path = str(tmp_path / "users.json")
    result = runner.invoke(cli_main, ["users", "add", "carol", "--users-file", path, "--password-stdin"],
                           input="a long enough secret\n")
    assert result.exit_code == 0
    assert UserStore(path).verify("carol", "a long enough secret")


@pytest.mark.parametrize("args, message", [
    (["add", "alice", "--password-stdin"], "Error: there is already an account called 'alice'"),
    (["add", "carol", "--password-stdin"], "Error: the password must have at least 10 characters"),
    (["remove", "zed"], "Error: there is no account called 'zed'"),
])
def test_users_errors_are_clean_messages(runner, env, args, message):
    result = runner.invoke(cli_main, ["users", *args, "--users-file", str(env.users)], input="short\n")
    assert result.exit_code == 1
    assert message in result.output


def test_users_file_defaults_to_the_environment(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("CONFARCHIVE_USERS", str(tmp_path / "from-env.json"))
    result = runner.invoke(cli_main, ["users", "add", "carol", "--password-stdin"], input="a long enough secret\n")
    assert result.exit_code == 0
    assert UserStore(tmp_path / "from-env.json").names() == ["carol"]


def test_signed_in_with_an_account_made_by_the_cli(runner, env):
    runner.invoke(cli_main, ["users", "add", "carol", "--users-file", str(env.users), "--password-stdin"],
                  input="a long enough secret\n")
    client = make_app(env).test_client()
    assert login(client, "carol", "a long enough secret").status_code == 303


def test_talk_file_constant_matches(env):
    assert (env.corpus / TALK_FILE).is_file()
