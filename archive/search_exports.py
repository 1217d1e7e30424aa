"""A search's results as a file: the writers the formats table (formats.py) gives the formats it offers for
searches (`/api/search.<name>`, the search page's export links)."""

from __future__ import annotations

import json

from .csvsafe import write_csv

CSV_COLUMNS = ["id", "kind", "title", "url", "session", "speakers", "topics"]


def json_export(data: dict, omitted: int) -> str:
    """An export as JSON; when the response budget left results out, `omitted` says how many."""
    return json.dumps({**data, **({"omitted": omitted} if omitted else {})}, ensure_ascii=False, indent=2)


def search_json(query: str, results: list[dict], omitted: int) -> str:
    """The results as the search API gives them."""
    return json_export({"query": query, "total": len(results), "results": results}, omitted)


def search_csv(query: str, results: list[dict], omitted: int) -> str:
    """One row per result: what it is, its link, session, speakers and topics (cells neutralised, csvsafe.py)."""
    return write_csv((_row(hit) for hit in results), CSV_COLUMNS)


def _row(hit: dict) -> dict:
    session = hit.get("session")
    return {"id": hit["id"], "kind": hit["kind"], "title": hit["title"], "url": hit["url"],
            "session": f"Session {session['number']}" if session and session.get("number") else "",
            "speakers": "; ".join(s["name"] for s in hit.get("speakers", [])),
            "topics": "; ".join(hit.get("topics", []))}
