"""The taxonomy and synonyms forms: YAML checked safely with clear messages, a preview of what changes, an
atomic save with history, and a full rebuild in the background."""

from __future__ import annotations

import re

import pytest

from archive.history import content_hash
from curation_support import csrf_of, flashes, index_status, login, make_app, settle, text
from webapp.curation.vocabulary_check import yaml_problems
from curation_fixtures import app, client, env, template  # noqa: F401 (pytest fixtures, by name)

TAXONOMY, SYNONYMS = "/curate/vocabulary/taxonomy", "/curate/vocabulary/synonyms"


def _post(client, url: str, text_: str, action: str = "save", base: str | None = None):
    page = client.get(url).get_data(as_text=True)
    base = base or re.search(r'name="base_hash" value="([^"]+)"', page)[1]
    return client.post(url, data={"csrf_token": csrf_of(page), "base_hash": base, "text": text_, "action": action})


@pytest.mark.parametrize("source, expected", [
    ("a: &x [1]\nb: *x\n", [(1, "anchors (&x) are not accepted from the web form: write the values out")]),
    ("a: *x\n", [(1, "aliases (*x) are not accepted from the web form: write the values out")]),
    ("topics: [unclosed\n", [(2, "invalid YAML: expected ',' or ']', but got '<stream end>'")]),
    ("- just\n- a list\n", [(1, "the file must be a mapping (it starts with `topics:` or `groups:`)")]),
    ("a: !!python/object:os.system x\n", [(1, "invalid YAML: could not determine a constructor for the tag "
                                             "'tag:yaml.org,2002:python/object:os.system'")]),
    ("topics: []\n", []),
])
def test_yaml_from_a_form_is_read_safely_with_clear_messages(source, expected):
    assert yaml_problems(source) == expected


def _stricter(taxonomy: str, topic: str = "health-economics") -> str:
    """The taxonomy with one topic's threshold out of reach."""
    start = taxonomy.index(f"- id: {topic}\n")
    at = taxonomy.index("threshold: ", start)
    end = taxonomy.index("\n", at)
    return taxonomy[:at] + "threshold: 99.0" + taxonomy[end:]


def test_the_form_shows_the_file(client, env):
    page = text(client.get(TAXONOMY))
    assert (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8").split("\n")[0] in page
    assert "Anchors and aliases" in page


def test_a_taxonomy_preview_lists_the_records_that_change_and_writes_nothing(client, env):
    before = (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8")
    changed = _stricter(before)
    response = _post(client, TAXONOMY, changed, "preview")
    page = text(response)
    assert response.status_code == 200
    assert "What this would change (not saved yet)" in page
    rows = re.findall(r'<tr><th scope="row"><code>([a-z0-9-]+)</code></th><td>(\w+)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>',
                      page, re.S)
    assert ("dngc-2025-s2-james-buchanan", "talk", "", "<del>health-economics</del>") in rows
    assert all(lost == "<del>health-economics</del>" for _, _, _, lost in rows)
    assert (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("source, message", [
    ("topics:\n  - id: x\n    label: &l X\n", "Line 3: anchors (&l) are not accepted from the web form"),
    ("topics:\n  - {id: x, label: X, threshold: high, rules: []}\n", "Line 2: "),
    ("topics: []\n", "the taxonomy must define at least one topic"),
    ("nothing: here\n", "taxonomy must have a `topics:` list"),
])
def test_a_bad_taxonomy_is_refused_with_its_line_and_nothing_changes(client, env, source, message):
    before = (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8")
    response = _post(client, TAXONOMY, source)
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was saved" in page and message in page
    assert source.split("\n")[1] in page  # the typed text stays in the form
    assert (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8") == before
    assert not (env.corpus / ".history").exists()


def test_saving_the_taxonomy_keeps_history_and_rebuilds_in_the_background(app, client, env):
    path = env.corpus / "taxonomy.yaml"
    before, inode = path.read_text(encoding="utf-8"), path.stat().st_ino
    changed = _stricter(before)
    assert client.get("/api/talks/dngc-2025-s2-james-buchanan").get_json()["topics"] == ["health-economics"]
    response = _post(client, TAXONOMY, changed)
    assert response.status_code == 303 and response.headers["Location"] == TAXONOMY
    assert path.read_text(encoding="utf-8") == changed and path.stat().st_ino != inode
    [kept] = (env.corpus / ".history" / "taxonomy").glob("*.prev")
    assert kept.read_text(encoding="utf-8") == before
    page = text(client.get(TAXONOMY))
    assert flashes(page)[0].startswith("Saved taxonomy.yaml.")
    settle(client)
    assert app.extensions["confarchive.index_queue"].status("*").message.startswith("The search index was rebuilt")
    assert index_status(text(client.get(TAXONOMY))).startswith("Searchable since")
    assert client.get("/api/talks/dngc-2025-s2-james-buchanan").get_json()["topics"] == []
    assert "Replaced by alice on" in text(client.get(TAXONOMY))


def test_an_unchanged_file_is_not_saved_again(client, env):
    before = (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8")
    assert _post(client, TAXONOMY, before).status_code == 303
    assert "Nothing changed, so nothing was saved." in flashes(text(client.get(TAXONOMY)))
    assert not (env.corpus / ".history").exists()


def test_a_stale_taxonomy_save_is_refused(client, env):
    path = env.corpus / "taxonomy.yaml"
    old = path.read_text(encoding="utf-8")
    path.write_text(old.replace("label: Genomics", "label: Theirs", 1), encoding="utf-8")
    response = _post(client, TAXONOMY, old.replace("label: Genomics", "label: Mine", 1), base=content_hash(old))
    assert response.status_code == 409
    page = text(response)
    assert "someone changed <code>taxonomy.yaml</code>" in page and "label: Theirs" in page and "label: Mine" in page
    assert "label: Theirs" in path.read_text(encoding="utf-8")


def test_a_synonyms_preview_lists_groups_added_and_removed(client, env):
    before = (env.corpus / "synonyms.yaml").read_text(encoding="utf-8")
    changed = before.replace("  - [EHDS, European Health Data Space]\n", "  - [okapi, forest giraffe]\n")
    page = text(_post(client, SYNONYMS, changed, "preview"))
    assert "Added: <ins>okapi = forest giraffe</ins>" in page
    assert "Removed: <del>EHDS = European Health Data Space</del>" in page


def test_a_bad_synonym_group_is_refused(client, env):
    response = _post(client, SYNONYMS, "groups:\n  - [lonely]\n")
    assert response.status_code == 400
    assert "Line 2: each synonym group must list two or more words or phrases" in text(response)


def test_saving_synonyms_changes_searches_after_the_rebuild(client, env):
    before = (env.corpus / "synonyms.yaml").read_text(encoding="utf-8")
    assert client.get("/api/search?q=zebrafish").get_json()["total"] == 0
    response = _post(client, SYNONYMS, before + "  - [zebrafish, health economics]\n")
    assert response.status_code == 303
    settle(client)
    assert client.get("/api/search?q=zebrafish").get_json()["total"] > 0


def test_the_forms_need_sign_in_and_token(env):
    client = make_app(env).test_client()
    before = (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8")
    assert client.post(TAXONOMY, data={"text": "topics: []"}).status_code == 303
    login(client)
    assert client.post(TAXONOMY, data={"text": "topics: []", "action": "save"}).status_code == 400
    assert (env.corpus / "taxonomy.yaml").read_text(encoding="utf-8") == before
