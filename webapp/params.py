"""Read search parameters from a request, turning bad values into a 400 with a clear message."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from indexer import BadRequest, SearchRequest, check_depth, check_filters, FACET_FIELDS, DEFAULT_PER_PAGE

KNOWN = {"q", "page", "per_page", "sort", "exact", "match", "topic_mode", "format", *FACET_FIELDS}


def positive_int(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None


def search_request(args: MultiDict, strict: bool) -> SearchRequest:
    """A SearchRequest from query-string arguments; with strict, unknown parameters are an error."""
    if strict:
        unknown = sorted(set(args) - KNOWN)
        if unknown:
            raise BadRequest(f"unknown parameter '{unknown[0]}'; known: " + ", ".join(sorted(KNOWN - {"format"})))
    request = SearchRequest(q=args.get("q", ""), filters=filter_args(args, FACET_FIELDS),
                            page=positive_int(args, "page", 1),
                            per_page=positive_int(args, "per_page", DEFAULT_PER_PAGE),
                            sort=args.get("sort", "").strip(), exact=args.get("exact", "") in ("1", "true"),
                            **modes(args))
    request.validate()
    check_depth(request.page, request.per_page)
    return request


def modes(args: MultiDict) -> dict[str, str]:
    """`match` (any, all) and `topic_mode` (any, all); an empty value means the default."""
    return {"match": args.get("match", "").strip() or "any", "topic_mode": args.get("topic_mode", "").strip() or "any"}


def filter_args(args: MultiDict, names) -> dict[str, list[str]]:
    """The facet filters asked for, within the request budget (indexer/limits.py): else BadRequest."""
    filters = {name: [v.strip() for v in args.getlist(name) if v.strip()] for name in names}
    return check_filters({name: values for name, values in filters.items() if values})


def page_args(args: MultiDict, strict: bool = True) -> tuple[int, int]:
    """page and per_page for the listing endpoints."""
    page, per_page = positive_int(args, "page", 1), positive_int(args, "per_page", DEFAULT_PER_PAGE)
    SearchRequest(page=page, per_page=per_page).validate()
    check_depth(page, per_page)
    return page, per_page
