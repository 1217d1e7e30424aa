"""Readable terminal output for search results."""

from __future__ import annotations

import html
import re

import click

from indexer import SearchResponse

_MARK = re.compile(r'<mark[^>]*>(.*?)</mark>', re.S)
_TAG = re.compile(r"<[^>]+>")


def plain_snippet(snippet: str) -> str:
    """Snippet HTML as terminal text, matches in bold."""
    text = _MARK.sub(lambda m: click.style(m.group(1), bold=True), snippet)
    return html.unescape(_TAG.sub("", text))


def print_listing(response: SearchResponse) -> None:
    for line in accounting_lines(response):
        click.echo(click.style(line, fg="yellow"))
    what = f'for "{response.query}"' if response.query else "in the archive"
    click.echo(f"{response.total} result(s) {what} — page {response.page} of {response.pages}\n")
    start = (response.page - 1) * response.per_page
    for number, hit in enumerate(response.results, start + 1):
        speakers = ", ".join(s["name"] for s in hit["speakers"]) if hit["kind"] != "speaker" else ""
        session = f"Session {hit['session']['number']}" if hit.get("session") else ""
        meta = " · ".join(p for p in (hit["kind"], session, speakers) if p)
        click.echo(f"{number}. {click.style(hit['title'], bold=True)}  [{hit['id']}]")
        click.echo(f"   {meta}")
        click.echo(f"   {plain_snippet(hit['snippet'])}")
        for mention in hit.get("mentioned", []):
            count = len(mention["sentences"])
            click.echo(f"   mentions {mention['topic']}" + (f" · {count} sentence(s): {', '.join(mention['sentences'])}"
                                                           if count else ""))
        click.echo("")


def accounting_lines(response) -> list[str]:
    """The notices, then how the query's words were accounted for, as the pages say it."""
    lines = list(response.notices)
    if response.corrected_from:
        lines.append(f'Search instead for "{response.corrected_from}" with --exact.')
    if response.remaining_query:
        lines.append(f'Search for "{response.remaining_query}" only: drop the words that match nothing.')
    if response.matched_all is not None:
        lines.append(f"{response.matched_all} match all words" + (
            f"; {response.matched_some} match some (--match all keeps only the first)" if response.match == "any"
            else " (--match all)"))
    if response.filters.get("topic") and response.topic_mode == "all":
        lines.append("Topics: records on all of the selected topics (--topic-mode all).")
    return lines
