"""The curation page that shows why a talk or speaker has each topic, and the overrides that apply."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curation_support import clone_env, login, make_app, make_env

SHIPPED = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The whole shipped corpus: the records below have overrides and rich topic matches."""
    root = tmp_path_factory.mktemp("topics-page")
    return make_env(root, corpus=shutil.copytree(SHIPPED, root / "corpus"))


@pytest.fixture
def client(template, tmp_path):
    app = make_app(clone_env(template, tmp_path))
    client = app.test_client()
    assert login(client).status_code == 303
    return client


def test_page_names_the_rules_and_words_behind_each_topic(client):
    page = client.get("/curate/talks/dngc-2025-s1-britt-elmedal-laursen/topics").get_data(as_text=True)
    assert "Topics now: <strong>genomics, cancer</strong>" in page
    assert "assigned: score 7.5 ≥ threshold 2" in page
    assert "wgs ×3" in page and "sequencing ×2" in page


def test_page_shows_an_override(client):
    page = client.get("/curate/speakers/klaus-hoeyer/topics").get_data(as_text=True)
    assert "added by the record&#39;s override (topics.add)" in page


def test_unknown_or_mismatched_ids_are_404(client):
    assert client.get("/curate/talks/nope/topics").status_code == 404
    assert client.get("/curate/talks/klaus-hoeyer/topics").status_code == 404


def test_page_needs_a_sign_in(template, tmp_path):
    anonymous = make_app(clone_env(template, tmp_path)).test_client()
    response = anonymous.get("/curate/talks/dngc-2025-s1-britt-elmedal-laursen/topics")
    assert response.status_code == 303 and "/curate/login" in response.headers["Location"]


def test_edit_form_links_to_it(client):
    page = client.get("/curate/talks/dngc-2025-s1-britt-elmedal-laursen/edit").get_data(as_text=True)
    assert 'href="/curate/talks/dngc-2025-s1-britt-elmedal-laursen/topics">Why these topics</a>' in page
