"""The signed-in librarian's fixtures the curation tests share: import them into a test module by name.

    from curation_fixtures import app, client, env, template  # noqa: F401 (pytest fixtures)

`template` is one corpus, index and account per module; `env` a fresh copy of it per test; `app` the
app over that copy; `client` a test client signed in as alice.
"""

from __future__ import annotations

import pytest

from curation_support import clone_env, login, make_app, make_env


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_env(tmp_path_factory.mktemp("curation"))


@pytest.fixture
def env(template, tmp_path):
    return clone_env(template, tmp_path)


@pytest.fixture
def app(env):
    return make_app(env)


@pytest.fixture
def client(app):
    client = app.test_client()
    assert login(client).status_code == 303
    return client
