"""`confarchive facets` and `confarchive formats`: the declared facets and export formats, read from their tables.

The README points here instead of copying the tables, so declaring a facet (indexer/facet_specs.py) or a
format (archive/formats.py) changes what users are shown without another file to keep in step.
"""

from __future__ import annotations

import json

import click

from archive.formats import FORMATS
from indexer import FACETS


def facet_rows() -> list[dict]:
    """One row per facet, in the order the search page shows them."""
    return [{"name": f.name, "title": f.title, "quotes": f.quote is not None,
             "quotes_title": f.for_quotes_title if f.quote is not None else "",
             "in_query": f"{f.name}:value" if f.in_query else "", "noted": bool(f.noted),
             "help": f.cli_help} for f in FACETS]


def format_rows() -> list[dict]:
    """One row per export format, in the table's order."""
    return [{"name": f.name, "label": f.label, "extension": f.extension, "media_type": f.media_type,
             "offered": ["search", *f.offered], "older_name": f.old_name} for f in FORMATS.values()]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def facets(as_json):
    """List the facets: the URL parameter and CLI option (--NAME), whether quotes have it, query syntax."""
    _show(facet_rows(), as_json, ["facet", "title", "quotes", "in the query", "help"],
          lambda r: [r["name"], r["title"], "yes" if r["quotes"] else "no", r["in_query"] or "no", r["help"]])


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def formats(as_json):
    """List the export formats: the name for --format, /api/quotes.NAME and cite.NAME, and where each is offered."""
    _show(format_rows(), as_json, ["format", "label", "file", "offered"],
          lambda r: [r["name"], r["label"], f"*.{r['extension']}", ", ".join(r["offered"])])


def _show(rows: list[dict], as_json: bool, headings: list[str], cells) -> None:
    """The rows as JSON, or as a table of the given headings with cells(row) in each line."""
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        _table(headings, [cells(r) for r in rows])


def _table(headings: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headings, *rows)]
    for row in [headings, *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
