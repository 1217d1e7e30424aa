"""`confarchive quotes`: sentence-level quote search with attribution, citations and exports."""

from __future__ import annotations

import json

import click

from archive import citations
from archive.citations import Citable
from indexer import BadRequest, IndexStore, IndexUnavailable
from indexer.quotes_index import MAX_EXPORT, QuoteRequest, QuoteResponse, quote_json

from .common import _paths, corpus_option, ensure_index, index_option, match_options
from .output import accounting_lines, plain_snippet

FILE_FORMATS = {"markdown": citations.quotes_markdown, "csv": citations.quotes_csv, "ris": citations.ris,
                "bib": citations.bibtex, "csl": citations.csl_json}


@click.command()
@click.argument("query", nargs=-1)
@corpus_option
@index_option
@click.option("--topic", multiple=True, help="Filter by topic id (repeatable).")
@click.option("--speaker", multiple=True, help="Filter by speaker id (repeatable).")
@click.option("--session", multiple=True, help="Filter by session id (repeatable).")
@click.option("--kind", multiple=True, help="talk, panel or qa (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "csv", "json", "ris", "bib", "csl"]),
              default="text", show_default=True, help="json prints the same JSON as /api/quotes.")
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--per-page", default=10, show_default=True, type=int)
@click.option("--all", "every", is_flag=True, help=f"Every matching quote (up to {MAX_EXPORT}) instead of one page.")
@click.option("--sort", type=click.Choice(["relevance", "programme"]))
@click.option("--base-url", default="", help="The site's address, to make citation links absolute.")
@match_options
def quotes(query, corpus, index_dir, topic, speaker, session, kind, fmt, page, per_page, every, sort, base_url, match,
           topic_mode, exact):
    """Search single sentences of the summaries, with attribution and citations.

    Each result is one sentence, verbatim from a summary written about a talk (not a transcript);
    its citation says so ("as summarised in ...").
    """
    corpus_dir, index_path = _paths(corpus, index_dir)
    ensure_index(corpus_dir, index_path)
    filters = {k: list(v) for k, v in (("topic", topic), ("speaker", speaker), ("session", session), ("kind", kind)) if v}
    request = QuoteRequest(q=" ".join(query), filters=filters, page=page, per_page=per_page, sort=sort or "",
                           match=match, topic_mode=topic_mode, exact=exact)
    try:
        handle = IndexStore(index_path).handle()  # kept: the quote index spells with it
        index = handle.quotes()
        response = index.search(request)
        found = index.search_all(request) if every else response.results
    except (BadRequest, IndexUnavailable) as exc:
        raise click.ClickException(str(exc))
    click.echo(render(response, found, fmt, base_url, every), nl=False)


def render(response: QuoteResponse, found: list[dict], fmt: str, base_url: str, every: bool) -> str:
    """The quotes in the chosen format."""
    if fmt == "json":
        data = response.as_dict(base_url)
        if every:
            data.update(page=1, per_page=len(found), results=[quote_json(q, base_url) for q in found])
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt in FILE_FORMATS:
        return FILE_FORMATS[fmt]([Citable.from_dict(q["cite"]) for q in found], base_url)
    return listing(response, found, base_url, every)


def listing(response: QuoteResponse, found: list[dict], base_url: str, every: bool) -> str:
    """Readable terminal output: each quote, who it is about, where it is from, and its citation."""
    lines = [click.style(n, fg="yellow") for n in accounting_lines(response)]
    what = f'for "{response.query}"' if response.query else "in the archive"
    where = "all shown" if every else f"page {response.page} of {response.pages}"
    lines.append(f"{response.total} quote(s) {what} — {where}\n")
    start = 0 if every else (response.page - 1) * response.per_page
    for number, quote in enumerate(found, start + 1):
        cite = Citable.from_dict(quote["cite"])
        lines.append(f"{number}. “{plain_snippet(quote['highlighted'])}”")
        lines.append(f"   {citations.attribution(cite)} · {quote['talk']['title']} [{quote['id']}]")
        if quote.get("topics"):
            lines.append("   Topics of this sentence: " + ", ".join(quote["topics"]))
        lines.append(f"   Cite: {citations.reference_text(cite, base_url)}\n")
    return "\n".join(lines) + "\n"
