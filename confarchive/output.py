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
    for notice in response.notices:
        click.echo(click.style(notice, fg="yellow"))
    what = f'for "{response.query}"' if response.query else "in the archive"
    click.echo(f"{response.total} result(s) {what} — page {response.page} of {response.pages}\n")
    start = (response.page - 1) * response.per_page
    for number, hit in enumerate(response.results, start + 1):
        speakers = ", ".join(s["name"] for s in hit["speakers"]) if hit["kind"] != "speaker" else ""
        session = f"Session {hit['session']['number']}" if hit.get("session") else ""
        meta = " · ".join(p for p in (hit["kind"], session, speakers) if p)
        click.echo(f"{number}. {click.style(hit['title'], bold=True)}  [{hit['id']}]")
        click.echo(f"   {meta}")
        click.echo(f"   {plain_snippet(hit['snippet'])}\n")
