"""Shareable URLs for every search state: facet toggles, removable chips, pages and sorting."""

from __future__ import annotations

from urllib.parse import urlencode

from indexer import SearchResponse, FACET_FIELDS, DEFAULT_PER_PAGE


def state(response: SearchResponse) -> list[tuple[str, str]]:
    """The query-string pairs that reproduce a search (page 1, default sort omitted)."""
    pairs = [("q", response.query)] if response.query else []
    for name in FACET_FIELDS:
        pairs += [(name, value) for value in response.filters.get(name, [])]
    return pairs + [(name, "all") for name in ("match", "topic_mode") if getattr(response, name, "any") == "all"]


def with_mode(response, name: str, value: str, path: str = "/search") -> str:
    """The same search with `match` or `topic_mode` set to value."""
    pairs = [p for p in state(response) if p[0] != name] + ([(name, value)] if value != "any" else [])
    return search_url(_with_per_page(_with_sort(pairs, response), response), path)


def search_url(pairs: list[tuple[str, str]], path: str = "/search") -> str:
    return f"{path}?{urlencode(pairs)}" if pairs else path


def toggle_url(response: SearchResponse, facet: str, value: str, path: str = "/search") -> str:
    """Add the value to the search's filters, or take it away when it is already selected."""
    pairs = state(response)
    if (facet, value) in pairs:
        pairs.remove((facet, value))
    else:
        pairs.append((facet, value))
    return search_url(_with_per_page(_with_sort(pairs, response), response), path)


def page_url(response: SearchResponse, page: int, path: str = "/search") -> str:
    pairs = _with_per_page(_with_sort(state(response), response), response)
    return search_url(pairs + ([("page", str(page))] if page > 1 else []), path)


def sort_url(response: SearchResponse, sort: str, path: str = "/search") -> str:
    return search_url(_with_per_page(state(response) + [("sort", sort)], response), path)


def styled(url: str, style: str, default: str = "apa") -> str:
    """The URL keeping a chosen reference style (the default style is left out)."""
    if not style or style == default:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode([('style', style)])}"


def _with_per_page(pairs: list, response: SearchResponse) -> list:
    return pairs + ([("per_page", str(response.per_page))] if response.per_page != DEFAULT_PER_PAGE else [])


def _with_sort(pairs: list, response: SearchResponse) -> list:
    default = "programme" if not response.query else "relevance"
    return pairs + ([("sort", response.sort)] if response.sort != default else [])


def mention_url(hit: dict, mention: dict) -> str:
    """Where a result's mention of a topic can be read: the sentence in a talk, else the record's quotes on it."""
    sentences = mention.get("sentences") or []
    if hit["kind"] in ("talk", "panel", "qa") and sentences:
        return f"{hit['url']}#s-{sentences[0].rpartition('.s')[2]}"
    facet = "speaker" if hit["kind"] == "speaker" else "session"
    return search_url([(facet, hit["id"]), ("topic", mention["topic"])], "/quotes")


PER_PAGE_CHOICES = (10, 20, 50, 100)


def per_page_url(response: SearchResponse, per_page: int, path: str = "/search") -> str:
    """The same search, from its first page, showing per_page results a page."""
    pairs = _with_sort(state(response), response)
    return search_url(pairs + ([("per_page", str(per_page))] if per_page != DEFAULT_PER_PAGE else []), path)


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: first, last and those near the current one; None marks a gap."""
    keep = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    shown: list[int | None] = []
    for number in keep:
        if shown and number - shown[-1] > 1:
            shown.append(None)
        shown.append(number)
    return shown


SPOKEN_KINDS = ("talk", "panel", "qa")


def kinds_url(response: SearchResponse, kinds: tuple[str, ...], path: str = "/search") -> str:
    """The same search with its kind filter replaced by kinds (none: every kind)."""
    pairs = [p for p in state(response) if p[0] != "kind"] + [("kind", k) for k in kinds]
    return search_url(_with_per_page(_with_sort(pairs, response), response), path)
