"""YAML cannot stall the server: no anchors, aliases or merge keys from web forms; alias bombs in files are refused."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from archive.frontmatter import FrontMatterError, load_yaml
from archive.yamlguard import MAX_FORM_YAML_CHARS, form_yaml_problem
from confarchive.cli import main as cli_main
from curation_support import (SPEAKER, clone_env, edit_url, field_errors, form_fields, login, make_app, make_env,
                              text)

SPEAKER_FILE = f"speakers/{SPEAKER}.md"
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
APPEARANCE = "- conference: dngc-2025\n  session: dngc-2025-s2\n  listed_name: James Buchanan\n"
ANCHORED = "- &one\n  conference: dngc-2025\n  session: dngc-2025-s2\n  listed_name: James Buchanan\n- *one\n"


@pytest.mark.parametrize("text, message", [
    (BOMB, "line 1 of the box: YAML anchors and aliases (&name, *name) are not accepted here; write each value out"),
    ("- &x [*x]\n", "line 1 of the box: YAML anchors and aliases (&name, *name) are not accepted here; "
                    "write each value out"),
    (ANCHORED, "line 1 of the box: YAML anchors and aliases (&name, *name) are not accepted here; write each value out"),
    ("- conference: x\n  <<: {session: y}\n", "line 2 of the box: YAML merge keys (<<) are not accepted here"),
    ("[" * 11 + "]" * 11, "line 1 of the box: lists and mappings nest deeper than 10"),
    ("x" * (MAX_FORM_YAML_CHARS + 1), "the box holds more than 50,000 characters"),
    (APPEARANCE, None),
])
def test_form_yaml_problems(text, message):
    assert form_yaml_problem(text) == message


@pytest.fixture
def client(tmp_path_factory, tmp_path):
    env = clone_env(make_env(tmp_path_factory.mktemp("yaml")), tmp_path)
    client = make_app(env).test_client()
    assert login(client).status_code == 303
    client.env = env
    return client


@pytest.mark.parametrize("appearances", [BOMB, "- &x [*x]\n", ANCHORED])
def test_the_editor_refuses_aliases_quickly_and_saves_nothing(client, appearances):
    before = client.env.read(SPEAKER_FILE)
    data = form_fields(text(client.get(edit_url("speakers", SPEAKER))), edit_url("speakers", SPEAKER))
    started = time.perf_counter()
    response = client.post(edit_url("speakers", SPEAKER), data={**data, "appearances": appearances, "action": "save"})
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 400
    assert any("YAML anchors and aliases" in m for m in field_errors(text(response), "appearances"))
    assert client.env.read(SPEAKER_FILE) == before


def test_a_file_with_an_alias_bomb_is_refused_with_its_line():
    started = time.perf_counter()
    with pytest.raises(FrontMatterError) as caught:
        load_yaml("id: x\n" + BOMB, first_line=2)
    assert time.perf_counter() - started < 1.0
    assert caught.value.message == ("the YAML expands to more than 100,000 values through its aliases (*name); "
                                    "write the values out instead")


def test_a_file_with_a_recursive_alias_is_refused():
    with pytest.raises(FrontMatterError) as caught:
        load_yaml("id: x\nloop:\n- &x [*x]\n", first_line=2)
    assert caught.value.line == 2
    assert caught.value.message == "a YAML alias refers to the list or mapping it is part of (a recursive alias); remove it"


def test_a_file_without_aliases_but_too_many_values_is_still_refused():
    """The walk is skipped only for alias-free text too short to hold the limit's values (yamlguard)."""
    with pytest.raises(FrontMatterError) as caught:
        load_yaml("id: x\nmany: [" + ",".join(["1"] * 100_001) + "]\n", first_line=2)
    assert "expands to more than 100,000 values" in caught.value.message


@pytest.mark.parametrize("text", ["id: x\nnames: [a, b]\n", "? \n? \n- \n", "a:\n" * 30, "[" * 40 + "]" * 40])
def test_the_shortcut_for_alias_free_text_agrees_with_the_walk(text):
    import yaml

    from archive.yamlguard import expansion_problem

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    assert expansion_problem(node, text) == expansion_problem(node) is None
    walked, sizes = [node], 0
    while walked:  # fewer than three nodes per character, as the shortcut assumes
        current = walked.pop()
        sizes += 1
        walked += [p for pair in current.value for p in pair] if isinstance(current, yaml.MappingNode) else (
            list(current.value) if isinstance(current, yaml.SequenceNode) else [])
    assert sizes < 3 * len(text) + 1


def test_small_aliases_in_files_still_load():
    assert load_yaml("a: &v [1, 2]\nb: *v\n", first_line=2)[0] == {"a": [1, 2], "b": [1, 2]}


def test_validate_reports_an_alias_bomb(small_corpus):
    path = small_corpus / SPEAKER_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\n" + BOMB, 1), encoding="utf-8")
    result = CliRunner().invoke(cli_main, ["validate", "--corpus", str(small_corpus)])
    assert result.exit_code == 1
    assert f"corpus/{SPEAKER_FILE}:2: error: the YAML expands to more than 100,000 values" in result.output
