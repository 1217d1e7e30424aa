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
from indexer.schema import FACET_FIELDS, build_schema
from webapp.quotes import TALK_FORMATS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BRITT_TALK = "dngc-2025-s1-britt-elmedal-laursen"


def readme_facet_rows() -> list[list[str]]:
    """The cells of each row of the README's facet table (under "### Facets")."""
    section = README.split("### Facets", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_readme_facet_table_lists_each_declared_facet_in_order():
    rows = readme_facet_rows()
    assert [row[0].strip("`") for row in rows] == list(NAMES)
    for row, facet in zip(rows, FACETS):
        assert row[1] == facet.title, facet.name
        assert row[2].startswith("yes") == bool(facet.quote), facet.name
        assert (row[3] != "no") == facet.in_query, facet.name
        if facet.in_query:
            assert row[3].startswith(f"`{facet.name}:"), facet.name
        assert (row[4] == "yes") == bool(facet.noted), facet.name


def test_every_facet_is_a_schema_field_a_url_parameter_and_has_talk_values():
    schema = build_schema()
    assert FACET_FIELDS == NAMES
    for facet in FACETS:
        assert schema[facet.name].stored, facet.name
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


def test_the_readme_lists_the_format_tables_names():
    quotes_cli = re.search(r"--format (text[^\]`]*)\]", README.split("confarchive quotes QUERY", 1)[1]).group(1)
    assert quotes_cli.split("\\|") == ["text", *FORMATS]
    exports = re.search(r"/api/quotes\.\{([a-z,]+)\}", README).group(1)
    assert exports.split(",") == list(FORMATS)
    talk = re.search(r"/talks/<id>/cite\.\{([a-z,]+)\}", README).group(1)
    assert sorted(talk.split(",")) == sorted(TALK_FORMATS)


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
