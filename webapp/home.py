"""The first page: what the archive is, the conferences it holds, ways in by topic, example searches and quotes."""

from __future__ import annotations

import weakref

from flask import Blueprint, render_template

from . import links
from .index import get_handle
from indexer import open_quotes

bp = Blueprint("home", __name__)

EXAMPLE_SEARCHES = (
    ("European Health Data Space", [("q", "European Health Data Space")]),
    ("consent", [("q", "consent")]),
    ("“data sharing”", [("q", '"data sharing"')]),
    ("artificial intelligence in talks only", [("q", "artificial intelligence"), ("kind", "talk")]),
)


def conference_rows(table, conferences: list[dict]) -> list[dict]:
    """Each conference with how many talks, panels and Q&As the archive holds from it (one facet count)."""
    spoken = table.selection_mask("kind", list(links.SPOKEN_KINDS)) & table.live
    talks = {b.value: b.count for b in table.count("conference", spoken, [])}
    return [{**conference, "talks": talks.get(conference["id"], 0),
             "url": links.search_url([("conference", conference["id"]), ("sort", "programme")])}
            for conference in conferences]


_HOME: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # handle -> its data; old builds are let go


def home_data(handle) -> dict:
    """What the first page shows of one build, worked out once per build (the handle is one build's)."""
    if handle not in _HOME:
        table, catalogue = handle.facets, handle.meta.get("catalogue", {})
        _HOME[handle] = {"total": int(table.live.sum()),
                         "core": [b for b in table.count("topic", table.live, []) if b.pinned],
                         "conferences": conference_rows(table, catalogue.get("conferences", [])),
                         "quote_total": int(open_quotes(handle).facets.live.sum())}
    return _HOME[handle]


@bp.get("/")
def home():
    return render_template("home.html", **home_data(get_handle()),
                           examples=[(label, links.search_url(pairs)) for label, pairs in EXAMPLE_SEARCHES])
