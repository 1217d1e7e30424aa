"""Creating a speaker from the web: checked like `confarchive new speaker`, validated, written atomically, kept
in the history and indexed."""

from __future__ import annotations

import pytest

from archive import inspect_corpus
from curation_support import csrf_of, flashes, login, make_app, settle, text
from curation_fixtures import app, client, env, template  # noqa: F401 (pytest fixtures, by name)

URL = "/curate/speakers/new"


def _post(client, **fields):
    data = {"csrf_token": csrf_of(client.get(URL).get_data(as_text=True)), "ident": "ann-example",
            "name": "Ann Example", "conference": "dngc-2025", "session": "dngc-2025-s2", "role": "Researcher",
            "organisation": "Example University", "country": "Denmark",
            "bio": "Ann studies the okapi registry.", **fields}
    return client.post(URL, data=data)


def test_the_form_lists_conferences_and_sessions(client):
    page = text(client.get(URL))
    assert '<option value="dngc-2025">' in page and '<option value="dngc-2025-s2">' in page


def test_a_speaker_is_created_validated_kept_in_history_and_indexed(client, env):
    response = _post(client)
    assert response.status_code == 303 and response.headers["Location"] == "/curate/speakers/ann-example/edit"
    saved = (env.corpus / "speakers/ann-example.md").read_text(encoding="utf-8")
    assert saved.startswith("---\n# A speaker: one file per person")  # the CLI's commented skeleton
    assert "name: Ann Example\n" in saved and "organisations:\n  - Example University\n" in saved
    assert saved.endswith("---\nAnn studies the okapi registry.\n")
    corpus, problems = inspect_corpus(env.corpus)
    assert corpus.speakers["ann-example"].appearances[0].role == "Researcher"
    assert [p for p in problems if "ann-example" in p.path and p.severity == "error"] == []
    page = text(client.get("/curate/speakers/ann-example/edit"))
    assert "Created speakers/ann-example.md. Its creation is kept in its history." in flashes(page)
    history = text(client.get("/curate/speakers/ann-example/history"))
    assert "created by alice" in history and "+name: Ann Example" in history
    assert "Restore the version before" not in history  # nothing to go back to
    settle(client)
    assert [r["id"] for r in client.get("/api/search?q=okapi").get_json()["results"]] == ["ann-example"]


@pytest.mark.parametrize("fields, message", [
    ({"ident": "Ann Example"}, "'ann example' is not a valid id: use lowercase letters, digits and single hyphens."),
    ({"ident": "tine-jess"}, "Speaker 'tine-jess' already exists"),
    ({"conference": "nope-2030"}, "Unknown conference 'nope-2030' (known: dngc-2025)."),
    ({"session": "nope"}, "Unknown session 'nope'"),
])
def test_bad_ids_and_references_are_refused_with_the_cli_messages(client, env, fields, message):
    response = _post(client, **fields)
    assert response.status_code == 400
    assert message in text(response)
    assert sorted(p.name for p in (env.corpus / "speakers").iterdir()) == ["bodil-orkild.md", "james-buchanan.md",
                                                                        "tine-jess.md"]


def test_missing_required_fields_are_marked_and_the_typing_kept(client, env):
    response = _post(client, ident="", name="", bio="Kept text.")
    page = text(response)
    assert response.status_code == 400
    assert "Give the speaker an id." in page and "Give the speaker's name." in page
    assert 'aria-invalid="true"' in page and "Kept text." in page
    assert not (env.corpus / "speakers/ann-example.md").exists()


def test_validator_warnings_are_shown_after_creating(client, env):
    assert _post(client, bio="").status_code == 303
    assert ("Warning: speaker 'Ann Example' has no bio (add the bio below the front matter)"
            in flashes(text(client.get("/curate/speakers/ann-example/edit"))))


def test_yaml_special_characters_are_written_safely(client, env):
    response = _post(client, ident="bob-example", name="Bob: [broken")
    assert response.status_code == 303  # YAML-special characters are quoted by the writer
    assert inspect_corpus(env.corpus)[0].speakers["bob-example"].name == "Bob: [broken"


def test_creating_needs_sign_in_and_token(env):
    client = make_app(env).test_client()
    assert client.post(URL, data={"ident": "x-y", "name": "X"}).status_code == 303  # to the sign-in page
    login(client)
    assert client.post(URL, data={"ident": "x-y", "name": "X", "conference": "dngc-2025"}).status_code == 400
    assert not (env.corpus / "speakers/x-y.md").exists()
