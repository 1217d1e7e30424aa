"""`confarchive quotes`: sentence-level quote search with attribution, citations and exports."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archive import citations
from archive.formats import FORMATS, ExportOptions, get_format
from archive.styles import DEFAULT_STYLE, STYLES, formatted
from indexer import BadRequest, IndexStore, IndexUnavailable, MAX_EXPORT, QuoteRequest, QuoteResponse, open_quotes

from webapp.serialize import quote_citable, quote_json, quotes_json
from webapp.site import DEFAULT_BASE_URL

from .common import _paths, corpus_option, ensure_index, facet_filters, facet_options, index_option, match_options
from .output import accounting_lines, plain_snippet


class FormatChoice(click.Choice):
    """`text` or a format of the table (archive/formats.py), by its name; older spellings are still read."""

    def convert(self, value, param, ctx):
        if value not in self.choices:
            value = next((f.name for f in FORMATS.values() if f.old_name and f.old_name == value), value)
        return super().convert(value, param, ctx)


@click.command()
@click.argument("query", nargs=-1)
@corpus_option
@index_option
@facet_options(quotes=True)
@click.option("--format", "fmt", type=FormatChoice(["text", *FORMATS]), default="text", show_default=True,
              help="json prints the same JSON as /api/quotes; docx writes a Word briefing (needs -o).")
@click.option("--style", type=click.Choice(list(STYLES)), default=DEFAULT_STYLE, show_default=True,
              help="Reference style for formatted references and the docx briefing.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--per-page", default=10, show_default=True, type=int)
@click.option("--all", "every", is_flag=True, help=f"Every matching quote (up to {MAX_EXPORT}) instead of one page.")
@click.option("--sort", type=click.Choice(["relevance", "programme"]))
@click.option("--base-url", envvar="CONFARCHIVE_BASE_URL", default=DEFAULT_BASE_URL, show_default=True,
              help="The site's public address for citation links (default: CONFARCHIVE_BASE_URL, else the local one).")
@match_options
def quotes(query, corpus, index_dir, fmt, style, output, page, per_page, every, sort, base_url, match, topic_mode,
           exact, **facets):
    """Search single sentences of the summaries, with attribution and citations.

    Each result is one sentence, verbatim from a summary written about a talk (not a transcript);
    its citation says so ("as summarised in ...").
    """
    corpus_dir, index_path = _paths(corpus, index_dir)
    ensure_index(corpus_dir, index_path)
    request = QuoteRequest(q=" ".join(query), filters=facet_filters(facets), page=page, per_page=per_page, sort=sort or "",
                           match=match, topic_mode=topic_mode, exact=exact)
    try:
        handle = IndexStore(index_path).handle()  # kept: the quote index spells with it
        index = open_quotes(handle)
        response = index.search(request)
        found = index.search_all(request) if every else response.results
    except (BadRequest, IndexUnavailable) as exc:
        raise click.ClickException(str(exc))
    body = render(response, found, fmt, base_url, every, style)
    if output:
        write_file(Path(output), body)
    elif isinstance(body, bytes):
        raise click.ClickException("docx is a binary file: pass -o FILE, e.g. -o briefing.docx")
    else:
        click.echo(body, nl=False)


def write_file(path: Path, body: str | bytes) -> None:
    try:
        path.write_bytes(body) if isinstance(body, bytes) else path.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}")
    click.echo(f"Wrote {path}", err=True)


def render(response: QuoteResponse, found: list[dict], fmt: str, base_url: str, every: bool,
           style: str = DEFAULT_STYLE) -> str | bytes:
    """The quotes in the chosen format."""
    if fmt == "json":
        data = quotes_json(response, base_url, style)
        if every:
            data.update(page=1, per_page=len(found), results=[quote_json(q, base_url, style) for q in found])
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt != "text":
        return get_format(fmt).write([quote_citable(q) for q in found], ExportOptions(base_url, style))
    return listing(response, found, base_url, every, style)


def listing(response: QuoteResponse, found: list[dict], base_url: str, every: bool, style: str = DEFAULT_STYLE) -> str:
    """Readable terminal output: each quote, who it is about, where it is from, and its citation."""
    lines = [click.style(n, fg="yellow") for n in accounting_lines(response)]
    what = f'for "{response.query}"' if response.query else "in the archive"
    where = "all shown" if every else f"page {response.page} of {response.pages}"
    lines.append(f"{response.total} quote(s) {what} — {where}\n")
    start = 0 if every else (response.page - 1) * response.per_page
    for number, quote in enumerate(found, start + 1):
        cite = quote_citable(quote)
        lines.append(f"{number}. “{plain_snippet(quote['highlighted'])}”")
        lines.append(f"   {citations.attribution(cite)} · {quote['talk']['title']} [{quote['id']}]")
        if quote.get("topics"):
            lines.append("   Topics of this sentence: " + ", ".join(quote["topics"]))
        lines.append(f"   Cite: {citations.reference_text(cite, base_url)}")
        lines.append(f"   {STYLES[style]}: {formatted(citations.csl_item(cite, base_url), style)['text']}\n")
    return "\n".join(lines) + "\n"
