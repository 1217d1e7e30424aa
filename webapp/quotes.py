"""Quote search (page and API), quote and talk citation exports, and search result exports."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from archive import citations
from archive.citations import Citable
from archive.csvsafe import write_csv
from indexer import BadRequest, SearchRequest, Searcher
from indexer.limits import MAX_RESPONSE_BYTES, check_depth
from indexer.lookup import TALK_KINDS, get_record
from indexer.quotes_index import MAX_EXPORT, QUOTE_FACETS, QuoteRequest, quote_json
from indexer.search import DEFAULT_PER_PAGE, MAX_PER_PAGE

from . import links
from .index import get_handle
from .params import filter_args, positive_int, search_request

bp = Blueprint("quotes", __name__)

QUOTE_PARAMS = {"q", "page", "per_page", "sort", *QUOTE_FACETS}
FACET_TITLES = {"topic": "Topic", "speaker": "Speaker", "session": "Session", "kind": "Kind"}
# format -> (media type, file extension, writer of a list of Citables)
QUOTE_FORMATS = {
    "csv": ("text/csv", "csv", citations.quotes_csv),
    "md": ("text/markdown", "md", citations.quotes_markdown),
    "txt": ("text/plain", "txt", citations.quotes_text),
    "ris": ("application/x-research-info-systems", "ris", citations.ris),
    "bib": ("application/x-bibtex", "bib", citations.bibtex),
    "csl": ("application/vnd.citationstyles.csl+json", "csl.json", citations.csl_json),
}
TALK_FORMATS = {"ris": QUOTE_FORMATS["ris"], "bib": QUOTE_FORMATS["bib"], "txt": QUOTE_FORMATS["txt"],
                "md": ("text/markdown", "md", lambda items, base: citations.citation_markdown(items[0], base) + "\n"),
                "json": QUOTE_FORMATS["csl"]}
SEARCH_CSV_COLUMNS = ["id", "kind", "title", "url", "session", "speakers", "topics"]


def base_url() -> str:
    """The site's address for absolute links in citations: PUBLIC_URL if configured, else this request's."""
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")


def quote_request(args: MultiDict, strict: bool, paged: bool = True) -> QuoteRequest:
    """A QuoteRequest from query-string arguments; with strict, unknown parameters are an error."""
    known = QUOTE_PARAMS if paged else QUOTE_PARAMS - {"page", "per_page"}
    if strict and set(args) - known:
        unknown = sorted(set(args) - known)[0]
        raise BadRequest(f"unknown parameter '{unknown}'; known: " + ", ".join(sorted(known)))
    found = QuoteRequest(q=args.get("q", ""), filters=filter_args(args, QUOTE_FACETS),
                         page=positive_int(args, "page", 1), per_page=positive_int(args, "per_page", DEFAULT_PER_PAGE),
                         sort=args.get("sort", "").strip())
    found.validate()
    check_depth(found.page, found.per_page)
    return found


@bp.get("/quotes")
def quotes_page():
    handle = get_handle()
    response = handle.quotes().search(quote_request(request.args, strict=False))
    data = response.as_dict(base_url())
    return render_template("quotes.html", r=response, data=data, links=links, labels=handle.quotes().facets,
                           facet_titles=FACET_TITLES, formats=QUOTE_FORMATS, state=links.state(response))


@bp.get("/api/quotes")
def quotes_api():
    response = get_handle().quotes().search(quote_request(request.args, strict=True))
    return jsonify(response.as_dict(base_url()))


@bp.get("/api/quotes/<ident>")
def quote_api(ident: str):
    found = get_handle().quotes().get(ident)
    if found is None:
        abort(404, description=f"no quote with id '{ident}'")
    return jsonify(quote_json(found, base_url()))


@bp.get("/api/quotes.<fmt>")
def quotes_export(fmt: str):
    """Every quote matching a search (up to MAX_EXPORT) in one file."""
    found = get_handle().quotes().search_all(quote_request(request.args, strict=True, paged=False))
    return _quote_download(found, _format(fmt), "quotes")


@bp.get("/api/quotes/export")
def quotes_by_id():
    """The quotes named by `ids` (repeated, or comma-separated) in the order given, as `format`."""
    unknown = sorted(set(request.args) - {"ids", "format"})
    if unknown:
        raise BadRequest(f"unknown parameter '{unknown[0]}'; known: format, ids")
    ids = list(dict.fromkeys(i.strip() for raw in request.args.getlist("ids") for i in raw.split(",") if i.strip()))
    if not ids:
        raise BadRequest("ids is required: one or more quote ids, comma-separated or repeated")
    if len(ids) > MAX_EXPORT:
        raise BadRequest(f"at most {MAX_EXPORT} ids at once")
    fmt = _format(request.args.get("format", "json"))
    quotes = get_handle().quotes()
    found = [quotes.get(i) for i in ids]
    missing = [i for i, q in zip(ids, found) if q is None]
    if missing:
        abort(404, description=f"no quote with id '{missing[0]}'")
    return _quote_download(found, fmt, "quotes")


def _format(fmt: str) -> str:
    if fmt not in QUOTE_FORMATS and fmt != "json":
        raise BadRequest("format must be one of: " + ", ".join(["json", *QUOTE_FORMATS]))
    return fmt


def _quote_download(payloads: list[dict], fmt: str, name: str) -> Response:
    base = base_url()
    if fmt == "json":
        items = [quote_json(p, base) for p in payloads]
        body, kept = fit(items, lambda part: _json_body({"total": len(part), "results": part}, len(items) - len(part)))
        return _attachment(body, "application/json", f"{name}.json", len(items) - kept)
    media, ext, write = QUOTE_FORMATS[fmt]
    body, kept = fit([Citable.from_dict(p["cite"]) for p in payloads], lambda part: write(part, base))
    return _attachment(body, media, f"{name}.{ext}", len(payloads) - kept)


def fit(items: list, render) -> tuple[str, int]:
    """render(items), cut to the first items whose rendering stays within MAX_RESPONSE_BYTES; (text, items kept)."""
    body, kept = render(items), len(items)
    while len(body.encode()) > MAX_RESPONSE_BYTES and kept > 1:
        kept = max(1, min(kept - 1, int(kept * MAX_RESPONSE_BYTES / len(body.encode()) * 0.95)))
        body = render(items[:kept])
    return body, kept


def _json_body(data: dict, omitted: int) -> str:
    """An export as JSON; when results had to be left out, `omitted` says how many."""
    return json.dumps({**data, **({"omitted": omitted} if omitted else {})}, ensure_ascii=False, indent=2)


def _attachment(body: str, media: str, filename: str, omitted: int = 0) -> Response:
    response = Response(body, mimetype=media)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.charset = "utf-8"
    if omitted:  # the response budget: say what was left out, for scripts
        response.headers["X-Results-Omitted"] = str(omitted)
    return response


# Talk citations -------------------------------------------------------------------------------------------------------

@bp.get("/talks/<ident>/cite.<any(ris, bib, json, txt, md):fmt>")
def talk_cite(ident: str, fmt: str):
    """One talk's citation in a reference manager format."""
    talk = get_record(get_handle(), ident, TALK_KINDS)
    if talk is None or "citable" not in talk:
        abort(404, description=f"There is no talk with the id '{ident}'.")
    media, ext, write = TALK_FORMATS[fmt]
    return _attachment(write([Citable.from_dict(talk["citable"])], base_url()), media, f"{ident}.{ext}")


@bp.app_template_global()
def talk_citation(talk: dict) -> dict | None:
    """What a talk page shows and embeds to cite it: text, Markdown, exports, JSON-LD and citation_* tags."""
    if "citable" not in talk:
        return None
    cite, base = Citable.from_dict(talk["citable"]), base_url()
    exports = {label: f"/talks/{talk['id']}/cite.{fmt}"
               for label, fmt in (("RIS", "ris"), ("BibTeX", "bib"), ("CSL-JSON", "json"))}
    return {"text": citations.citation_text(cite, base), "markdown": citations.citation_markdown(cite, base),
            "note": citations.note(cite), "exports": exports, "jsonld": citations.schema_org(cite, base),
            "meta": citations.highwire_meta(cite, base)}


@bp.app_template_global()
def quote_basket_data(quote: dict) -> dict:
    """The little a quote basket keeps about a quote (stored in the browser)."""
    return {"id": quote["id"], "text": quote["text"], "url": quote["url"], "talk": quote["talk"]["title"],
            "citation": quote["citation"]["text"], "markdown": quote["citation"]["markdown"]}


# Search result exports ------------------------------------------------------------------------------------------------

@bp.get("/api/search.<any(csv, json):fmt>")
def search_export(fmt: str):
    """Every result of a search (up to MAX_EXPORT) as CSV or JSON."""
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")])
    template = search_request(args, strict=True)
    results = _all_results(template)
    if fmt == "json":
        body, kept = fit(results, lambda part: _json_body({"query": template.q, "total": len(part), "results": part},
                                                         len(results) - len(part)))
        return _attachment(body, "application/json", "search.json", len(results) - kept)
    body, kept = fit(results, _search_csv)
    return _attachment(body, "text/csv", "search.csv", len(results) - kept)


@dataclass
class _ExportRequest(SearchRequest):
    """A search for an export: one page of up to MAX_EXPORT results (a page of the API has at most MAX_PER_PAGE)."""

    def validate(self) -> None:
        SearchRequest.validate(replace(self, per_page=min(self.per_page, MAX_PER_PAGE)))


def _all_results(template: SearchRequest) -> list[dict]:
    """Every result (up to MAX_EXPORT) from one search: asking page by page repeated the whole search each time."""
    request = _ExportRequest(**{f.name: getattr(template, f.name) for f in fields(SearchRequest)})
    request.page, request.per_page = 1, MAX_EXPORT
    return Searcher(get_handle()).search(request).results[:MAX_EXPORT]


def _search_csv(results: list[dict]) -> str:
    return write_csv((_search_row(hit) for hit in results), SEARCH_CSV_COLUMNS)


def _search_row(hit: dict) -> dict:
    session = hit.get("session")
    return {"id": hit["id"], "kind": hit["kind"], "title": hit["title"], "url": hit["url"],
            "session": f"Session {session['number']}" if session and session.get("number") else "",
            "speakers": "; ".join(s["name"] for s in hit.get("speakers", [])),
            "topics": "; ".join(hit.get("topics", []))}
