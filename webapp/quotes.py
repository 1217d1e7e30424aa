"""Quote search (page and API), quote and talk citation exports, and search result exports."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from archive import citations
from archive.citations import Citable
from archive.formats import FORMATS, ExportOptions, UnknownFormat, get_format, offered
from archive.search_exports import json_export
from archive.styles import DEFAULT_STYLE, STYLES, UnknownStyle, check_style, formatted
from indexer import (BadRequest, SearchRequest, Searcher, MAX_RESPONSE_BYTES, check_depth, TALK_KINDS, get_record,
                     titles, MAX_EXPORT, QUOTE_FACETS, QuoteRequest, DEFAULT_PER_PAGE, MAX_PER_PAGE, open_quotes)

from . import links
from .index import get_handle
from .params import filter_args, modes, positive_int, search_request
from .search_views import past_the_end
from .serialize import quote_citable, quote_json, quotes_json
from .site import base_url

bp = Blueprint("quotes", __name__)

QUOTE_PARAMS = {"q", "page", "per_page", "sort", "match", "topic_mode", "exact", "style", *QUOTE_FACETS}
FACET_TITLES = titles(quotes=True)
# a talk's cite.<name> URLs: the formats the table offers for talks, with their writers for a talk
TALK_FORMATS = {f.name: f.write_talk or f.write for f in offered("talk")}
TALK_OLD_NAMES = {"json": "csl"}  # cite.json: the CSL-JSON's URL before the formats had one set of names


def style_arg(args: MultiDict) -> str:
    """The `style` parameter (default APA); an unknown style is a 400 naming the known ones."""
    try:
        return check_style(args.get("style", "").strip() or DEFAULT_STYLE)
    except UnknownStyle as exc:
        raise BadRequest(str(exc)) from None


def quote_request(args: MultiDict, strict: bool, paged: bool = True) -> QuoteRequest:
    """A QuoteRequest from query-string arguments; with strict, unknown parameters are an error."""
    known = QUOTE_PARAMS if paged else QUOTE_PARAMS - {"page", "per_page"}
    if strict and set(args) - known:
        unknown = sorted(set(args) - known)[0]
        raise BadRequest(f"unknown parameter '{unknown}'; known: " + ", ".join(sorted(known)))
    found = QuoteRequest(q=args.get("q", ""), filters=filter_args(args, QUOTE_FACETS),
                         page=positive_int(args, "page", 1), per_page=positive_int(args, "per_page", DEFAULT_PER_PAGE),
                         sort=args.get("sort", "").strip(), exact=args.get("exact", "") in ("1", "true"),
                         **modes(args))
    found.validate()
    check_depth(found.page, found.per_page)
    return found


@bp.get("/quotes")
def quotes_page():
    handle = get_handle()
    style = style_arg(request.args)
    if request.args.get("export"):  # the no-JS selection form's "Export selected"
        return redirect(url_for("quotes.quotes_by_id", ids=",".join(ids_arg(request.args)), style=style,
                                format=_format(request.args.get("format", "json"))), code=303)
    response = open_quotes(handle).search(quote_request(request.args, strict=False))
    if (moved := past_the_end(response, "/quotes", style)) is not None:
        return moved
    data = quotes_json(response, base_url(), style)
    return render_template("quotes.html", r=response, data=data, links=links, labels=open_quotes(handle).facets,
                           facet_titles=FACET_TITLES, formats=FORMATS, styles=STYLES, style=style,
                           state=links.state(response), ticked=ticked_ids(request.args))


def ticked_ids(args: MultiDict) -> list[str]:
    """Quotes ticked on earlier pages (the no-JS selection form carries them from page to page)."""
    return list(dict.fromkeys(i.strip() for raw in args.getlist("ids") for i in raw.split(",") if i.strip()))[
        :MAX_EXPORT]


@bp.get("/api/quotes")
def quotes_api():
    response = open_quotes(get_handle()).search(quote_request(request.args, strict=True))
    return jsonify(quotes_json(response, base_url(), style_arg(request.args)))


@bp.get("/api/quotes/<ident>")
def quote_api(ident: str):
    found = open_quotes(get_handle()).get(ident)
    if found is None:
        abort(404, description=f"no quote with id '{ident}'")
    return jsonify(quote_json(found, base_url(), style_arg(request.args)))


@bp.get("/api/quotes.<fmt>")
def quotes_export(fmt: str):
    """Every quote matching a search (up to MAX_EXPORT) in one file."""
    found = open_quotes(get_handle()).search_all(quote_request(request.args, strict=True, paged=False))
    return _quote_download(found, _format(fmt), "quotes", style_arg(request.args))


@bp.get("/api/quotes/export")
def quotes_by_id():
    """The quotes named by `ids` (repeated, or comma-separated) in the order given, as `format`."""
    unknown = sorted(set(request.args) - {"ids", "format", "style"})
    if unknown:
        raise BadRequest(f"unknown parameter '{unknown[0]}'; known: format, ids, style")
    ids = ids_arg(request.args)
    fmt, style = _format(request.args.get("format", "json")), style_arg(request.args)
    return _quote_download(quotes_by_ids(ids), fmt, "quotes", style)


def ids_arg(args: MultiDict) -> list[str]:
    """The `ids` parameter (repeated or comma-separated), in order and without repeats."""
    ids = list(dict.fromkeys(i.strip() for raw in args.getlist("ids") for i in raw.split(",") if i.strip()))
    if not ids:
        raise BadRequest("ids is required: one or more quote ids, comma-separated or repeated")
    if len(ids) > MAX_EXPORT:
        raise BadRequest(f"at most {MAX_EXPORT} ids at once")
    return ids


def quotes_by_ids(ids: list[str]) -> list[dict]:
    """The stored quotes in the order given; 404 naming the first unknown id."""
    quotes = open_quotes(get_handle())
    found = [quotes.get(i) for i in ids]
    missing = [i for i, q in zip(ids, found) if q is None]
    if missing:
        abort(404, description=f"no quote with id '{missing[0]}'")
    return found


def _format(fmt: str) -> str:
    try:
        return get_format(fmt).name
    except UnknownFormat as exc:
        raise BadRequest(str(exc)) from None


def _quote_download(payloads: list[dict], fmt: str, name: str, style: str = DEFAULT_STYLE) -> Response:
    base, export = base_url(), FORMATS[fmt]
    if export.write is None:  # json: the API's own shape
        items = [quote_json(p, base, style) for p in payloads]
        body, kept = fit(items, lambda part: json_export({"total": len(part), "results": part}, len(items) - len(part)))
        return _attachment(body, export.media_type, f"{name}.json", len(items) - kept)
    options = ExportOptions(base, style)
    body, kept = fit([quote_citable(p) for p in payloads], lambda part: export.write(part, options))
    return _attachment(body, export.media_type, f"{name}.{export.extension}", len(payloads) - kept)


def fit(items: list, render) -> tuple[str | bytes, int]:
    """render(items), cut to the first items whose rendering stays within MAX_RESPONSE_BYTES; (body, items kept)."""
    body, kept = render(items), len(items)
    while _size(body) > MAX_RESPONSE_BYTES and kept > 1:
        kept = max(1, min(kept - 1, int(kept * MAX_RESPONSE_BYTES / _size(body) * 0.95)))
        body = render(items[:kept])
    return body, kept


def _size(body: str | bytes) -> int:
    return len(body) if isinstance(body, bytes) else len(body.encode())


def _attachment(body: str | bytes, media: str, filename: str, omitted: int = 0) -> Response:
    response = Response(body, mimetype=media)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if isinstance(body, str):
        response.charset = "utf-8"
    if omitted:  # the response budget: say what was left out, for scripts
        response.headers["X-Results-Omitted"] = str(omitted)
    return response


# Talk citations -------------------------------------------------------------------------------------------------------

@bp.get("/talks/<ident>/cite.<fmt>")
def talk_cite(ident: str, fmt: str):
    """One talk's citation in a reference manager format."""
    fmt = TALK_OLD_NAMES.get(fmt, fmt)
    talk = get_record(get_handle(), ident, TALK_KINDS)
    if fmt not in TALK_FORMATS or talk is None or "citable" not in talk:
        abort(404, description=f"There is no talk with the id '{ident}'." if fmt in TALK_FORMATS else
              f"A talk's citation comes as cite.{', cite.'.join(TALK_FORMATS)}.")
    body = TALK_FORMATS[fmt]([Citable.from_dict(talk["citable"])], ExportOptions(base_url()))
    return _attachment(body, FORMATS[fmt].media_type, f"{ident}.{FORMATS[fmt].extension}")


@bp.app_template_global()
def talk_citation(talk: dict) -> dict | None:
    """What a talk page shows and embeds to cite it: text, Markdown, exports, JSON-LD and citation_* tags."""
    if "citable" not in talk:
        return None
    cite, base = Citable.from_dict(talk["citable"]), base_url()
    exports = [(f.label, f"/talks/{talk['id']}/cite.{f.name}", f.media_type) for f in offered("talk")
               if not f.media_type.startswith("text/")]  # plain text and Markdown are on the page to copy
    item = citations.csl_item(cite, base)
    return {"text": citations.citation_text(cite, base), "markdown": citations.citation_markdown(cite, base),
            "note": citations.note(cite), "exports": exports, "jsonld": citations.schema_org(cite, base),
            "meta": citations.highwire_meta(cite, base), "formatted": [formatted(item, s) for s in STYLES],
            "description": citations.description(cite), "rights": citations.rights_statement(cite)}


@bp.app_template_global()
def quote_export_links(citation: dict) -> list[tuple[str, str]]:
    """(label, URL) of each file a quote's citation comes as (citation.exports less the API's own JSON)."""
    return [(FORMATS[name].label, url) for name, url in citation["exports"].items() if FORMATS[name].write]


@bp.app_template_global()
def quote_basket_data(quote: dict) -> dict:
    """The little a quote basket keeps about a quote (stored in the browser)."""
    return {"id": quote["id"], "text": quote["text"], "url": quote["url"], "talk": quote["talk"]["title"],
            "speakers": ", ".join(s["name"] for s in quote.get("speakers", []))
            or {"qa": "Q&A", "panel": "Panel"}.get(quote["talk"].get("kind"), ""),
            "citation": quote["citation"]["text"], "markdown": quote["citation"]["markdown"],
            "reference": quote["citation"]["formatted"]["html"]}


# Search result exports ------------------------------------------------------------------------------------------------

SEARCH_FORMATS = {f.name: f for f in offered("search")}  # each with its write_search (archive/formats.py)


@bp.get("/api/search.<any(" + ", ".join(SEARCH_FORMATS) + "):fmt>")
def search_export(fmt: str):
    """Every result of a search (up to MAX_EXPORT), in a format the table offers for searches."""
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")])
    template = search_request(args, strict=True)
    results = _all_results(template)
    found = SEARCH_FORMATS[fmt]
    body, kept = fit(results, lambda part: found.write_search(template.q, part, len(results) - len(part)))
    return _attachment(body, found.media_type, f"search.{found.extension}", len(results) - kept)


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

