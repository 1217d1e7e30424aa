"""Sessions end on the server: a cookie copied before sign-out, a password change or an account removal is
refused for reads and writes; parallel guesses cannot beat the sign-in limit; `next` and ids are validated;
cookie flags."""

from __future__ import annotations

import threading

import pytest

from archive.users import UserStore
from confarchive.cli import main as cli_main
from curation_support import PASSWORD, clone_env, csrf_of, edit_url, form_fields, login, make_app, make_env, text


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_env(tmp_path_factory.mktemp("sessions"))


@pytest.fixture
def env(template, tmp_path):
    return clone_env(template, tmp_path)


@pytest.fixture
def app(env):
    return make_app(env, LOGIN_MAX_FAILURES=5, LOGIN_LOCKOUT_SECONDS=60)


def signed_in(app):
    """A client signed in as alice, with the edit form's fields (CSRF token included) it would post."""
    client = app.test_client()
    assert login(client).status_code == 303
    fields = form_fields(text(client.get(edit_url())), edit_url())
    return client, fields


def copy_of(app, client):
    """Another browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def assert_refused(thief, env, fields) -> None:
    before = env.read()
    read = thief.get(edit_url())
    assert read.status_code == 303 and read.headers["Location"].startswith("/curate/login")
    write = thief.post(edit_url(), data={**fields, "body": "stolen", "action": "save"})
    assert write.status_code == 303 and write.headers["Location"].startswith("/curate/login")
    assert env.read() == before and env.history_files() == []


def test_a_copied_cookie_works_while_signed_in(app, env):
    client, fields = signed_in(app)
    assert copy_of(app, client).get(edit_url()).status_code == 200


def test_a_cookie_copied_before_sign_out_is_refused(app, env):
    client, fields = signed_in(app)
    thief = copy_of(app, client)
    response = client.post("/curate/logout", data={"csrf_token": fields["csrf_token"]})
    assert response.status_code == 303
    assert_refused(thief, env, fields)


def test_sign_out_ends_the_other_browsers_sessions_too(app, env):
    first, _ = signed_in(app)
    second, fields = signed_in(app)
    first.post("/curate/logout", data={"csrf_token": csrf_of(text(first.get("/curate/")))})
    assert_refused(second, env, fields)


@pytest.mark.parametrize("change", ["password", "removal", "removal and a new account of that name", "cli sign-out"])
def test_password_change_or_removal_ends_sessions(app, env, runner, change):
    client, fields = signed_in(app)
    store = UserStore(env.users)
    if change == "password":
        store.set_password("alice", "another long password")
    elif change == "cli sign-out":
        result = runner.invoke(cli_main, ["users", "sign-out", "alice", "--users-file", str(env.users)])
        assert result.exit_code == 0 and "Ended every session of 'alice'." in result.output
    else:
        store.remove("alice")
        if change != "removal":
            store.add("alice", PASSWORD)
    assert_refused(client, env, fields)


def test_cli_password_change(env, runner):
    result = runner.invoke(cli_main, ["users", "password", "alice", "--users-file", str(env.users), "--password-stdin"],
                           input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert UserStore(env.users).verify("alice", "a brand new password")
    assert not UserStore(env.users).verify("alice", PASSWORD)


def test_parallel_wrong_passwords_check_at_most_the_limit(app, monkeypatch):
    checked, guard = [], threading.Lock()
    real = UserStore.verify

    def counting(self, name, password):
        with guard:
            checked.append(password)
        return real(self, name, password)

    monkeypatch.setattr(UserStore, "verify", counting)
    start = threading.Barrier(40)
    statuses = []

    def guess(n: int) -> None:
        client = app.test_client()
        token = csrf_of(text(client.get("/curate/login")))
        start.wait()
        response = client.post("/curate/login", data={"csrf_token": token, "name": "alice", "password": f"guess {n}"})
        with guard:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) <= 5 and len(statuses) == 40
    assert set(statuses) <= {401, 429} and statuses.count(429) >= 35


@pytest.mark.parametrize("target", ["/curate/\r\nSet-Cookie: evil=1", "/curate/\nx", "//evil.example/curate",
                                    "https://evil.example/curate/", "/curate\\..\\x", "/curatex", "javascript:alert(1)",
                                    "/curate/%0d%0aX: y" + "\r", "\x00/curate/"])
def test_next_is_a_local_editor_path_or_the_start_page(app, target):
    client = app.test_client()
    token = csrf_of(text(client.get("/curate/login")))
    response = client.post("/curate/login", data={"csrf_token": token, "name": "alice", "password": PASSWORD,
                                                  "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/curate/"


def test_next_keeps_a_real_editor_path(app):
    client = app.test_client()
    token = csrf_of(text(client.get("/curate/login")))
    response = client.post("/curate/login", data={"csrf_token": token, "name": "alice", "password": PASSWORD,
                                                  "next": edit_url() + "?x=1"})
    assert response.headers["Location"] == edit_url() + "?x=1"


@pytest.mark.parametrize("length", [201, 253, 300, 5000])
def test_an_overlong_id_is_a_404(app, length):
    client, fields = signed_in(app)
    url = edit_url("talks", "a" * length)
    assert client.get(url).status_code == 404
    assert client.post(url, data={**fields, "action": "save"}).status_code == 404
    assert client.get(f"/curate/talks/{'b' * length}/history").status_code == 404


def cookie_header(response) -> str:
    return next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))


def test_cookie_flags_over_http(app):
    response = login(app.test_client())
    header = cookie_header(response)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


def test_cookie_is_secure_over_https(app):
    client = app.test_client()
    token = csrf_of(text(client.get("/curate/login", base_url="https://localhost")))
    response = client.post("/curate/login", base_url="https://localhost",
                           data={"csrf_token": token, "name": "alice", "password": PASSWORD})
    header = cookie_header(response)
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
