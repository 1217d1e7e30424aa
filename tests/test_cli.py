"""The `confarchive` command: build, validate, search, serve; library errors become clean messages and exit codes."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path

import pytest

from confarchive.cli import main as cli_main
from indexer import IndexStore, SearchRequest, Searcher
from indexer.build import build_lock

TINE_TALK = "conferences/dngc-2025/talks/dngc-2025-s2-tine-jess.md"


def invoke(runner, *args) -> "object":
    return runner.invoke(cli_main, [str(a) for a in args])


def assert_clean_failure(result, code: int, message: str) -> None:
    """Exit with `code`, say `message`, and show no traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert message in result.output, result.output
    assert "Traceback" not in result.output


def listed(stdout: str) -> list[tuple[int, str]]:
    """(number, id) of each result in a readable listing."""
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^(\d+)\. .*  \[([a-z0-9-]+)\]$", stdout, re.M)]


def without_snippets(data: dict) -> dict:
    """The search JSON minus snippet texts, which Whoosh picks nondeterministically among equal fragments
    (see test_search.py::test_same_search_gives_the_same_snippets)."""
    return {**data, "results": [{k: v for k, v in r.items() if k != "snippet"} for r in data["results"]]}


def pointer(root: Path) -> str:
    return (root / "current").read_text(encoding="utf-8").strip()


# --- build ----------------------------------------------------------------------------------------

def test_build_publishes_an_index_and_says_so(runner, small_corpus, tmp_path):
    index = tmp_path / "index"
    result = invoke(runner, "build", "--corpus", small_corpus, "--index", index)
    assert result.exit_code == 0, result.output
    [build] = list((index / "builds").iterdir())
    assert pointer(index) == build.name
    assert result.stderr.startswith("Indexed 10 documents in ")
    assert result.stderr.rstrip().endswith(f"s into {build}")
    assert result.stdout == ""


def test_build_refuses_a_corpus_with_errors_and_keeps_the_old_index(runner, small_corpus, tmp_path):
    index = tmp_path / "index"
    assert invoke(runner, "build", "--corpus", small_corpus, "--index", index).exit_code == 0
    published = pointer(index)
    path = small_corpus / TINE_TALK
    path.write_text(path.read_text(encoding="utf-8").replace("kind: talk\n", "kind: keynote\n"), encoding="utf-8")
    result = invoke(runner, "build", "--corpus", small_corpus, "--index", index)
    assert_clean_failure(result, 1, "Error: 1 error(s) in the corpus; run `confarchive validate` to see them")
    assert f"corpus/{TINE_TALK}:5: error: unknown kind 'keynote' (use one of: talk, panel, qa)" in result.stderr
    assert "The previous index (if any) is still being served." in result.stderr
    assert pointer(index) == published
    assert [p.name for p in (index / "builds").iterdir()] == [published]
    still = Searcher(IndexStore(index).handle()).search(SearchRequest(q="Crohn"))
    assert "dngc-2025-s2-tine-jess" in [r["id"] for r in still.results]


def test_build_refusal_message_is_two_sentences(runner, small_corpus, tmp_path):
    path = small_corpus / TINE_TALK
    path.write_text(path.read_text(encoding="utf-8").replace("kind: talk\n", "kind: keynote\n"), encoding="utf-8")
    result = invoke(runner, "build", "--corpus", small_corpus, "--index", tmp_path / "index")
    assert ("Error: 1 error(s) in the corpus; run `confarchive validate` to see them. "
            "The previous index (if any) is still being served.") in result.stderr


def test_build_while_another_build_runs_is_a_clean_error(runner, small_corpus, tmp_path):
    index = tmp_path / "index"
    with build_lock(index):
        result = invoke(runner, "build", "--corpus", small_corpus, "--index", index)
    assert_clean_failure(result, 1, f"Error: Another build is running on {index} (pid ")
    assert not (index / "current").exists()


def test_build_of_a_missing_corpus_is_a_clean_error(runner, tmp_path):
    result = invoke(runner, "build", "--corpus", tmp_path / "nowhere", "--index", tmp_path / "index")
    assert_clean_failure(result, 1, f"{tmp_path / 'nowhere'}:1: error: corpus folder does not exist")


def test_build_into_an_impossible_index_folder_is_a_clean_error(runner, small_corpus, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke(runner, "build", "--corpus", small_corpus, "--index", blocker / "index")
    assert_clean_failure(result, 1, "Error:")


# --- validate -------------------------------------------------------------------------------------

def test_validate_shipped_corpus(runner, corpus_copy):
    result = invoke(runner, "validate", "--corpus", corpus_copy)
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].startswith("0 error(s), ")


def test_validate_json_is_parseable(runner, small_corpus):
    result = invoke(runner, "validate", "--corpus", small_corpus, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["errors"] == 0 and set(report) == {"errors", "warnings", "problems"}


def test_validate_rejects_an_unknown_format(runner, small_corpus):
    result = invoke(runner, "validate", "--corpus", small_corpus, "--format", "xml")
    assert_clean_failure(result, 2, "Invalid value for '--format'")


# --- search ---------------------------------------------------------------------------------------

def test_search_prints_a_readable_listing(runner, index_dir):
    result = invoke(runner, "search", "genomes", "--index", index_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == '39 result(s) for "genomes" — page 1 of 2'
    assert lines[2] == "1. The Irish experience with genomic data infrastructures  [dngc-2025-s2-laura-anne-whelan]"
    assert lines[3] == "   talk · Session 2 · Dr. Laura Anne Whelan"
    assert lines[4].startswith("   ") and "the Irish experience with genomic data infrastructures" in lines[4]
    assert "<mark" not in result.stdout and "&lt;" not in result.stdout
    assert [n for n, _ in listed(result.stdout)] == list(range(1, 21))


def test_search_with_filters_and_paging(runner, index_dir):
    result = invoke(runner, "search", "--index", index_dir, "--kind", "panel", "--kind", "qa", "--per-page", "4",
                    "--page", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "6 result(s) in the archive — page 2 of 2"
    assert listed(result.stdout) == [(5, "dngc-2025-s3-dilemma-2"), (6, "dngc-2025-s3-dilemma-3")]


@pytest.mark.parametrize("args, api", [
    (["genomes", "--per-page", "20"], "q=genomes"),
    (["data", "sharing", "--topic", "ethics", "--kind", "panel", "--kind", "talk", "--per-page", "20"],
     "q=data+sharing&topic=ethics&kind=panel&kind=talk"),
    (["--speaker", "aarno-palotie", "--speaker", "ida-sofie-jensen", "--sort", "relevance", "--per-page", "5",
      "--page", "2"], "speaker=aarno-palotie&speaker=ida-sofie-jensen&sort=relevance&per_page=5&page=2"),
    (["Lohde", "--per-page", "20"], "q=Lohde"),
])
def test_search_json_is_what_the_api_returns(runner, client, index_dir, args, api):
    result = invoke(runner, "search", *args, "--json", "--index", index_dir)
    assert result.exit_code == 0, result.output
    cli_json, api_json = json.loads(result.stdout), client.get(f"/api/search?{api}").get_json()
    assert without_snippets(cli_json) == without_snippets(api_json)
    assert [bool(r["snippet"]) for r in cli_json["results"]] == [bool(r["snippet"]) for r in api_json["results"]]


def test_search_json_with_defaults_is_what_the_api_returns(runner, client, index_dir):
    result = invoke(runner, "search", "genomes", "--json", "--index", index_dir)
    assert without_snippets(json.loads(result.stdout)) == without_snippets(
        client.get("/api/search?q=genomes").get_json())


@pytest.mark.parametrize("args, code, message", [
    (["--page", "0"], 1, "Error: page must be 1 or more"),
    (["--per-page", "101"], 1, "Error: per_page must be between 1 and 100"),
    (["--per-page", "0"], 1, "Error: per_page must be between 1 and 100"),
    (["--sort", "bogus"], 2, "Invalid value for '--sort'"),
    (["--page", "two"], 2, "Invalid value for '--page'"),
    (["--colour", "red"], 2, "No such option '--colour'"),
])
def test_search_bad_options_are_clean_errors(runner, index_dir, args, code, message):
    result = invoke(runner, "search", "genomes", "--index", index_dir, *args)
    assert_clean_failure(result, code, message)


def test_search_builds_the_index_on_first_use(runner, small_corpus, tmp_path):
    index = tmp_path / "index"
    result = invoke(runner, "search", "Crohn", "--corpus", small_corpus, "--index", index)
    assert result.exit_code == 0, result.output
    assert f"No index in {index} yet; building it from {small_corpus} …" in result.stderr
    assert "Indexed 10 documents in " in result.stderr
    assert "[dngc-2025-s2-tine-jess]" in result.stdout
    assert (index / "current").exists()


@pytest.mark.parametrize("meta_of, command", [("", ["search", "Crohn"]), ("quotes", ["quotes", "Crohn"])],
                         ids=["main index", "quote index"])
def test_an_index_from_another_version_is_rebuilt_on_first_use(runner, small_corpus, tmp_path, meta_of, command):
    from indexer.layout import META, current_build

    index = tmp_path / "index"
    assert invoke(runner, "build", "--corpus", small_corpus, "--index", index).exit_code == 0
    meta_path = current_build(index) / meta_of / META
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "schema_version": 1}), encoding="utf-8")  # as an older release wrote it
    result = invoke(runner, *command, "--corpus", small_corpus, "--index", index)
    assert result.exit_code == 0, result.output
    assert f"The index in {index} was built by another version of confarchive; rebuilding it" in result.stderr
    assert "dngc-2025-s2-tine-jess" in result.stdout


def test_search_without_index_and_with_a_broken_corpus_is_a_clean_error(runner, small_corpus, tmp_path):
    path = small_corpus / TINE_TALK
    path.write_text(path.read_text(encoding="utf-8").replace("order: 7\n", "order: 7: 8\n"), encoding="utf-8")
    result = invoke(runner, "search", "Crohn", "--corpus", small_corpus, "--index", tmp_path / "index")
    assert_clean_failure(result, 1, "Error: 1 error(s) in the corpus")
    assert f"corpus/{TINE_TALK}:6: error: invalid YAML: mapping values are not allowed " in result.stderr


def test_unknown_command_is_a_usage_error(runner):
    result = invoke(runner, "frobnicate")
    assert_clean_failure(result, 2, "No such command 'frobnicate'")


def test_help_lists_the_commands(runner):
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    commands = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert {"build", "validate", "search", "serve"} <= commands


# --- serve ----------------------------------------------------------------------------------------

@pytest.mark.server
def test_serve_builds_the_index_on_first_run(live_server):
    assert (live_server.index / "current").exists()
    log = live_server.log
    assert f"No index in {live_server.index} yet; building it from " in log
    assert "Indexed 68 documents in " in log
    assert f"Serving confarchive on {live_server.url}/" in log
    assert "Traceback" not in log


@pytest.mark.server
def test_serve_on_a_busy_port_is_a_clean_error(confarchive_cmd, index_dir):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([*confarchive_cmd, "serve", "--port", str(port), "--index", str(index_dir)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Error:" in done.stderr


def test_serve_tunes_the_collector_for_saves_and_nothing_else_does():
    import gc

    from confarchive.cli import SERVER_GC_THRESHOLDS, collect_less_often

    assert gc.get_threshold()[0] < SERVER_GC_THRESHOLDS[0]  # importing the app and the CLI leaves it alone
    before = gc.get_threshold()
    try:
        collect_less_often()
        assert gc.get_threshold() == SERVER_GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)
