"""The facet declarations (indexer/facet_specs.py) and the format table (archive/formats.py) against what reads them:
the README, the CLI, the schema, the query syntax and the pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archive.formats import FORMATS
from confarchive.cli import main as cli_main
from indexer.facet_specs import FACETS, NAMES, QUOTE_NAMES
from indexer.query import FIELD_FILTERS
from indexer import IndexStore
from webapp.quotes import TALK_FORMATS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BRITT_TALK = "dngc-2025-s1-britt-elmedal-laursen"


def test_confarchive_facets_lists_each_declared_facet_in_order(runner):
    rows = json.loads(runner.invoke(cli_main, ["facets", "--json"]).output)
    assert [row["name"] for row in rows] == list(NAMES)
    assert [row["name"] for row in rows if row["quotes"]] == list(QUOTE_NAMES)
    assert [row["name"] for row in rows if row["in_query"]] == list(FIELD_FILTERS)
    table = runner.invoke(cli_main, ["facets"]).output
    for facet in FACETS:
        assert re.search(rf"^{facet.name} +{re.escape(facet.title)} ", table, re.M), facet.name


def test_confarchive_formats_lists_the_format_table(runner):
    rows = json.loads(runner.invoke(cli_main, ["formats", "--json"]).output)
    assert [row["name"] for row in rows] == list(FORMATS)
    assert sorted(row["name"] for row in rows if "talk" in row["offered"]) == sorted(TALK_FORMATS)
    table = runner.invoke(cli_main, ["formats"]).output
    assert all(re.search(rf"^{name} ", table, re.M) for name in FORMATS)


def test_the_readme_points_to_the_listings_rather_than_copying_them():
    """A copied list goes stale the day a facet or format is declared; the README names the commands instead."""
    assert "confarchive facets" in README and "confarchive formats" in README
    assert not re.search(r"\.\{[a-z]+(,[a-z]+)+\}", README)  # no `/api/quotes.{json,csv,...}` lists
    assert "### Facets" in README and "| `topic` |" not in README


def test_a_search_exports_in_the_formats_the_table_offers_for_searches_and_no_other(client):
    offered = [f for f in FORMATS.values() if "search" in f.offered]
    assert {f.name for f in offered} == {"csv", "json"}
    page = client.get("/search?q=genomics").get_data(as_text=True)
    for fmt in offered:
        response = client.get(f"/api/search.{fmt.name}?q=genomics")
        assert response.status_code == 200 and response.mimetype == fmt.media_type, fmt.name
        assert f'filename="search.{fmt.extension}"' in response.headers["Content-Disposition"]
        assert re.search(rf'href="/api/search\.{fmt.name}\?q=genomics[^"]*">{fmt.label}</a>', page), fmt.name
    assert client.get("/api/search.ris?q=genomics").status_code == 404


def test_every_facet_is_a_facet_file_column_a_url_parameter_and_has_talk_values(client, index_dir, corpus):
    table = IndexStore(index_dir).handle().facets
    for name in NAMES:  # the API refuses parameters it does not know with a 400
        response = client.get(f"/api/search?{name}=no-such-value")
        assert response.status_code == 200, (name, response.get_data(as_text=True)[:200])
    assert client.get("/api/search?no_such_facet=x").status_code == 400
    for facet in FACETS:
        yielded = {v for talk in corpus.talks.values() for v in facet.talk(corpus, talk)}
        assert yielded <= set(table.values[facet.name]), facet.name  # the build's facet files hold them
        assert facet.talk is not None and facet.title and facet.cli_help, facet.name
    assert set(QUOTE_NAMES) <= set(NAMES) and set(FIELD_FILTERS) <= set(NAMES)


def test_the_cli_has_one_option_per_facet_and_quotes_only_for_the_facets_quotes_have(runner):
    search_help = runner.invoke(cli_main, ["search", "--help"]).output
    quotes_help = runner.invoke(cli_main, ["quotes", "--help"]).output
    for name in NAMES:
        assert f"--{name} TEXT" in search_help, name
        assert (f"--{name} TEXT" in quotes_help) == (name in QUOTE_NAMES), name


def test_a_facet_only_the_declaration_gives_the_cli_filters_search(runner, index_dir):
    """--organisation came with the declaration: the CLI filters by it like the API does."""
    result = runner.invoke(cli_main, ["search", "--index", str(index_dir), "--organisation", "University of Copenhagen",
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["filters"] == {"organisation": ["University of Copenhagen"]}
    assert data["total"] == 5


def test_the_cli_reads_markdown_as_md(runner, index_dir):
    args = ["quotes", "consent", "--index", str(index_dir)]
    md = runner.invoke(cli_main, [*args, "--format", "md"])
    assert md.exit_code == 0, md.output
    assert runner.invoke(cli_main, [*args, "--format", "markdown"]).output == md.output


@pytest.mark.parametrize("old, new", [("json", "csl")])
def test_a_talks_citation_keeps_its_older_address(client, old, new):
    now, before = client.get(f"/talks/{BRITT_TALK}/cite.{new}"), client.get(f"/talks/{BRITT_TALK}/cite.{old}")
    assert now.status_code == before.status_code == 200
    assert now.data == before.data and now.mimetype == before.mimetype == FORMATS[new].media_type


def test_a_talk_page_offers_the_tables_talk_formats_for_reference_managers(client):
    page = client.get(f"/talks/{BRITT_TALK}").get_data(as_text=True)
    for name in ("ris", "bib", "csl"):
        assert f'type="{FORMATS[name].media_type}" title="{FORMATS[name].label}" href="/talks/{BRITT_TALK}/cite.{name}"' in page
    assert client.get(f"/talks/{BRITT_TALK}/cite.docx").status_code == 404
