"""`confarchive quotes`: sentence-level quote search with citations (filled in by the quotes work)."""

from __future__ import annotations

import click


@click.command()
@click.argument("query", nargs=-1)
def quotes(query):
    """Search single sentences of the summaries, with attribution and citations."""
    raise click.ClickException("quote search is not built yet")
