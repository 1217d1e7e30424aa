"""The briefing as a page to read or print: the same Briefing the .docx export is written from."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from archive.briefing import build_briefing
from archive.formats import FORMATS
from archive.styles import STYLES
from indexer import BadRequest, open_quotes

from .index import get_handle
from .quotes import ids_arg, quote_request, quotes_by_ids, style_arg
from .serialize import quote_citable
from .site import base_url

bp = Blueprint("briefing", __name__)


@bp.get("/quotes/briefing")
def briefing_page():
    """The quotes named by `ids`, or every quote of a search (q and filters), as a printable briefing."""
    style = style_arg(request.args)
    payloads = _payloads()
    briefing = build_briefing([quote_citable(p) for p in payloads], style, base_url(),
                              request.args.get("title", "").strip()[:200])
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "title"])
    return render_template("briefing.html", b=briefing, styles=STYLES, docx=FORMATS["docx"],
                           docx_url=f"/api/quotes/export?{query}&format=docx" if "ids" in request.args
                           else f"/api/quotes.docx?{query}", args=request.args)


def _payloads() -> list[dict]:
    if "ids" in request.args:
        unknown = sorted(set(request.args) - {"ids", "style", "title"})
        if unknown:
            raise BadRequest(f"unknown parameter '{unknown[0]}'; known: ids, style, title")
        return quotes_by_ids(ids_arg(request.args))
    args = request.args.copy()
    args.pop("title", None)
    return open_quotes(get_handle()).search_all(quote_request(args, strict=True, paged=False))
